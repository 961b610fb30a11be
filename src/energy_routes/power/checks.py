"""Checks of the power tables and the power settings that span rows or tables.

:func:`table_problems` runs when the inputs are loaded (after each table has
passed its declared schema in :mod:`energy_routes.schema`);
:func:`settings_problems` when a scenario is resolved. Both return located
problems and edit nothing. Kept free of Pyomo so that loading stays light.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ..errors import Problem
from ..schema import POWER_SHAPE_SERIES

HOURS = 8760
#: a shape column is a ratio to its weather year's mean: its mean must be 1 within this
SHAPE_MEAN_TOL = 0.01


def _line(lines: dict[str, pd.Series], table: str, idx) -> int | None:
    s = lines.get(table)
    return int(s[idx]) if s is not None and idx in s.index else None


def _profile_problems(prof: pd.DataFrame, lines: pd.Series) -> list[Problem]:
    out: list[Problem] = []
    years = sorted(int(w) for w in prof["weather_year"].unique())
    if years != list(range(1, len(years) + 1)):
        out.append(Problem("power_profiles.csv", f"weather years are {', '.join(map(str, years))}; expected 1, 2, ... without gaps", line=int(lines.iloc[0]), column="weather_year"))
    for wy, grp in prof.groupby("weather_year", sort=True):
        last = int(lines[grp.index[-1]])
        if len(grp) != HOURS:
            out.append(
                Problem(
                    "power_profiles.csv",
                    f"weather_year {wy} has {len(grp)} data rows, the last on line {last}; expected 8760 (hours 0..8759, one per line)",
                    line=last,
                    column="hour",
                )
            )
            continue
        for col in POWER_SHAPE_SERIES:
            mean = float(grp[col].mean())
            if abs(mean - 1.0) > SHAPE_MEAN_TOL:
                hint = ""
                if mean > 5:
                    hint = f"; it looks like absolute values (e.g. $/MWh or MW): divide by their mean and put the level ({mean:.4g}) in power_offtake.csv"
                out.append(
                    Problem(
                        "power_profiles.csv",
                        f"{col} of weather_year {wy} has mean {mean:.4g}; expected a ratio to the weather year's mean (mean 1 ± {SHAPE_MEAN_TOL}){hint}",
                        line=last,
                        column=col,
                    )
                )
    return out


def table_problems(tables: dict[str, pd.DataFrame], lines: dict[str, pd.Series]) -> list[Problem]:
    """Cross-row checks of the power tables: profile blocks, valuations, link ends, technologies."""
    out: list[Problem] = []
    prof = tables.get("power_profiles")
    if prof is not None and not prof.empty and "weather_year" in prof:
        out += _profile_problems(prof.dropna(subset=["weather_year"]), lines["power_profiles"])
    off = tables.get("power_offtake")
    if off is not None:
        for idx, r in off.iterrows():
            line = _line(lines, "power_offtake", idx)
            v = r.get("value_usd_per_mwh")
            gas = [r.get("gas_netback_usd_per_1000m3"), r.get("gas_m3_per_mwh")]
            has_v, n_gas = not pd.isna(v), sum(not pd.isna(g) for g in gas)
            if has_v and 0 < v < 1:
                out.append(Problem("power_offtake.csv", f"got '{v:g}'; expected $/MWh: {v:g} looks like $/kWh ({v * 1000:g} $/MWh)", line=line, column="value_usd_per_mwh"))
            if n_gas == 1:
                out.append(Problem("power_offtake.csv", "give both gas_netback_usd_per_1000m3 and gas_m3_per_mwh, or neither", line=line, column="gas_m3_per_mwh"))
            if has_v == (n_gas == 2):
                out.append(
                    Problem(
                        "power_offtake.csv",
                        "value the offtake one way: value_usd_per_mwh, or gas_netback_usd_per_1000m3 × gas_m3_per_mwh (+ gas_vom_usd_per_mwh)",
                        line=line,
                        column="value_usd_per_mwh",
                    )
                )
            if not pd.isna(r.get("price_profile")) and not has_v:
                out.append(Problem("power_offtake.csv", "price_profile shapes value_usd_per_mwh, which is empty", line=line, column="price_profile"))
            if not pd.isna(r.get("demand_profile")) and pd.isna(r.get("demand_mw")):
                out.append(Problem("power_offtake.csv", "demand_profile shapes demand_mw, which is empty", line=line, column="demand_profile"))
    links = tables.get("power_links")
    if links is not None:
        for idx in links.index[(links["from_node"] == links["to_node"]).fillna(False)]:
            out.append(Problem("power_links.csv", f"link '{links.at[idx, 'asset']}' starts and ends at node '{links.at[idx, 'from_node']}'", line=_line(lines, "power_links", idx), column="to_node"))
        hvdc = links["kind"].astype(str).str.startswith("hvdc")
        for idx in links.index[(~hvdc & (links["converter_loss"] > 0)).fillna(False)]:
            out.append(Problem("power_links.csv", f"converter_loss {links.at[idx, 'converter_loss']:g} on a {links.at[idx, 'kind']} link; only HVDC links have converters", line=_line(lines, "power_links", idx), column="converter_loss"))
    gens = tables.get("power_generators")
    if gens is not None:
        for idx, r in gens.iterrows():
            if isinstance(r["profile"], str) and isinstance(r["technology"], str) and not r["profile"].endswith("_" + r["technology"]):
                out.append(Problem("power_generators.csv", f"a {r['technology']} plant reads profile '{r['profile']}'; expected a *_{r['technology']} series", line=_line(lines, "power_generators", idx), column="profile"))
    return out


def settings_problems(p, inputs, report: Callable[[str, str], None]) -> None:
    """Check ``power:`` settings against the inputs; ``report(message, setting_path)`` for each problem.

    The hourly profiles are read only when the settings name weather years."""
    if p is None:
        return
    tables = inputs.tables
    for y in p.years:
        if not 2000 <= y <= 2100:
            report(f"power year {y} is not a plausible year", "power.years")
    nodes = set(tables["power_nodes"]["node"])
    countries = set(tables["power_nodes"]["country"])
    links = set(tables["power_links"]["asset"])
    gens = set(tables["power_generators"]["generator"])
    stores = set(tables["power_stores"]["store"])
    weather = sorted(int(w) for w in inputs["power_profiles"]["weather_year"].unique()) if p.weather_years else []
    for w in p.weather_years:
        if w not in weather:
            report(f"weather year {w} is not in power_profiles.csv (it has {', '.join(map(str, weather))})", "power.weather_years")
    for n in p.transit_only:
        if n not in nodes:
            report(f"unknown node '{n}'; power_nodes.csv has {', '.join(sorted(nodes))}", "power.transit_only")
    seen = set()
    for i, sh in enumerate(p.shares):
        if sh.link not in links:
            report(f"unknown link '{sh.link}'; power_links.csv has {', '.join(sorted(links))}", f"power.shares[{i}].link")
        if sh.country not in countries:
            report(f"unknown country '{sh.country}'; power_nodes.csv has {', '.join(sorted(countries))}", f"power.shares[{i}].country")
        if (sh.link, sh.country) in seen:
            report(f"two caps for {sh.country} on {sh.link}; keep one", f"power.shares[{i}]")
        seen.add((sh.link, sh.country))
    for i, ex in enumerate(p.extendable):
        if ex.asset not in links | gens | stores:
            report(f"unknown asset '{ex.asset}'; expected a link, generator or store of the power tables", f"power.extendable[{i}].asset")
        if ex.max_mw is not None and ex.max_mw < ex.min_mw:
            report(f"max_mw {ex.max_mw:g} is below min_mw {ex.min_mw:g}", f"power.extendable[{i}].max_mw")
        if ex.max_mwh is not None and ex.max_mwh < ex.min_mwh:
            report(f"max_mwh {ex.max_mwh:g} is below min_mwh {ex.min_mwh:g}", f"power.extendable[{i}].max_mwh")
    if p.extendable and p.mode != "planning":
        report("extendable assets are only sized in planning mode; set power.mode: planning", "power.mode")
    if p.sizing is not None and p.sizing.link not in links:
        report(f"unknown link '{p.sizing.link}' for the sizing study", "power.sizing.link")

