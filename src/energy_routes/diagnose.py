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

import highspy
import numpy as np

from .model import build_oil_model
from .model.registry import CONS, ModelSpec
from .params import OilParams
from .solve import CompiledLP

#: families that only say "what comes in goes out" (listed in diagnosis.json, summarised in words)
CONSERVATION = ("node_balance", "store_balance")

#: HiGHS iis_strategy 4: the irreducible deletion filter (strategies 2/3 return a subset that can be reducible)
IIS_STRATEGY = 4
IIS_TIME_LIMIT_S = 30.0
_BOUND = {2: "lower", 3: "upper", 4: "both"}  # HiGHS IisBoundStatus: 2 lower, 3 upper, 4 boxed


def _key_of(spec: ModelSpec, lp: CompiledLP, row: int) -> tuple[str, list[str]]:
    """(family, index as strings) of a compiled row, through the registry's keys."""
    family, pos = lp.row_label(row)
    block = spec.cons.get(family)
    key = block.keys[pos] if block is not None else (pos,)
    return family, [str(v) for v in (key if isinstance(key, tuple) else (key,))]


def irreducible_subset(spec: ModelSpec) -> dict:
    """The rows of HiGHS's irreducible infeasible subset of the oil LP, by constraint name.

    Returns ``{"method": ..., "rows": [{"constraint", "index", "bound", "value_kt"}, ...],
    "flow_bounds": n}`` or, when HiGHS gives no valid subset, ``{"method": ..., "note": why}``.
    """
    method = f"HiGHS getIis, irreducible deletion filter, iis_strategy={IIS_STRATEGY}"
    p = spec.params
    lp = CompiledLP(build_oil_model(spec))
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
    if not p.availability_period.empty:
        avail = {(r.target, r.period): float(r.remaining) for r in p.availability_period.itertuples() if float(r.remaining) < 1}
    rows = []
    for i, code in zip(iis.row_index_, iis.row_bound_):
        family, index = _key_of(spec, lp, int(i))
        bound = _BOUND.get(int(code), "both")
        value = lp.row_lower[i] if bound == "lower" else lp.row_upper[i]
        row = {"constraint": family, "index": index, "bound": bound, "value_kt": round(float(value), 3)}
        if bound == "both":
            row["lower_kt"], row["upper_kt"] = round(float(lp.row_lower[i]), 3), round(float(lp.row_upper[i]), 3)
        if len(index) == 2 and (index[0], index[1]) in avail:  # capacity or supply cut by disruption events
            row["remaining_after_events"] = round(avail[(index[0], index[1])], 4)
        rows.append(row)
    flows_at_bound = sum(1 for code in iis.col_bound_ if int(code) in _BOUND)
    return {"method": method, "rows": rows, "flow_bounds": flows_at_bound}


def diagnose_infeasible(spec: ModelSpec) -> dict:
    """Return ``{"shortfalls": [...], "conflicting_constraints": [...], "iis": {...}}`` (volumes in kt)."""
    out = _elastic(spec)
    out["iis"] = irreducible_subset(spec)
    return out


def _elastic(spec: ModelSpec) -> dict:
    """Elastic relaxation of the commitments: which fall short, by how much, and what holds them back.

    Every family the registry marks ``elastic_lower`` (the route commitments) gets a shortfall
    column in each row with a positive lower bound; the other costs are zeroed and the total
    shortfall is minimised. Built on the compiled LP, so no family is written out again.
    """
    lp = CompiledLP(build_oil_model(spec))
    h = lp.highs
    wanted = []  # (family, position, row, required)
    for name, block in spec.cons.items():
        if not CONS[name].elastic_lower:
            continue
        rows = lp.rows_of(name, len(block.keys))
        for pos, (row, lo) in enumerate(zip(rows, block.lower)):
            if row >= 0 and lo > 0:
                wanted.append((name, pos, int(row), float(lo)))
    lp.set_costs(np.arange(lp.num_cols), np.zeros(lp.num_cols))
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    first = lp.num_cols
    for _, _, row, _ in wanted:
        h.addCol(1.0, 0.0, highspy.kHighsInf, 1, np.array([row], dtype=np.int32), np.array([1.0]))
    sol = lp.solve()
    if not sol.optimal:
        return {"note": f"the relaxed model is {sol.status}; no diagnosis"}
    x = lp.primal
    shortfalls = []
    for j, (name, pos, row, lo) in enumerate(wanted):
        short = float(x[first + j])
        if short > 1e-6:
            route, year = spec.cons[name].keys[pos]
            shortfalls.append(
                {"constraint": name, "route": route, "year": int(year), "required_kt": round(lo, 3), "achievable_kt": round(lo - short, 3), "shortfall_kt": round(short, 3)}
            )
    conflicts = []
    for row in np.flatnonzero(np.abs(lp.dual) > 1e-9):
        family, index = _key_of(spec, lp, int(row))
        label = "commitment" if CONS[family].elastic_lower and any(w[2] == row for w in wanted) else family
        conflicts.append({"constraint": label, "index": index, "value_kt": round(float(lp.activity[row]), 3), "dual": float(lp.dual[row])})
    return {"shortfalls": shortfalls, "conflicting_constraints": conflicts}


def unreachable_commitments(p: OilParams) -> dict:
    """Commitments on routes that no source reaches (no flow variable at all): infeasible
    before any solve. Returns a diagnosis in the same shape as :func:`diagnose_infeasible`."""
    served = {r for (_, r) in p.pairs}
    bad = [(r, y, float(p.limit_lo[i, j])) for i, r in enumerate(p.routes) for j, y in enumerate(p.years) if p.limit_lo[i, j] > 0 and r not in served]
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
    conservation = [r for r in rows if r["constraint"] in CONSERVATION]
    for r in rows:
        if r["constraint"] in CONSERVATION:
            continue
        key = (r["constraint"], ", ".join(r["index"][:-1]), r["bound"])
        groups.setdefault(key, []).append(r)
    lines = [f"irreducible infeasible subset ({iis['method']}), {len(rows)} rows that cannot all hold:"]
    if conservation:
        lines.append(f"  ({len(conservation)} of them say that crude is conserved along the arcs and tanks in between: see diagnosis.json)")
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
