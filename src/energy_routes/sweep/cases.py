"""Turn a solved case into tidy result rows, measured against the scenario's own optimum.

Columns of the ``cases`` table (one row per case):
``status``; ``objective_musd`` (the LP's optimum: netback less the shut-in
penalty, M$); ``netback_musd`` (Σ netback · exports, M$, without the shut-in
penalty); ``lost_netback_musd`` (the scenario's netback minus the case's);
``shut_in_mt`` and ``extra_shut_in_mt`` (over the horizon; the second net of
the scenario's own shut-in); ``rerouted_mt`` (the sum of the increases on the
routes that gained volume); ``delta_<route>_mt`` (case minus scenario, per
route); ``binding`` (the reported constraints with a non-zero shadow price,
largest first, as ``family:target YEAR (±$/t)``: the signed value of the
period with the largest magnitude in that year, as in ``shadow_prices.csv``)
and ``bottleneck`` with ``bottleneck_year`` (of the constraints on
capacities the case did not disrupt, the one whose shadow price rose most
against the scenario's in some year: the capacity that would have helped
most, and the year it would have helped in).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from ..model.registry import RULES, explain_rank
from .kernel import CaseEvent, OilKernel, Outcome, touched_routes

TOP_BINDING = 4


def events_to_json(events: list[CaseEvent]) -> str:
    return json.dumps([list(e) for e in events])


def events_from_json(text: str) -> list[CaseEvent]:
    return [CaseEvent(t, s, e, float(r), int(d)) for t, s, e, r, d in json.loads(text)]


def case_metrics(kernel: OilKernel, out: Outcome, hit=(), base: Outcome | None = None) -> dict:
    """The ``cases`` columns of one outcome against ``base`` (default: the kernel's scenario optimum);
    ``hit`` are the disrupted targets (not candidates for the bottleneck)."""
    base = base or kernel.baseline
    routes = kernel.params.routes
    row: dict = {"status": out.status}
    if not out.optimal:
        row.update({"objective_musd": math.nan, "netback_musd": math.nan, "lost_netback_musd": math.nan, "shut_in_mt": math.nan, "extra_shut_in_mt": math.nan, "rerouted_mt": math.nan})
        row.update({f"delta_{r}_mt": math.nan for r in routes})
        row.update({"binding": "", "bottleneck": "", "bottleneck_year": pd.NA})
        return row
    ny = len(kernel.years)
    delta = (out.route_mt - base.route_mt).reshape(len(routes), ny).sum(axis=1)
    row["objective_musd"] = out.objective_musd
    row["netback_musd"] = out.revenue_musd
    row["lost_netback_musd"] = base.revenue_musd - out.revenue_musd
    row["shut_in_mt"] = float(out.shut_in_mt.sum())
    row["extra_shut_in_mt"] = float(out.shut_in_mt.sum() - base.shut_in_mt.sum())
    row["rerouted_mt"] = float(delta[delta > 0].sum())
    row.update({f"delta_{r}_mt": float(d) for r, d in zip(routes, delta)})
    top = out.binding[:TOP_BINDING]
    row["binding"] = "; ".join(f"{lab} {y} ({v:+,.1f} $/t)" for lab, y, v in top)
    # the bottleneck of a disruption: the constraint whose shadow price rose most against the scenario
    before = {(lab, y): abs(v) for lab, y, v in base.binding}
    hit = set(hit) | set(touched_routes(kernel.params.network.route_assets, hit))
    # not a disrupted target, and not a rule of behaviour (model.registry.RULES: what foresight would be worth)
    rise = [(lab, y, abs(v) - before.get((lab, y), 0.0)) for lab, y, v in out.binding
            if lab.split(":", 1)[1] not in hit and lab.split(":", 1)[0] not in RULES]
    rise = [r for r in rise if r[2] > 1e-6]
    # constraints in series carry one shadow price: on a tie (to the cent), what stops the crude before the
    # tank it backs up into (model.registry.EXPLAIN_FIRST), then the label and the earlier year
    best = min(rise, key=lambda t: (-round(t[2], 2), explain_rank(t[0].split(":", 1)[0]), t[0], t[1])) if rise else None
    row["bottleneck"] = best[0] if best else ""
    row["bottleneck_year"] = best[1] if best else pd.NA
    return row


def cases_frame(rows: list[dict]) -> pd.DataFrame:
    """A chunk's ``cases`` rows as a table: ``bottleneck_year`` a nullable integer (a case without a bottleneck
    has none), so a chunk with such a case writes ``2026`` like any other, not ``2026.000000``: which cases share
    a chunk depends on the workers, and the table must not."""
    out = pd.DataFrame(rows)
    if "bottleneck_year" in out:
        out["bottleneck_year"] = out["bottleneck_year"].astype("Int64")
    return out


def route_arrays(kernel: OilKernel, out: Outcome, base: Outcome | None = None) -> dict[str, np.ndarray]:
    """Volume by route and year for one case, and its change against ``base`` (columns of ``route_volumes``)."""
    return {"volume_mt": out.route_mt, "delta_mt": out.route_mt - (base or kernel.baseline).route_mt}


def year_arrays(kernel: OilKernel, out: Outcome, base: Outcome | None = None) -> dict[str, np.ndarray]:
    """Shut-in and lost netback by year for one case against ``base`` (columns of ``years``)."""
    base = base or kernel.baseline
    return {
        "shut_in_mt": out.shut_in_mt,
        "extra_shut_in_mt": out.shut_in_mt - base.shut_in_mt,
        "lost_netback_musd": base.revenue_by_year - out.revenue_by_year,
    }


class Rows:
    """Collects per-case arrays of a chunk and makes one DataFrame at the end (pandas per case is slow)."""

    def __init__(self, keys: dict[str, list], per_case: int):
        self.keys = keys  # fixed columns repeated for every case, e.g. route and year
        self.per_case = per_case
        self.ids: dict[str, list] = {}
        self.cols: dict[str, list[np.ndarray]] = {}

    def add(self, ids: dict, arrays: dict[str, np.ndarray]) -> None:
        for k, v in ids.items():
            self.ids.setdefault(k, []).append(v)
        for k, v in arrays.items():
            self.cols.setdefault(k, []).append(v)

    def frame(self) -> pd.DataFrame:
        n = len(next(iter(self.ids.values()), []))
        if not n:
            return pd.DataFrame()
        data = {k: np.repeat(np.asarray(v), self.per_case) for k, v in self.ids.items()}
        data.update({k: np.tile(np.asarray(v), n) for k, v in self.keys.items()})
        data.update({k: np.concatenate(v) for k, v in self.cols.items()})
        return pd.DataFrame(data)


def route_rows(kernel: OilKernel) -> Rows:
    r, y = zip(*kernel.route_year)
    return Rows({"route": list(r), "year": np.array(y, dtype=np.int64)}, len(r))


def year_rows(kernel: OilKernel) -> Rows:
    return Rows({"year": np.array(kernel.years, dtype=np.int64)}, len(kernel.years))
