"""Explain an infeasible oil model by elastic relaxation.

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

import pyomo.environ as pyo

from .model import build_oil_model
from .params import OilParams
from .solve import CompiledLP

FAMILIES = ("supply_balance", "asset_capacity", "route_capacity", "route_limit", "route_share", "source_route_limit")


def diagnose_infeasible(p: OilParams) -> dict:
    """Return ``{"shortfalls": [...], "conflicting_constraints": [...]}`` (volumes in kt)."""
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
    if not lines and "note" in diagnosis:
        lines.append(diagnosis["note"])
    return lines
