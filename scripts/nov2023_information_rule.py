"""Measure a sequential information rule on the November 2023 CPC storm (docs/backtest.md, "The November 2023 storm").

    PYTHONPATH=src python scripts/nov2023_information_rule.py [--days 10] [--start 2023-11-24] [--inputs inputs]

The shipped model sizes the fields' cut knowing the stop lasts 6 days (24-29 November). The rule measured here
sizes it without knowing: a first solve in which the stop (from ``--start``) lasts ``--days`` (the decision
horizon; 10 from the stop's first day to the end of the ministry's plan on 3 December, SOURCES.md H45, H47), then the case as it happened with the shut-in of every source that
has a decision horizon (``sources.csv`` ``cut_hold_days``) fixed to the first solve's on those days. Everything is
the model's own LP (daily windows 1 Nov - 31 Dec 2023 on ``flows-2023``); only column bounds of ``z`` are fixed, so
this is a measurement, not a model change. Prints the storm's own lost output (shut-in with the storm less without)
for the shipped model, the longer stop, and the rule: in all, over the ministry's week (27 Nov - 3 Dec, the
window of its 631.7 kt) and before it; and the big three's cut as a share of their supply.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from energy_routes import pyomo_lite  # noqa: F401  (before Pyomo)
from energy_routes.load import load_inputs
from energy_routes.model import build_oil_model, compile_oil_model
from energy_routes.model.plan import planned_params
from energy_routes.model.registry import model_spec
from energy_routes.scenario import resolve

START = "2023-11-24"
WINDOWS = {"windows": [{"start": "2023-11-01", "end": "2023-12-31", "resolution": "day"}]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--start", default=START, help="first day of the stop (default %(default)s)")
    ap.add_argument("--end", default="2023-11-29", help="last day of the stop as it happened (default %(default)s)")
    ap.add_argument("--inputs", default="inputs")
    args = ap.parse_args()
    inputs = load_inputs(args.inputs)

    def solve(end: str | None):
        events = [] if end is None else [{"id": "storm", "target": "cpc_terminal", "start": args.start, "end": end, "remaining": 0.0}]
        p = planned_params(resolve(inputs, {"name": "nov-2023", "overrides": ["flows-2023"], "events": events, **WINDOWS}, ()))
        spec = model_spec(p)
        lp = compile_oil_model(build_oil_model(spec))
        return p, spec, lp

    def shut_in(p, spec, lp) -> np.ndarray:
        sol = lp.solve()
        assert sol.optimal, sol.status
        return lp.family_values("z", len(spec.var_keys["z"])).reshape(len(p.sources), -1)

    z0 = shut_in(*solve(None))
    actual = solve(args.end)
    za = shut_in(*actual)
    long_end = str((pd.Timestamp(args.start) + pd.Timedelta(days=args.days - 1)).date())
    ze = shut_in(*solve(long_end))
    p, spec, lp = actual
    labels = list(p.periods.labels)
    held = [labels.index(str((pd.Timestamp(args.start) + pd.Timedelta(days=k)).date())) for k in range(args.days)]
    cols = lp.cols_of("z", len(spec.var_keys["z"]))
    P = len(labels)
    for i in np.flatnonzero(p.hold_days > 0):
        for t in held:
            lp.highs.changeColBounds(int(cols[i * P + t]), float(ze[i, t]), float(ze[i, t]))
    zr = shut_in(p, spec, lp)
    big = [p.sources.index(s) for s in ("tengiz", "kashagan", "karachaganak")]
    other = p.sources.index("other")
    q = p.caps.supply
    week = [labels.index(str(d.date())) for d in pd.date_range("2023-11-27", "2023-12-03")]
    before = [t for t in range(labels.index(args.start), week[0])]
    for name, z in (("shipped (stop's length known)", za), (f"stop of {args.days} days", ze), (f"rule: {args.days}-day cut held", zr)):
        cut = z[big][:, held].sum() / q[big][:, held].sum()
        d = z - z0
        print(f"{name:30s} lost {d.sum() / 1000:5.3f} Mt (week {d[:, week].sum() / 1000:5.3f}, before {d[:, before].sum() / 1000:5.3f})  "
              f"big three's cut over {args.days} d {cut:5.1%}  other fields {d[other].sum() / 1000:5.3f}")


if __name__ == "__main__":
    main()
