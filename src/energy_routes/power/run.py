"""Solve the power LPs of a scenario and read them back as arrays (docs/model.md §2).

:class:`PowerLP` compiles one network with :class:`~energy_routes.solve.CompiledLP`
and can re-solve it warm after a capacity or availability change (sizing
study, cable faults in ``risk``); :func:`solve_power` is the pipeline's entry.
"""

from __future__ import annotations

import numpy as np

from ..errors import SolveError
from ..solve import INF, Solution
from .dispatch import Dispatch
from .model import build_power_model, compile_power_model
from .params import PowerNet, power_nets

FAMILIES = ("p", "q", "f", "ch", "dis", "soc")
CAPACITY_VARS = ("cap_gen", "cap_link", "cap_store_power", "cap_store_energy")


class PowerLP:
    """One network's LP, compiled once; capacities and availabilities can be changed and re-solved warm."""

    def __init__(self, net: PowerNet):
        self.net = net
        self.model, matrix = build_power_model(net)
        self.lp = compile_power_model(self.model, matrix)
        self.cols = {name: self.lp.cols_of(name, len(self.model.component(name))).astype(np.int32) for name in FAMILIES}
        for name, ext in zip(CAPACITY_VARS, (net.ext_gen, net.ext_link, net.ext_store_power, net.ext_store_energy)):
            keys = sorted(ext)
            self.cols[name] = self.lp.cols_of(name, keys[-1] + 1)[keys].astype(np.int32) if keys else np.zeros(0, np.int32)
        self.share_rows = self.lp.rows_of("link_share", len(net.shares) * net.hours).astype(np.int32)
        self.link_cap = net.link_cap.copy()
        self.link_rho = net.link_rho.copy()

    @property
    def size(self) -> dict[str, int]:
        return {"variables": self.lp.num_cols, "constraints": self.lp.num_rows, "nonzeros": self.lp.num_nonzeros}

    def _cap_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """HiGHS columns of the sized capacities, their bounds, and a starting value for each (the table capacity, clipped)."""
        net = self.net
        cols, lo, hi, start = [], [], [], []
        for name, ext, table in (("cap_gen", net.ext_gen, net.gen_cap), ("cap_link", net.ext_link, self.link_cap),
                                 ("cap_store_power", net.ext_store_power, net.store_power), ("cap_store_energy", net.ext_store_energy, net.store_energy)):
            for j, k in zip(self.cols[name], sorted(ext)):
                x = ext[k]
                cols.append(j)
                lo.append(x.lo)
                hi.append(x.hi if np.isfinite(x.hi) else INF)
                start.append(min(max(float(table[k]), x.lo), x.hi))
        return np.array(cols, np.int32), np.array(lo), np.array(hi), np.array(start)

    def solve(self) -> Solution:
        """Solve; in planning mode in two steps: capacities held at a start (a dispatch LP, fast), then released, warm.

        The simplex takes several times longer on the planning LP from scratch, because each sized
        capacity has a column in every hour's capacity row; from the dispatch basis it needs few iterations."""
        if not self.net.planning:
            return self.lp.solve()
        cols, lo, hi, start = self._cap_columns()
        self.lp.highs.changeColsBounds(len(cols), cols, start, start)
        first = self.lp.solve()
        self.lp.highs.changeColsBounds(len(cols), cols, lo, hi)
        if not first.optimal:  # the start itself is infeasible or worse: solve from scratch
            return self.lp.solve()
        second = self.lp.solve()
        return Solution(second.status, second.optimal, second.objective, first.solve_seconds + second.solve_seconds, first.iterations + second.iterations)

    def set_link(self, link: int, capacity_mw: float | None = None, rho: np.ndarray | None = None) -> None:
        """Change one link's capacity (MW) and/or hourly availability, in HiGHS only (the Pyomo model keeps the original)."""
        net, T = self.net, self.net.hours
        if capacity_mw is not None:
            self.link_cap[link] = capacity_mw
        if rho is not None:
            self.link_rho[link] = rho
        if link in net.ext_link:
            j = self.cols["cap_link"][sorted(net.ext_link).index(link)]
            if capacity_mw is not None:  # a sized link held at a given capacity
                self.lp.highs.changeColsBounds(1, np.array([j], np.int32), np.array([capacity_mw]), np.array([capacity_mw]))
            if rho is not None:
                raise NotImplementedError("availability of a link the planning mode sizes")
            return
        cols = self.cols["f"][link * T:(link + 1) * T]
        self.lp.highs.changeColsBounds(T, cols, np.zeros(T), self.link_rho[link] * self.link_cap[link])
        for i, sh in enumerate(net.shares):
            if sh.link == link:
                rows = self.share_rows[i * T:(i + 1) * T]
                self.lp.highs.changeRowsBounds(T, rows, np.full(T, -INF), sh.max_share * self.link_rho[link] * self.link_cap[link])

    def retarget(self, net: PowerNet) -> bool:
        """Load another weather year of the same network into HiGHS (plant availability, offtake caps and values are
        column bounds and costs in dispatch mode); False if the networks differ in anything else (then build anew)."""
        old = self.net
        same = (not old.planning and not net.planning and old.hours == net.hours and old.gen == net.gen and old.link == net.link
                and old.store == net.store and old.nodes == net.nodes and list(old.off_node) == list(net.off_node)
                and np.array_equal(old.gen_cap, net.gen_cap) and np.array_equal(old.link_cap, net.link_cap) and np.array_equal(old.link_rho, net.link_rho))
        if not same:
            return False
        h = self.lp.highs
        p, q = self.cols["p"], self.cols["q"]
        if p.size:
            h.changeColsBounds(p.size, p, np.zeros(p.size), (net.gen_avail * net.gen_cap[:, None]).ravel())
        if q.size:
            cap = net.off_cap.ravel().copy()
            cap[~np.isfinite(cap)] = INF
            h.changeColsBounds(q.size, q, np.zeros(q.size), cap)
            h.changeColsCost(q.size, q, net.off_value.ravel())
        self.net = net
        return True

    def dispatch(self, sol: Solution) -> Dispatch:
        """Read the solution back (after an optimal ``solve``)."""
        net, T = self.net, self.net.hours

        def arr(name, n):
            return self.lp.family_values(name, n * T).reshape(n, T)

        def caps(name, ext, fixed):
            out = fixed.copy()
            if ext:
                v = self.lp.values(name)
                for k in sorted(ext):
                    out[k] = float(v[k])
            return out

        lam = -self.lp.family_duals("node_balance", len(net.nodes) * T).reshape(len(net.nodes), T)
        mu = self.lp.family_duals("link_share", len(net.shares) * T).reshape(len(net.shares), T)
        cap_s = caps("cap_store_power", net.ext_store_power, net.store_power)
        return Dispatch(
            arr("p", len(net.gen)), arr("q", len(net.off_node)), arr("f", len(net.link)),
            arr("ch", len(net.store)), arr("dis", len(net.store)), arr("soc", len(net.store)),
            lam, mu, sol.objective,
            caps("cap_gen", net.ext_gen, net.gen_cap), caps("cap_link", net.ext_link, self.link_cap),
            cap_s, caps("cap_store_energy", net.ext_store_energy, net.store_energy),
        )


def solve_net(net: PowerNet) -> tuple[PowerLP, Solution, Dispatch]:
    """Build, solve and read one network; raises SolveError when HiGHS is not optimal."""
    plp = PowerLP(net)
    sol = plp.solve()
    if not sol.optimal:
        raise SolveError(f"the power model of {net.year} (weather year {net.weather_year}) is {sol.status.lower()}", sol.status)
    return plp, sol, plp.dispatch(sol)


def sizing_study(plp: PowerLP, link: int, capacities_mw: list[float]) -> list[tuple[float, Dispatch]]:
    """Re-solve with ``link`` at each capacity (warm); the LP is left at its original capacity."""
    out = []
    original = float(plp.link_cap[link])
    for k in capacities_mw:
        plp.set_link(link, capacity_mw=float(k))
        sol = plp.solve()
        if not sol.optimal:
            raise SolveError(f"the power sizing case {plp.net.link[link]} = {k:g} MW is {sol.status.lower()}", sol.status)
        out.append((float(k), plp.dispatch(sol)))
    plp.set_link(link, capacity_mw=original)
    return out


def solve_power(scenario, timer) -> tuple[list[dict], dict]:
    """Solve every (power year, weather year) of ``scenario``; returns (one record each, the power tables)."""
    from .extract import power_tables

    with timer("power_params"):
        nets = power_nets(scenario)
    ps = scenario.settings.power
    runs, solved, sizing = [], [], []
    last: PowerLP | None = None  # the previous LP: another weather year of the same year is loaded into it
    for net in nets:
        rec = {"year": net.year, "weather_year": net.weather_year, "mode": "planning" if net.planning else "dispatch"}
        if net.status:
            runs.append({**rec, "status": net.status, "objective_musd": 0.0, "variables": 0, "constraints": 0, "solve_seconds": 0.0})
            solved.append((net, None))
            continue
        with timer("power_build"):
            if last is None or not last.retarget(net):
                last = PowerLP(net)
            plp = last
        with timer("power_solve"):
            sol = plp.solve()
        if not sol.optimal:
            raise SolveError(f"the power model of {net.year} (weather year {net.weather_year}) is {sol.status.lower()}", sol.status)
        with timer("power_extract"):
            d = plp.dispatch(sol)
        solved.append((net, d))
        runs.append({**rec, "status": sol.status, "objective_musd": sol.objective / 1e6, **plp.size, "solve_seconds": sol.solve_seconds})
        if ps is not None and ps.sizing is not None and ps.sizing.link in net.link:
            with timer("power_sizing"):
                link = net.link.index(ps.sizing.link)
                sizing.append((net, link, sizing_study(plp, link, ps.sizing.capacities_mw)))
    with timer("power_extract"):
        tables = power_tables(solved, sizing)
    return runs, tables
