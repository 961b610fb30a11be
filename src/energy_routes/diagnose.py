"""Explain an infeasible oil model: HiGHS's irreducible infeasible subset and an elastic relaxation.

Two views of the same conflict, both written to ``diagnosis.json``:

``iis``
    The irreducible infeasible subset (IIS) that HiGHS computes
    (``Highs.getIis`` with ``iis_strategy = 4``, the irreducible deletion
    filter): a set of rows that cannot hold together, minimal in that dropping
    any one of them makes the rest feasible. Rows are mapped back to their
    Pyomo constraint names through :class:`~energy_routes.solve.CompiledLP`'s
    row order. HiGHS documents its IIS facility as still under development, so
    it runs under a time limit and the elastic view below never depends on it.

``shortfalls`` and ``conflicting_constraints`` (elastic relaxation)
    The only hard lower bounds in the oil block are the route commitments
(``route_limit`` minimums); everything else can be met by shutting crude in.
So when the model is infeasible we drop the minimums, add a shortfall
variable to each, and minimise total shortfall. The commitments left short
are the infeasible ones, and the constraints with non-zero duals in that
relaxed problem are what stands in their way (capacity after disruptions,
supply, caps and shares): together they form the conflict.
"""

from __future__ import annotations

import dataclasses

import highspy
import pyomo.environ as pyo

from .model import build_oil_model
from .params import OilParams
from .solve import CompiledLP

#: HiGHS iis_strategy 4: the irreducible deletion filter (strategies 2/3 return a subset that can be reducible)
IIS_STRATEGY = 4
IIS_TIME_LIMIT_S = 30.0
_BOUND = {2: "lower", 3: "upper", 4: "both"}  # HiGHS IisBoundStatus: 2 lower, 3 upper, 4 boxed

FAMILIES = ("supply_balance", "asset_capacity", "route_capacity", "route_limit", "route_share", "source_route_limit")


def irreducible_subset(p: OilParams) -> dict:
    """The rows of HiGHS's irreducible infeasible subset of the oil LP, by constraint name.

    Returns ``{"method": ..., "rows": [{"constraint", "index", "bound", "value_kt"}, ...],
    "flow_bounds": n}`` or, when HiGHS gives no valid subset, ``{"method": ..., "note": why}``.
    """
    method = f"HiGHS getIis, irreducible deletion filter, iis_strategy={IIS_STRATEGY}"
    lp = CompiledLP(build_oil_model(p))
    h = lp.highs
    h.setOptionValue("iis_strategy", IIS_STRATEGY)
    h.setOptionValue("iis_time_limit", IIS_TIME_LIMIT_S)
    sol = lp.solve()
    if "nfeasible" not in sol.status:
        return {"method": method, "note": f"the model is {sol.status}, not infeasible"}
    status, iis = h.getIis()
    if status != highspy.HighsStatus.kOk or not iis.valid_ or not len(iis.row_index_):
        return {"method": method, "note": "HiGHS returned no valid subset"}
    avail = {}
    if not p.availability.empty:
        avail = {(r.target, r.period): float(r.remaining) for r in p.availability.itertuples() if float(r.remaining) < 1}
    rows = []
    for i, code in zip(iis.row_index_, iis.row_bound_):
        con = lp.constraints[int(i)]
        idx = con.index()
        bound = _BOUND.get(int(code), "both")
        value = lp.row_lower[i] if bound == "lower" else lp.row_upper[i]
        index = [str(v) for v in (idx if isinstance(idx, tuple) else (idx,))]
        row = {"constraint": con.parent_component().name, "index": index, "bound": bound, "value_kt": round(float(value), 3)}
        if bound == "both":
            row["lower_kt"], row["upper_kt"] = round(float(lp.row_lower[i]), 3), round(float(lp.row_upper[i]), 3)
        if len(index) == 2 and (index[0], index[1]) in avail:  # capacity or supply cut by disruption events
            row["remaining_after_events"] = round(avail[(index[0], index[1])], 4)
        rows.append(row)
    flows_at_bound = sum(1 for code in iis.col_bound_ if int(code) in _BOUND)
    return {"method": method, "rows": rows, "flow_bounds": flows_at_bound}


def diagnose_infeasible(p: OilParams) -> dict:
    """Return ``{"shortfalls": [...], "conflicting_constraints": [...], "iis": {...}}`` (volumes in kt)."""
    out = _elastic(p)
    out["iis"] = irreducible_subset(p)
    return out


def _elastic(p: OilParams) -> dict:
    """Elastic relaxation of the commitments: which fall short, by how much, and what holds them back."""
    wanted = {k: v for k, v in p.limit_lo.items() if v > 0}
    relaxed = dataclasses.replace(p, limit_lo={k: 0.0 for k in p.limit_lo})
    m = build_oil_model(relaxed)
    m.netback.deactivate()
    m.W = pyo.Set(initialize=list(wanted), dimen=2)
    m.short = pyo.Var(m.W, domain=pyo.NonNegativeReals)

    def meet(m, r, y):
        vol = sum(m.x[s, r2, t] for (s, r2, t) in m.KT if r2 == r and p.year_of[t] == y)
        return vol + m.short[r, y] >= wanted[(r, y)]

    m.commitment = pyo.Constraint(m.W, rule=meet)
    m.shortfall = pyo.Objective(expr=sum(m.short[k] for k in m.W), sense=pyo.minimize)
    lp = CompiledLP(m)
    sol = lp.solve()
    if not sol.optimal:
        return {"note": f"the relaxed model is {sol.status}; no diagnosis"}
    short = lp.values("short")
    shortfalls = [
        {
            "constraint": "route_limit",
            "route": r,
            "year": int(y),
            "required_kt": round(wanted[(r, y)], 3),
            "achievable_kt": round(wanted[(r, y)] - float(short[(r, y)]), 3),
            "shortfall_kt": round(float(short[(r, y)]), 3),
        }
        for (r, y) in wanted
        if float(short[(r, y)]) > 1e-6
    ]
    conflicts = []
    for fam in FAMILIES + ("commitment",):
        duals = lp.duals(fam)
        rhs = lp.row_activity(fam)
        for idx, d in duals.items():
            if abs(float(d)) > 1e-9:
                conflicts.append(
                    {
                        "constraint": fam,
                        "index": [str(i) for i in (idx if isinstance(idx, tuple) else (idx,))],
                        "value_kt": round(float(rhs[idx]), 3),
                        "dual": float(d),
                    }
                )
    return {"shortfalls": shortfalls, "conflicting_constraints": conflicts}


def unreachable_commitments(p: OilParams) -> dict:
    """Commitments on routes that no source reaches (no flow variable at all): infeasible
    before any solve. Returns a diagnosis in the same shape as :func:`diagnose_infeasible`."""
    served = {r for (_, r) in p.pairs}
    bad = [(r, y, lo) for (r, y), lo in p.limit_lo.items() if lo > 0 and r not in served]
    if not bad:
        return {}
    return {
        "shortfalls": [
            {"constraint": "route_limit", "route": r, "year": int(y), "required_kt": round(lo, 3), "achievable_kt": 0.0, "shortfall_kt": round(lo, 3)}
            for r, y, lo in bad
        ],
        "conflicting_constraints": [
            {"constraint": "commitment", "index": [r, str(y)], "value_kt": round(lo, 3), "dual": 1.0} for r, y, lo in bad
        ]
        + [{"constraint": "source_routes", "index": [r, "no source reaches it"], "value_kt": 0.0, "dual": 1.0} for r, _, _ in bad],
    }


def describe(diagnosis: dict, limit: int = 12) -> list[str]:
    """Human-readable lines for the terminal: the commitments in conflict and what holds them back,
    rows of one constraint family and asset grouped over their periods."""
    lines = []
    short = diagnosis.get("shortfalls", [])
    conf = diagnosis.get("conflicting_constraints", [])
    involved = [c for c in conf if c["constraint"] == "commitment"]
    if involved:
        parts = [f"route_limit[{c['index'][0]}, {c['index'][1]}] >= {c['value_kt'] / 1000:.3f} Mt" for c in involved]
        lines.append("these commitments cannot all be met: " + "; ".join(parts))
    total_short = sum(s["shortfall_kt"] for s in short)
    if short:
        lines.append(f"together they are short by {total_short / 1000:.3f} Mt")
    groups: dict[tuple[str, str], list[dict]] = {}
    for c in conf:
        if c["constraint"] == "commitment":
            continue
        key = (c["constraint"], ", ".join(c["index"][:-1]) or c["index"][-1])
        groups.setdefault(key, []).append(c)
    if groups:
        lines.append("held back by:")
        for (fam, what), rows in list(groups.items())[:limit]:
            periods = sorted(r["index"][-1] for r in rows)
            total = sum(r["value_kt"] for r in rows)
            head = f"{fam}[{what}, {periods[0]}]" if len(rows[0]["index"]) > 1 else f"{fam}[{periods[0]}]"
            if len(periods) > 1:
                head += f" to [{what}, {periods[-1]}] ({len(periods)} rows)"
            lines.append(f"  {head}: {total / 1000:.3f} Mt")
        if len(groups) > limit:
            lines.append(f"  ... and {len(groups) - limit} more (see diagnosis.json)")
    lines += _describe_iis(diagnosis.get("iis") or {}, limit)
    if not lines and "note" in diagnosis:
        lines.append(diagnosis["note"])
    return lines


def _describe_iis(iis: dict, limit: int) -> list[str]:
    """The irreducible subset as lines: rows of one family and asset or route grouped over their periods."""
    rows = iis.get("rows")
    if not rows:
        return []
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for r in rows:
        key = (r["constraint"], ", ".join(r["index"][:-1]), r["bound"])
        groups.setdefault(key, []).append(r)
    lines = [f"irreducible infeasible subset ({iis['method']}), {len(rows)} rows that cannot all hold:"]
    for (fam, what, bound), grp in list(groups.items())[:limit]:
        periods = sorted(r["index"][-1] for r in grp)
        sign = {"lower": ">=", "upper": "<="}.get(bound, "=")
        total = sum(r["value_kt"] for r in grp) / 1000
        if len(grp) == 1:
            head = f"{fam}[{', '.join(grp[0]['index'])}]"
        else:
            head = f"{fam}[{what}, {periods[0]}..{periods[-1]}] ({len(grp)} rows, summed)"
        if bound == "both" and len(grp) == 1 and grp[0].get("lower_kt", 0) > grp[0].get("upper_kt", 0):
            r = grp[0]
            lines.append(f"  {r['lower_kt'] / 1000:.3f} Mt <= {head} <= {r['upper_kt'] / 1000:.3f} Mt: its own bounds contradict")
            continue
        cut = [f"{r['index'][-1]} at {r['remaining_after_events']:.0%}" for r in grp if "remaining_after_events" in r]
        note = f", cut by events: {', '.join(cut)}" if cut else ""
        lines.append(f"  {head} {sign} {total:.3f} Mt{note}")
    if len(groups) > limit:
        lines.append(f"  ... and {len(groups) - limit} more (see diagnosis.json)")
    return lines
