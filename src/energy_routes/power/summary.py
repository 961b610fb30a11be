"""The power block's lines in the terminal summary of a run (each fits 80 columns)."""

from __future__ import annotations

import pandas as pd


def summary_lines(tables: dict[str, pd.DataFrame], runs: list[dict]) -> list[str]:
    """One line per (power year, weather year), then one per link in service, its use by country and the sizing study."""
    out = []
    pa, pl, al, sz = (tables[k] for k in ("power_annual", "power_links", "power_allocation", "power_sizing"))
    for r in runs:
        y, w = r["year"], r["weather_year"]
        head = f"power {y} (weather year {w})"
        if r["status"] != "Optimal":
            out.append(f"{head}: {r['status']}; nothing exported")
            continue
        a = pa[(pa.year == y) & (pa.weather_year == w)]
        avail = a.available_gwh.sum()
        curt = a.curtailed_gwh.sum()
        share = f" ({curt / avail:.0%})" if avail > 0 else ""
        out.append(
            f"{head}: {r['mode']}, value {r['objective_musd']:,.1f} M$; generation {a.generation_gwh.sum():,.0f} GWh, "
            f"offtake {a.offtake_gwh.sum():,.0f}, curtailed {curt:,.0f}{share}"
        )
        for ln in pl[(pl.year == y) & (pl.weather_year == w) & (pl.kind != "busbar")].itertuples():
            out.append(f"  {ln.link}: {ln.capacity_mw:,.0f} MW, sent {ln.sent_gwh:,.0f} GWh ({ln.utilisation:.0%}), rent {ln.congestion_rent_musd:,.1f} M$")
            use = al[(al.year == y) & (al.weather_year == w) & (al.link == ln.link)]
            if len(use):
                out.append("    used by " + ", ".join(f"{u.country} {u.share_of_flow:.0%}" for u in use.itertuples()))
        s = sz[(sz.year == y) & (sz.weather_year == w)]
        if len(s):
            best = s.loc[s.net_musd.idxmax()]
            out.append(f"  sizing {best.link}: best net {best.net_musd:,.1f} M$/yr at {best.capacity_mw:,.0f} MW (power_sizing.csv)")
    return out
