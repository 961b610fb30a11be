"""Interactive charts of a run (plotly figures), each with a stable id used as the HTML element id.

Reads a :class:`~energy_routes.report.rundata.RunData` through
:mod:`energy_routes.report.chartdata` (which names the tables each chart uses).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import chartdata as cd
from .figures import Chart, layout
from .power import power_charts
from .rundata import RunData

NODE_COLOURS = {"source": "#4D4D4D", "asset": "#7F9CB6", "outlet": "#0072B2", "shut_in": cd.SHUT_IN_COLOUR}


def sankey_chart(data: RunData) -> Chart:
    """Annual flows from sources through assets to outlets; one diagram per year, chosen with buttons."""
    fig = go.Figure()
    colours = cd.route_colours(data)
    diagrams = cd.sankeys(data)
    years = [s.year for s in diagrams]
    fc = data.focus
    shown = years.index(fc.year) if fc is not None and fc.year in years else 0
    for i, s in enumerate(diagrams):
        index = {n: k for k, n in enumerate(s.nodes.node)}
        link_colours = [_rgba(cd.SHUT_IN_COLOUR if r == "shut_in" else colours.get(r, "#999999"), 0.45) for r in s.links.route]
        fig.add_trace(
            go.Sankey(
                visible=(i == shown),
                name=str(s.year),
                arrangement="snap",
                valueformat=",.2f",
                valuesuffix=" Mt",
                node=dict(label=list(s.nodes.label), color=[NODE_COLOURS[k] for k in s.nodes.kind], pad=14, thickness=16, line=dict(width=0)),
                link=dict(
                    source=[index[n] for n in s.links.from_node],
                    target=[index[n] for n in s.links.to_node],
                    value=list(s.links.value_mt),
                    color=link_colours,
                ),
            )
        )
    def title(y: int) -> str:
        return f"Flows in {y}, Mt" + (" (the disrupted year)" if fc is not None and y == fc.year else "")

    if len(years) > 1:
        buttons = [
            dict(label=str(y), method="update", args=[{"visible": [j == i for j in range(len(years))]}, {"title.text": title(y)}])
            for i, y in enumerate(years)
        ]
        fig.update_layout(updatemenus=[dict(type="buttons", direction="right", buttons=buttons, x=0, y=1.12, xanchor="left", showactive=True, active=shown)])
    layout(fig, height=520, title=dict(text=title(years[shown]), x=0.5, y=0.99))
    fig.update_layout(margin=dict(l=20, r=20, t=70, b=20))
    caption = "Export supply by source (left) through the pipelines, terminals and tanker legs to each outlet (right); crude that cannot leave is shown as shut in."
    if len(years) > 1:
        caption += " Choose the year with the buttons." + (f" It opens on {years[shown]}, the year of the disruption." if fc is not None else "")
    if data.legs is None:
        caption += " Route legs were not available, so flows go straight from sources to routes."
    return Chart("sankey", "Where the crude goes", fig, caption)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def volume_chart(data: RunData) -> Chart:
    """Stacked volume by route and year, with export supply and shut-in; per-route capacity in the hover."""
    vol, cap, by_year = cd.annual_pivots(data)
    kbd = data.tables["allocation_annual"].pivot(index="year", columns="route", values="volume_kbd").reindex(index=vol.index, columns=vol.columns)
    colours = cd.route_colours(data)
    fig = go.Figure()
    years = [str(y) for y in vol.index]
    for route in vol.columns:
        fig.add_trace(
            go.Bar(
                x=years,
                y=vol[route],
                name=data.route_label(route),
                marker_color=colours[route],
                customdata=np.c_[cap[route].to_numpy(), (vol[route] / cap[route].where(cap[route] > 0)).to_numpy(), kbd[route].to_numpy()],
                hovertemplate="%{x} " + data.route_label(route) + ": %{y:,.2f} Mt (%{customdata[2]:,.0f} kb/d) of %{customdata[0]:,.2f} Mt capacity (%{customdata[1]:.0%})<extra></extra>",
            )
        )
    fig.add_trace(
        go.Bar(x=years, y=by_year.shut_in_mt, name="shut in", marker_color=cd.SHUT_IN_COLOUR, marker_pattern_shape="/",
               hovertemplate="%{x} shut in: %{y:,.2f} Mt<extra></extra>")
    )
    fig.add_trace(
        go.Scatter(x=years, y=by_year.supply_mt, name="export supply", mode="lines+markers", line=dict(color=cd.SUPPLY_COLOUR, dash="dot"),
                   hovertemplate="%{x} export supply: %{y:,.2f} Mt<extra></extra>")
    )
    total_kbd = kbd.sum(axis=1)
    fig.add_trace(go.Scatter(x=years, y=(vol.sum(axis=1) + by_year.shut_in_mt.reindex(vol.index).fillna(0)).to_numpy(), mode="text", showlegend=False,
                             text=[f"{v:,.1f} Mt<br>{k:,.0f} kb/d" for v, k in zip(vol.sum(axis=1), total_kbd)], textposition="top center", hoverinfo="skip"))
    layout(fig, barmode="stack", yaxis_title="Mt per year", xaxis_title="year")
    fig.update_layout(legend_traceorder="normal")
    return Chart("volume-by-route", "Exports by route and year", fig, "Stacked volume by route (hover: Mt and kb/d), the year's total exports above each bar in Mt and kb/d; the dotted line is export supply, so a gap filled red is crude shut in.")


def capacity_chart(data: RunData) -> Chart:
    """One panel per route: volume by year (bars) against the route's capacity after disruptions (line)."""
    vol, cap, _ = cd.annual_pivots(data)
    colours = cd.route_colours(data)
    routes = list(vol.columns)
    ncols = min(4, len(routes))
    nrows = int(np.ceil(len(routes) / ncols))
    fig = make_subplots(rows=nrows, cols=ncols, subplot_titles=[data.route_label(r) for r in routes], shared_xaxes=True,
                        vertical_spacing=0.16 if nrows > 1 else 0.1, horizontal_spacing=0.06)
    years = [str(y) for y in vol.index]
    for k, route in enumerate(routes):
        row, col = k // ncols + 1, k % ncols + 1
        fig.add_trace(go.Bar(x=years, y=vol[route], marker_color=colours[route], name=data.route_label(route), showlegend=False,
                             hovertemplate="%{x}: %{y:,.2f} Mt<extra>" + data.route_label(route) + "</extra>"), row=row, col=col)
        fig.add_trace(go.Scatter(x=years, y=cap[route], mode="lines+markers", line=dict(color="#333", dash="dash", width=1.5),
                                 marker=dict(size=5), name="capacity", showlegend=(k == 0),
                                 hovertemplate="%{x} capacity: %{y:,.2f} Mt<extra>" + data.route_label(route) + "</extra>"), row=row, col=col)
    layout(fig, height=260 * nrows + 60)
    fig.update_yaxes(title_text="Mt", col=1)
    return Chart("route-capacity", "Each route against its capacity", fig,
                 "Bars: volume per year; dashed line: the route's capacity for Kazakh crude after third-party flows and disruption events. Routes that share an asset (the Caspian tankers) cannot all be full at once.")


def monthly_chart(data: RunData) -> Chart:
    """Monthly volume by route with shut-in and supply, disruption windows shaded."""
    vol, bal = cd.monthly_pivot(data)
    colours = cd.route_colours(data)
    fig = go.Figure()
    for route in vol.columns:
        fig.add_trace(go.Bar(x=vol.index, y=vol[route], name=data.route_label(route), marker_color=colours[route],
                             xperiod="M1", xperiodalignment="middle",
                             hovertemplate="%{x|%b %Y} " + data.route_label(route) + ": %{y:,.0f} kt<extra></extra>"))
    fig.add_trace(go.Bar(x=bal.index, y=bal.shut_in_kt, name="shut in", marker_color=cd.SHUT_IN_COLOUR, marker_pattern_shape="/",
                         xperiod="M1", xperiodalignment="middle", hovertemplate="%{x|%b %Y} shut in: %{y:,.0f} kt<extra></extra>"))
    fig.add_trace(go.Scatter(x=bal.index, y=bal.supply_kt, name="export supply", mode="lines", line=dict(color=cd.SUPPLY_COLOUR, dash="dot", shape="hvh"),
                             xperiod="M1", xperiodalignment="middle", hovertemplate="%{x|%b %Y} export supply: %{y:,.0f} kt<extra></extra>"))
    ev = cd.event_windows(data)
    for k, e in enumerate(ev.itertuples()):
        fig.add_vrect(x0=e.start, x1=e.end, fillcolor="#D55E00", opacity=0.16, line=dict(color="#A04000", width=1, dash="dash"), layer="above")
        if e.recovered > e.end:
            fig.add_vrect(x0=e.end, x1=e.recovered, fillcolor="#D55E00", opacity=0.08, line_width=0, layer="above")
        fig.add_annotation(x=e.start, y=1.0 - 0.06 * (k % 4), yref="paper", text=e.label, showarrow=False, xanchor="left",
                           font=dict(size=10, color="#A04000"), bgcolor="rgba(255,255,255,0.7)")
    layout(fig, height=480, barmode="stack", yaxis_title="kt per month", bargap=0.1)
    fig.update_layout(legend_traceorder="normal")
    fc = data.focus
    span = cd.focus_range(data)
    if span is not None:  # open on the disrupted year; a button shows the whole horizon
        whole = [vol.index[0] - pd.Timedelta(days=16), vol.index[-1] + pd.Timedelta(days=16)]
        fig.update_xaxes(range=span)
        fig.update_layout(updatemenus=[dict(type="buttons", direction="right", x=0, y=1.16, xanchor="left", showactive=True, active=0, buttons=[
            dict(label=f"{fc.year}", method="relayout", args=[{"xaxis.range": span}]),
            dict(label="whole horizon", method="relayout", args=[{"xaxis.range": whole}]),
        ])])
    caption = "Stacked monthly volume by route, shut-in in red, export supply dotted."
    if span is not None:
        caption += f" It opens on {fc.year}, the year of the disruption; the buttons switch to the whole horizon."
    caption += f" Shaded: the {len(ev)} disruption event{'s' if len(ev) != 1 else ''} of the scenario (lighter: recovery ramp)." if len(ev) else " The scenario has no disruption events."
    return Chart("monthly", "Month by month, with disruptions", fig, caption)


def _heatmap(piv: pd.DataFrame, *, zmin=None, zmax=None, colorscale="Blues", fmt=".0%", colorbar_title="") -> go.Heatmap:
    z = piv.to_numpy(dtype=float)
    return go.Heatmap(
        z=z,
        x=[str(c) for c in piv.columns],
        y=[str(i) for i in piv.index],
        zmin=zmin,
        zmax=zmax,
        colorscale=colorscale,
        hoverongaps=False,
        colorbar=dict(title=dict(text=colorbar_title), tickformat=fmt),
        hovertemplate=f"%{{y}}, %{{x}}: %{{z:{fmt}}}<extra></extra>",
        xgap=1,
        ygap=1,
    )


def utilisation_chart(data: RunData) -> Chart:
    """Utilisation heat maps: route × month (top) and asset × month (bottom)."""
    routes = cd.utilisation_pivot(data, "route")
    assets = cd.utilisation_pivot(data, "asset")
    fig = make_subplots(rows=2, cols=1, subplot_titles=["routes", "assets"], vertical_spacing=0.12,
                        row_heights=[len(routes), len(assets)])
    fig.add_trace(_heatmap(routes, zmin=0, zmax=1, colorbar_title="utilisation"), row=1, col=1)
    t = _heatmap(assets, zmin=0, zmax=1)
    t.showscale = False
    fig.add_trace(t, row=2, col=1)
    fig.update_yaxes(autorange="reversed")
    layout(fig, height=max(420, 26 * (len(routes) + len(assets)) + 160))
    fig.update_layout(margin=dict(l=200, r=30, t=40, b=50))
    return Chart("utilisation", "Utilisation by route and asset, month by month", fig,
                 "Share of each route's (top) and asset's (bottom) capacity for Kazakh crude in use; dark = full. Grey gaps: no capacity that month.")


def shadow_chart(data: RunData) -> Chart:
    """The binding bottlenecks named, by mean shadow price, with a monthly view of capacity shadow prices."""
    b = cd.bottlenecks(data)
    monthly = cd.shadow_monthly(data)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.45, 0.55], horizontal_spacing=0.28 if len(b) else 0.1,
                        subplot_titles=["binding constraints: mean $/t", "monthly shadow prices, $/t"])
    if len(b):
        b = b.iloc[::-1]
        fig.add_trace(
            go.Bar(x=b.mean_usd_per_t, y=b.label, orientation="h", marker_color=np.where(b.mean_usd_per_t >= 0, "#0072B2", "#D55E00"),
                   customdata=np.c_[b.periods_binding, b["first"], b["last"]], showlegend=False,
                   text=[f"{v:,.1f}" for v in b.mean_usd_per_t], textposition="auto",
                   hovertemplate="%{y}: %{x:,.2f} $/t over %{customdata[0]} period(s), %{customdata[1]}..%{customdata[2]}<extra></extra>"),
            row=1, col=1,
        )
    else:
        fig.add_annotation(text="no binding constraints", showarrow=False, xref="x domain", yref="y domain", x=0.5, y=0.5)
    for k, col in enumerate(monthly.columns):
        fig.add_trace(go.Scatter(x=monthly.index, y=monthly[col], name=col, mode="lines", line=dict(shape="hvh", color=cd.PALETTE[k % len(cd.PALETTE)]),
                                 hovertemplate="%{x|%b %Y} " + col + ": %{y:,.2f} $/t<extra></extra>"), row=1, col=2)
    if monthly.empty:
        fig.add_annotation(text="no monthly capacity binds", showarrow=False, xref="x2 domain", yref="y2 domain", x=0.5, y=0.5)
    layout(fig, height=max(420, 24 * len(b) + 140))
    fig.update_layout(legend=dict(orientation="v", x=1.02, y=1, yanchor="top"), margin=dict(l=230, r=30, t=50, b=50))
    return Chart("shadow-prices", "Bottlenecks: what one more tonne of capacity is worth", fig,
                 "Mean dual value of each binding constraint over the periods it binds (negative: a minimum commitment costs that much per tonne). Annual limits carry a year, capacities a month.")


def all_charts(data: RunData) -> list[Chart]:
    from .map import map_chart

    charts = [
        map_chart(data),
        sankey_chart(data),
        volume_chart(data),
        capacity_chart(data),
        monthly_chart(data),
        utilisation_chart(data),
        shadow_chart(data),
        *power_charts(data),
    ]
    return [c for c in charts if c is not None]
