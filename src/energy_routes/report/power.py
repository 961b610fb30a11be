"""The power section of the run report: chart data, plotly charts, the PNG and the workbook sheets.

Reads the run's power tables (``power_hourly``, ``power_annual``,
``power_links``, ``power_allocation``, ``power_assets``, ``power_sizing``):
a flow duration curve of each link, generation split by month, the dispatch
of a typical week, and the shared cable's use by country hour by hour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import chartdata as cd
from .figures import Chart, empty, layout
from .rundata import RunData

WEEK = 168


def _first_year(h: pd.DataFrame) -> pd.DataFrame:
    """The rows of the first (power year, weather year) of an hourly table."""
    if h.empty:
        return h
    y, w = h[["year", "weather_year"]].drop_duplicates().sort_values(["year", "weather_year"]).iloc[0]
    return h[(h.year == y) & (h.weather_year == w)]


def duration_curves(data: RunData) -> pd.DataFrame:
    """year, weather_year, link, rank (1 = busiest hour), sent_mw, capacity_mw: each link's hourly flow sorted high to low (busbar feeders left out)."""
    h = data.tables["power_hourly"]
    links = data.tables["power_links"]
    real = set(links.loc[links.kind != "busbar", "link"])
    h = h[(h.kind == "link") & h.id.isin(real)]
    out = []
    for (y, w, link), grp in h.groupby(["year", "weather_year", "id"], sort=True):
        flow = np.sort(grp.sent_mwh.clip(lower=0).to_numpy())[::-1]
        out.append(pd.DataFrame({"year": y, "weather_year": w, "link": link, "rank": np.arange(1, len(flow) + 1), "sent_mw": flow, "capacity_mw": grp.capacity_mw.max()}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["year", "weather_year", "link", "rank", "sent_mw", "capacity_mw"])


def power_by_month(data: RunData) -> pd.DataFrame:
    """year, weather_year, month, generation_gwh, offtake_gwh, losses_gwh, curtailed_gwh (all nodes)."""
    h = data.tables["power_hourly"]
    h = h[h.kind == "node"]
    cols = ["year", "weather_year", "month", "generation_gwh", "offtake_gwh", "losses_gwh", "curtailed_gwh"]
    if h.empty:
        return pd.DataFrame(columns=cols)
    h = h.assign(month=cd.month_of_hour(h.hour.to_numpy()), losses=h.sent_mwh - h.received_mwh + h.charge_mwh - h.discharge_mwh)
    g = h.groupby(["year", "weather_year", "month"])[["generation_mwh", "offtake_mwh", "losses", "curtailed_mwh"]].sum() / 1000.0
    g.columns = cols[3:]
    return g.reset_index()[cols]


def typical_week(data: RunData) -> pd.DataFrame:
    """The hours of the week whose generation is the median of the 52 weeks (first power and weather year):
    hour, node, generation, curtailed, offtake, charge, discharge (MWh)."""
    h = _first_year(data.tables["power_hourly"])
    h = h[h.kind == "node"]
    if h.empty:
        return pd.DataFrame(columns=["hour", "node", "generation_mwh", "curtailed_mwh", "offtake_mwh", "charge_mwh", "discharge_mwh"])
    total = h.groupby("hour").generation_mwh.sum()
    weeks = total.groupby(total.index // WEEK).sum().iloc[:52]
    week = int((weeks - weeks.median()).abs().idxmin())
    sel = h[(h.hour >= week * WEEK) & (h.hour < (week + 1) * WEEK)]
    return sel[["hour", "id", "generation_mwh", "curtailed_mwh", "offtake_mwh", "charge_mwh", "discharge_mwh"]].rename(columns={"id": "node"}).reset_index(drop=True)


def allocation_by_day(data: RunData) -> pd.DataFrame:
    """link, country, day, sent_mwh: each country's daily use of a shared link (first power and weather year), and the link's capacity."""
    h = _first_year(data.tables["power_hourly"])
    use = h[h.kind == "link_use"]
    if use.empty:
        return pd.DataFrame(columns=["link", "country", "day", "sent_mwh", "capacity_mwh"])
    cap = h[(h.kind == "link") & h.id.isin(set(use.id))].assign(day=lambda d: d.hour // 24).groupby(["id", "day"]).capacity_mw.sum()
    g = use.assign(day=use.hour // 24).groupby(["id", "country", "day"]).sent_mwh.sum().reset_index().rename(columns={"id": "link"})
    g["capacity_mwh"] = [cap.get((lk, d), np.nan) for lk, d in zip(g.link, g.day)]
    return g


def power_kpis(data: RunData) -> list[tuple[str, str]]:
    """Headline figures for the report's top: delivered energy and its value, per power year on average."""
    pa = data.tables["power_annual"]
    if pa.empty or pa.generation_gwh.sum() <= 0:
        return []
    n = len(pa[["year", "weather_year"]].drop_duplicates())
    runs = (data.manifest.get("solver") or {}).get("power") or []
    value = sum(r.get("objective_musd") or 0.0 for r in runs)
    per = " per power year" if n > 1 else ""
    return [(f"power delivered, GWh{per}", f"{pa.offtake_gwh.sum() / n:,.0f}"), (f"power value, M${per}", f"{value / n:,.0f}")]


# ------------------------------------------------------------------ charts


def power_charts(data: RunData) -> list:
    """The power section's plotly charts."""
    return [_duration(data), _months(data), _week(data), _allocation(data)]


def _duration(data):
    curves = duration_curves(data)
    fig = go.Figure()
    if curves.empty or curves.sent_mw.max() <= 0:
        empty(fig, "no power sent over a link in this run")
    else:
        for k, ((y, w, link), grp) in enumerate(curves.groupby(["year", "weather_year", "link"])):
            color = cd.PALETTE[k % 8]
            fig.add_trace(go.Scatter(x=grp["rank"], y=grp.sent_mw, mode="lines", name=f"{link} {y} (w{w})", line=dict(color=color),
                                     hovertemplate="%{y:,.0f} MW or more in %{x:,} hours<extra></extra>"))
            fig.add_trace(go.Scatter(x=[1, len(grp)], y=[grp.capacity_mw.iloc[0]] * 2, mode="lines", name=f"{link} capacity", line=dict(color=color, dash="dash"),
                                     hoverinfo="skip", showlegend=False))
        fig.update_xaxes(title_text="hours of the year, busiest first")
        fig.update_yaxes(title_text="MW", rangemode="tozero")
    layout(fig, height=400)
    return Chart("power-duration", "Power links: flow duration curves", fig,
                 "Hourly power sent into each cable and line, sorted from the busiest hour; dashed: its capacity.")


def _months(data):
    pm = power_by_month(data)
    fig = go.Figure()
    if pm.empty or pm.generation_gwh.sum() <= 0:
        empty(fig, "no power generated in this run")
    else:
        x = [f"{cd.month_label(y, m)} w{w}" if pm.weather_year.nunique() > 1 else cd.month_label(y, m) for y, w, m in zip(pm.year, pm.weather_year, pm.month)]
        for col, name, color in (("offtake_gwh", "sold", "#0072B2"), ("losses_gwh", "lost in links and batteries", "#999999"), ("curtailed_gwh", "curtailed", "#E69F00")):
            fig.add_trace(go.Bar(x=x, y=pm[col], name=name, marker_color=color, hovertemplate="%{x}: %{y:,.1f} GWh " + name + "<extra></extra>"))
        fig.update_yaxes(title_text="GWh")
    layout(fig, height=360, barmode="stack")
    return Chart("power-curtailment", "Power sold, lost and curtailed by month", fig,
                 "What the wind and solar plants could have produced, split into energy sold at a node, lost on the way and curtailed.")


def _week(data):
    wk = typical_week(data)
    fig = go.Figure()
    if wk.empty or wk.generation_mwh.sum() <= 0:
        empty(fig, "no power generated in this run")
    else:
        k = 0
        for node, grp in wk.groupby("node", sort=False):
            if grp.generation_mwh.sum() > 0:
                fig.add_trace(go.Scatter(x=grp.hour, y=grp.generation_mwh, name=f"generation {node}", stackgroup="gen", line=dict(width=0.5, color=cd.PALETTE[k % 8]),
                                         hovertemplate="hour %{x}: %{y:,.0f} MW<extra></extra>"))
                k += 1
        sold = wk.groupby("hour")[["offtake_mwh", "curtailed_mwh", "charge_mwh", "discharge_mwh"]].sum()
        fig.add_trace(go.Scatter(x=sold.index, y=sold.offtake_mwh, name="sold (all nodes)", line=dict(color="#000", width=2)))
        fig.add_trace(go.Scatter(x=sold.index, y=sold.curtailed_mwh, name="curtailed", line=dict(color="#E69F00", dash="dot")))
        if (sold.charge_mwh + sold.discharge_mwh).sum() > 0:
            fig.add_trace(go.Bar(x=sold.index, y=sold.discharge_mwh - sold.charge_mwh, name="battery (+ out, − in)", marker_color="#009E73", opacity=0.6))
        fig.update_xaxes(title_text="hour of the year")
        fig.update_yaxes(title_text="MW")
    layout(fig, height=420)
    return Chart("power-week", "Dispatch of a typical week", fig,
                 "The week whose generation is the median of the year (first power year and weather year): generation by node, energy sold, curtailment and the batteries.")


def _allocation(data):
    al = allocation_by_day(data)
    fig = go.Figure()
    if al.empty:
        empty(fig, "no shared link in this run")
    else:
        for k, ((link, country), grp) in enumerate(al.groupby(["link", "country"])):
            fig.add_trace(go.Scatter(x=grp.day + 1, y=grp.sent_mwh / 24, name=f"{link}: {country}", stackgroup=link, line=dict(width=0.5, color=cd.PALETTE[k % 8]),
                                     hovertemplate="day %{x}: %{y:,.0f} MW on average<extra></extra>"))
        for link, grp in al.groupby("link"):
            cap = grp.groupby("day").capacity_mwh.first()
            fig.add_trace(go.Scatter(x=cap.index + 1, y=cap / 24, name=f"{link} capacity", line=dict(color="#333", dash="dash"), hoverinfo="skip"))
        fig.update_xaxes(title_text="day of the year")
        fig.update_yaxes(title_text="MW (daily mean)", rangemode="tozero")
    layout(fig, height=380)
    return Chart("power-allocation", "Who uses the cable: its flow by country of origin", fig,
                 "Daily mean power each country sends into a shared cable (hour by hour in power_hourly.csv, rows of kind link_use); dashed: the cable's capacity after outages.")


# ------------------------------------------------------------------ PNG and sheets


def power_png(data: RunData, path, fig_factory, style, save):
    """chart-power.png: the duration curves and the monthly split (``fig_factory``, ``style``, ``save``: png.py's helpers)."""
    curves, pm = duration_curves(data), power_by_month(data)
    if curves.empty or pm.generation_gwh.sum() <= 0:
        return None
    fig = fig_factory((12, 4.5))
    ax1, ax2 = fig.subplots(1, 2)
    for k, ((y, w, link), grp) in enumerate(curves.groupby(["year", "weather_year", "link"])):
        ax1.plot(grp["rank"], grp.sent_mw, color=cd.PALETTE[k % 8], label=f"{link} {y}")
        ax1.axhline(grp.capacity_mw.iloc[0], color=cd.PALETTE[k % 8], linestyle="--", linewidth=1)
    ax1.set_xlabel("hours of the year, busiest first")
    style(ax1, "Power links: flow duration curves", "MW")
    ax1.legend(frameon=False, fontsize=8)
    x = np.arange(len(pm))
    bottom = np.zeros(len(pm))
    for col, name, color in (("offtake_gwh", "sold", "#0072B2"), ("losses_gwh", "lost", "#999999"), ("curtailed_gwh", "curtailed", "#E69F00")):
        ax2.bar(x, pm[col], bottom=bottom, color=color, label=name)
        bottom += pm[col].to_numpy()
    ax2.set_xticks(x, [cd.month_label(y, m) for y, m in zip(pm.year, pm.month)], rotation=90, fontsize=7)
    style(ax2, "Power sold, lost and curtailed by month", "GWh")
    ax2.legend(frameon=False, fontsize=8)
    return save(fig, path, f"energy_routes run {data.shown.name}")


def power_sheets(data: RunData, Sheet) -> list:
    """The workbook's power sheets (those with rows; ``power_annual`` always)."""
    t = data.tables
    sheets = [Sheet("Power summary", "Power by node, power year and weather year: generation, offtake, curtailment, losses, value", t["power_annual"], "power_annual.csv")]
    for name, title, table in (
        ("Power links", "Each link's flow, utilisation, congestion and cap rent, annual cost and levelised cost of transmission", "power_links"),
        ("Cable allocation", "Each country's use of a shared cable", "power_allocation"),
        ("Power assets", "Value and annualised cost of each plant, link and battery", "power_assets"),
        ("Power sizing", "The cable re-solved at each capacity: value, cost and what each extra GW earns", "power_sizing"),
    ):
        if table in t and len(t[table]):
            sheets.append(Sheet(name, title, t[table], f"{table}.csv"))
    return sheets


def power_setting_text(power: dict) -> str:
    """The scenario's power settings in one line, for the Scenario sheet."""
    years = power.get("years") or "last year of the horizon"
    weather = power.get("weather_years") or [1]
    parts = [f"{'on' if power.get('enabled') else 'off'}", f"years: {years}", f"weather years: {weather}", f"mode: {power.get('mode', 'dispatch')}"]
    if power.get("transit_only"):
        parts.append(f"transit only: {', '.join(power['transit_only'])}")
    for sh in power.get("shares") or []:
        parts.append(f"{sh['country']} ≤ {sh['max_share']:.0%} of {sh['link']}")
    if power.get("sizing"):
        parts.append(f"sizing {power['sizing']['link']}")
    return "; ".join(parts)
