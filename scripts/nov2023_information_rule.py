"""Measure information rules on the November 2023 CPC storm (docs/backtest.md, "The November 2023 storm").

    PYTHONPATH=src python scripts/nov2023_information_rule.py [--days 10] [--belief 0 1 2 3] [--start 2023-11-24] [--inputs inputs]

The shipped model sizes the fields' cut knowing the stop lasts 6 days (24-29 November). Two rules that size it
without knowing are measured here; both are sequences of the model's own LP (daily windows 1 Nov - 31 Dec 2023 on
``flows-2023``) in which only column bounds of the shut-in ``z`` are fixed, so they are measurements, not model
changes:

- horizon rule (``--days``): a first solve in which the stop (from ``--start``) lasts ``--days`` (the decision
  horizon; 10 from the stop's first day to the end of the ministry's plan on 3 December, SOURCES.md H45, H47), then
  the case as it happened with the shut-in of every source that has a decision horizon (``sources.csv``
  ``cut_hold_days``) fixed to the first solve's on those days;
- rolling rule (``--belief N``, one run per N): on each day of the stop the operator believes loadings resume N
  days later (0: tomorrow); that day's shut-in of every source is fixed from a solve with the stop ending there
  (the earlier days already fixed), then the case as it happened is solved with all of the stop's days fixed.

Prints the storm's own lost output (shut-in with the storm less without) in all, over the ministry's week
(27 Nov - 3 Dec, the window of its 631.7 kt) and before it, the other fields' part, and the big three's daily cut.
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
BIG = ("tengiz", "kashagan", "karachaganak")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--belief", type=int, nargs="*", default=[0, 1, 2, 3], help="rolling rule: days the stop is believed to last after today")
    ap.add_argument("--start", default=START, help="first day of the stop (default %(default)s)")
    ap.add_argument("--end", default="2023-11-29", help="last day of the stop as it happened (default %(default)s)")
    ap.add_argument("--inputs", default="inputs")
    args = ap.parse_args()
    inputs = load_inputs(args.inputs)
    day = pd.Timedelta(days=1)

    def build(end: pd.Timestamp | None):
        events = [] if end is None else [{"id": "storm", "target": "cpc_terminal", "start": args.start, "end": str(end.date()), "remaining": 0.0}]
        p = planned_params(resolve(inputs, {"name": "nov-2023", "overrides": ["flows-2023"], "events": events, **WINDOWS}, ()))
        spec = model_spec(p)
        return p, spec, compile_oil_model(build_oil_model(spec))

    def shut_in(end: pd.Timestamp | None, fixed: dict[tuple[int, int], float] = {}) -> np.ndarray:
        """Shut-in (source x period, kt) with the stop ending on ``end``, ``fixed`` (source, period) values held."""
        p, spec, lp = build(end)
        cols = lp.cols_of("z", len(spec.var_keys["z"]))
        for (i, t), v in fixed.items():
            lp.highs.changeColBounds(int(cols[i * len(p.periods.labels) + t]), v, v)
        sol = lp.solve()
        assert sol.optimal, sol.status
        return lp.family_values("z", len(spec.var_keys["z"])).reshape(len(p.sources), -1)

    start, end = pd.Timestamp(args.start), pd.Timestamp(args.end)
    p = build(None)[0]
    labels = list(p.periods.labels)
    pos = {lab: t for t, lab in enumerate(labels)}
    t_of = lambda d: pos[str(d.date())]  # noqa: E731
    z0 = shut_in(None)
    runs = {"stop's length known (shipped)": shut_in(end)}

    ze = shut_in(start + (args.days - 1) * day)
    horizon = [t_of(start + k * day) for k in range(args.days)]
    hold = np.flatnonzero(p.hold_days > 0)
    runs[f"horizon rule, {args.days} days"] = shut_in(end, {(int(i), t): float(ze[i, t]) for i in hold for t in horizon})

    stop_days = pd.date_range(start, end)
    for n in args.belief:
        fixed: dict[tuple[int, int], float] = {}
        for d in stop_days:
            z = shut_in(min(d + n * day, end), fixed)
            fixed.update({(i, t_of(d)): float(z[i, t_of(d)]) for i in range(len(p.sources))})
        runs[f"rolling rule, resume +{n + 1} d"] = shut_in(end, fixed)

    big = [p.sources.index(s) for s in BIG]
    other = p.sources.index("other")
    week = [t_of(d) for d in pd.date_range("2023-11-27", "2023-12-03")]
    before = list(range(t_of(start), week[0]))
    shown = list(range(t_of(start), t_of(pd.Timestamp("2023-12-04")) + 1))
    print("lost output, Mt (the storm's shut-in: with it less without); the big three's daily cut, kt, from " + labels[shown[0]])
    for name, z in runs.items():
        d = z - z0
        print(f"{name:32s} all {d.sum() / 1000:5.3f}  week {d[:, week].sum() / 1000:5.3f}  before {d[:, before].sum() / 1000:5.3f}  "
              f"other fields {d[other].sum() / 1000:5.3f}  daily " + " ".join(f"{d[big, t].sum():.0f}" for t in shown))


if __name__ == "__main__":
    main()
