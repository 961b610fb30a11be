"""Measure information rules on the November 2023 CPC storm (docs/backtest.md, "The November 2023 storm").

    PYTHONPATH=src python scripts/nov2023_information_rule.py [--days 10] [--belief 0 1 2 3] [--start 2023-11-24]
        [--band KT] [--reserve KT RATE] [--levels] [--inputs inputs]

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

Two what-ifs of the CPC tank farm ("virtually full ... crude oil is accepted from the Shippers at lower flowrates",
CPC 27 Nov 2023, SOURCES.md H48), applied to every solve of a run; they change the LP only inside this script:

- ``--band KT``: a top band of KT kt above the tank farm's capacity (569 kt) that fills at a falling rate: the
  capacity is raised by KT and one row per period limits the rise of the level (injection less withdrawal) to
  ``Δt · ι · (capacity + KT − level at the period's end) / KT``, ι the no-event plan's Kazakh CPC intake per day
  over the stop's days. At the band's bottom the tanks take the whole normal intake, at its top nothing: the
  intake falls linearly with the level (one linear row per period, so still an LP). Without events the level
  stays at the opening level, far below the band, and the row is slack.
- ``--reserve KT RATE``: a second store at Novorossiysk of KT kt, empty in a settled period, taking at most RATE
  kt/day (the "free capacities on the linear part of the pipeline and the terminal's reserve tanks" CPC named in
  February and December 2023, SOURCES.md H50, H51); a stores.csv row, in memory only.

The measured runs and what they show are in docs/backtest.md ("The tank farm's 'lower flowrates'").

Prints the storm's own lost output (shut-in with the storm less without) in all, over the ministry's week
(27 Nov - 3 Dec, the window of its 631.7 kt) and before it, the other fields' part, and the big three's daily cut
(with ``--levels`` also the tank farm's level at the end of each day, kt, and for ``--reserve`` the reserve's).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from energy_routes import pyomo_lite  # noqa: F401  (before Pyomo)
from energy_routes.load import Inputs, load_inputs
from energy_routes.model import build_oil_model, compile_oil_model
from energy_routes.model.plan import planned_params
from energy_routes.model.registry import model_spec
from energy_routes.scenario import resolve

START = "2023-11-24"
WINDOWS = {"windows": [{"start": "2023-11-01", "end": "2023-12-31", "resolution": "day"}]}
BIG = ("tengiz", "kashagan", "karachaganak")
TANKS = "cpc_tank_farm"
RESERVE = "cpc_reserve"


def with_stores(inputs: Inputs, band: float, reserve: tuple[float, float] | None) -> Inputs:
    """The inputs with the tank farm's capacity raised by ``band`` and, with ``reserve`` (kt, kt/day), a second
    store at the terminal, empty when settled (in memory; the files are not touched)."""
    out = inputs.copy()
    st = out.tables["stores"]
    st.loc[st["store"] == TANKS, "capacity_kt"] += band
    if reserve is not None:
        node = st.loc[st["store"] == TANKS, "node"].iloc[0]
        row = {"store": RESERVE, "node": node, "name": "CPC reserve room (what-if)", "capacity_kt": reserve[0], "min_level_kt": 0.0,
               "opening_kt": 0.0, "max_in_kt_per_day": reserve[1], "max_out_kt_per_day": 400.0, "description": "what-if"}
        out.tables["stores"] = pd.concat([st, pd.DataFrame([row])], ignore_index=True)
        out.lines["stores"] = pd.concat([out.lines["stores"], pd.Series([0])], ignore_index=True)
    return out


def add_band_rows(p, spec, lp, top: float, band: float, rate: float) -> None:
    """Σ_s (inj − wd)[s,k,t] + Δt·(rate/band)·Σ_s level[s,k,t] ≤ Δt·(rate/band)·top for the tank farm k, every period t."""
    H, P = len(p.network.holdings), len(p.periods.labels)
    hs = [h for h, (_, k) in enumerate(p.network.holdings) if k == TANKS]
    inj, wd, lev = (lp.cols_of(v, H * P) for v in ("inj", "wd", "level"))
    a = rate / band
    for t, dt in enumerate(np.asarray(p.periods.length, float)):
        idx, val = [], []
        for h in hs:
            for cols, c in ((inj, 1.0), (wd, -1.0), (lev, dt * a)):
                if cols[h * P + t] >= 0:
                    idx.append(int(cols[h * P + t]))
                    val.append(c)
        lp.highs.addRow(-np.inf, dt * a * top, len(idx), np.array(idx, np.int32), np.array(val, float))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--belief", type=int, nargs="*", default=[0, 1, 2, 3], help="rolling rule: days the stop is believed to last after today")
    ap.add_argument("--start", default=START, help="first day of the stop (default %(default)s)")
    ap.add_argument("--end", default="2023-11-29", help="last day of the stop as it happened (default %(default)s)")
    ap.add_argument("--band", type=float, default=0.0, help="what-if: a top band of the tank farm, kt, filling at a rate falling to 0 at its top")
    ap.add_argument("--reserve", type=float, nargs=2, metavar=("KT", "RATE"), help="what-if: reserve room at the terminal, kt and kt/day")
    ap.add_argument("--levels", action="store_true", help="print the tank farm's level at the end of each day")
    ap.add_argument("--inputs", default="inputs")
    args = ap.parse_args()
    base = load_inputs(args.inputs)
    inputs = with_stores(base, args.band, None if args.reserve is None else tuple(args.reserve))
    day = pd.Timedelta(days=1)
    band: dict = {}

    def build(end: pd.Timestamp | None, inp: Inputs = inputs):
        events = [] if end is None else [{"id": "storm", "target": "cpc_terminal", "start": args.start, "end": str(end.date()), "remaining": 0.0}]
        p = planned_params(resolve(inp, {"name": "nov-2023", "overrides": ["flows-2023"], "events": events, **WINDOWS}, ()))
        spec = model_spec(p)
        lp = compile_oil_model(build_oil_model(spec))
        if args.band > 0 and inp is inputs:
            add_band_rows(p, spec, lp, band["top"], args.band, band["rate"])
        return p, spec, lp

    def solve(end: pd.Timestamp | None, fixed: dict[tuple[int, int], float] = {}) -> tuple[np.ndarray, np.ndarray]:
        """Shut-in (source x period, kt) with the stop ending on ``end``, ``fixed`` (source, period) values held,
        and the store levels (store x period, kt)."""
        p, spec, lp = build(end)
        P = len(p.periods.labels)
        cols = lp.cols_of("z", len(spec.var_keys["z"]))
        for (i, t), v in fixed.items():
            lp.highs.changeColBounds(int(cols[i * P + t]), v, v)
        sol = lp.solve()
        assert sol.optimal, sol.status
        H = p.network.holdings
        lev = lp.family_values("level", len(H) * P).reshape(len(H), P)
        stores = [k.store for k in p.network.stores]
        levels = np.array([lev[[h for h, (_, k2) in enumerate(H) if k2 == k]].sum(axis=0) for k in stores])
        return lp.family_values("z", len(spec.var_keys["z"])).reshape(len(p.sources), -1), levels

    start, end = pd.Timestamp(args.start), pd.Timestamp(args.end)
    p, spec, lp = build(None, base)  # the no-event plan of the shipped data: the band's rate
    assert lp.solve().optimal
    labels = list(p.periods.labels)
    pos = {lab: t for t, lab in enumerate(labels)}
    t_of = lambda d: pos[str(d.date())]  # noqa: E731
    stop = [t_of(d) for d in pd.date_range(start, end)]
    x = lp.family_values("x", len(spec.var_keys["x"]))
    cpc = np.array([k[1] == "cpc" and pos[k[2]] in stop for k in spec.var_keys["x"]])
    band["rate"] = float(x[cpc].sum()) / len(stop)
    band["top"] = float(inputs["stores"].set_index("store").loc[TANKS, "capacity_kt"])
    z0, _ = solve(None)
    runs = {"stop's length known (shipped)": solve(end)}

    ze, _ = solve(start + (args.days - 1) * day)
    horizon = [t_of(start + k * day) for k in range(args.days)]
    hold = np.flatnonzero(p.hold_days > 0)
    runs[f"horizon rule, {args.days} days"] = solve(end, {(int(i), t): float(ze[i, t]) for i in hold for t in horizon})

    for n in args.belief:
        fixed: dict[tuple[int, int], float] = {}
        for d in pd.date_range(start, end):
            z, _ = solve(min(d + n * day, end), fixed)
            fixed.update({(i, t_of(d)): float(z[i, t_of(d)]) for i in range(len(p.sources))})
        runs[f"rolling rule, resume +{n + 1} d"] = solve(end, fixed)

    big = [p.sources.index(s) for s in BIG]
    other = p.sources.index("other")
    week = [t_of(d) for d in pd.date_range("2023-11-27", "2023-12-03")]
    before = list(range(t_of(start), week[0]))
    shown = list(range(t_of(start), t_of(pd.Timestamp("2023-12-04")) + 1))
    what = []
    if args.band > 0:
        what.append(f"top band {args.band:g} kt above {band['top'] - args.band:g} kt, intake {band['rate']:.1f} kt/d at its bottom")
    if args.reserve is not None:
        what.append(f"reserve {args.reserve[0]:g} kt at {args.reserve[1]:g} kt/d")
    print("what-if: " + ("; ".join(what) or "none (the shipped stores)"))
    print("lost output, Mt (the storm's shut-in: with it less without); the big three's daily cut, kt, from " + labels[shown[0]])
    stores = [k for k in inputs["stores"]["store"] if k in (TANKS, RESERVE)]
    for name, (z, levels) in runs.items():
        d = z - z0
        print(f"{name:32s} all {d.sum() / 1000:5.3f}  week {d[:, week].sum() / 1000:5.3f}  before {d[:, before].sum() / 1000:5.3f}  "
              f"other fields {d[other].sum() / 1000:5.3f}  daily " + " ".join(f"{d[big, t].sum():.0f}" for t in shown))
        if args.levels:
            print(f"{'':32s} other fields' cut, kt: " + " ".join(f"{d[other, t]:.0f}" for t in shown))
            for k in stores:
                i = list(inputs["stores"]["store"]).index(k)
                print(f"{'':32s} {k} level, kt: " + " ".join(f"{levels[i, t]:.0f}" for t in shown))


if __name__ == "__main__":
    main()
