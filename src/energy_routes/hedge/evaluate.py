"""A fixed portfolio on given draws, and the measures built on it: CVaR, EVPI, VSS, out-of-sample.

:func:`evaluate` re-solves each draw's year LP with the levers at fixed
levels through the kernel (:meth:`~energy_routes.sweep.kernel.OilKernel.solve_all_rows`,
the path ``risk`` uses), so it is an independent check of the extensive
form: at the optimum the two agree draw by draw (the tie-break makes each
draw's optimum unique).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .blocks import Block, Part
from .extensive import EFResult, ExtensiveForm, solve_states
from .levers import Lever

Z95 = 1.959963984540054


@dataclass
class Evaluation:
    """Per draw (arrays): the economic value of the year LP (netback less the shut-in penalty), netback, shut-in, and the result net of lever cost."""

    value_musd: np.ndarray
    netback_musd: np.ndarray
    shut_in_mt: np.ndarray
    result_musd: np.ndarray  # value − lever cost (pro-rated to the year's share of the horizon)
    weights: np.ndarray
    optimal: np.ndarray

    def arrays(self) -> dict[str, np.ndarray]:
        """The fields as named arrays (what :class:`~.checkpoint.Checkpoint` saves)."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__}

    @classmethod
    def from_arrays(cls, d: dict) -> Evaluation:
        return cls(*(np.asarray(d[f]) for f in cls.__dataclass_fields__))


def lever_cost(levers: list[Lever], levels) -> float:
    return float(sum(lv.cost_of(u) for lv, u in zip(levers, np.asarray(levels, float))))


def evaluate(parts: list[Part], blocks: list[Block], levers: list[Lever], levels) -> Evaluation:
    """Solve every draw with the levers at ``levels``."""
    cost = lever_cost(levers, levels)
    out = {k: np.full(len(blocks), math.nan) for k in ("v", "n", "s", "r")}
    ok = np.zeros(len(blocks), bool)
    for i, b in enumerate(blocks):
        p = parts[b.part]
        lower, upper = b.bounds(parts, levels)
        o = p.kernel.solve_all_rows(lower, upper)
        ok[i] = o.optimal
        out["v"][i], out["n"][i], out["s"][i] = o.objective_musd, o.revenue_musd, float(np.sum(o.shut_in_mt))
        out["r"][i] = o.objective_musd - p.frac * cost
    return Evaluation(out["v"], out["n"], out["s"], out["r"], np.array([b.weight for b in blocks]), ok)


def cvar(losses, weights, alpha: float) -> float:
    """CVaR_α of a discrete loss distribution: the mean of its worst (1 − α) probability mass (Rockafellar–Uryasev)."""
    L = np.asarray(losses, float)
    w = np.asarray(weights, float)
    w = w / w.sum()
    order = np.argsort(-L, kind="stable")
    L, w = L[order], w[order]
    tail = 1.0 - alpha
    cum = np.cumsum(w)
    take = np.minimum(w, np.maximum(0.0, tail - (cum - w)))
    return float((take * L).sum() / tail)


def objective(result: np.ndarray, weights: np.ndarray, v_ref: np.ndarray, risk: tuple[float, float] | None) -> float:
    """E[R] − λ CVaR_α(V_ref − R), M$/yr."""
    w = weights / weights.sum()
    f = float((w * result).sum())
    if risk and risk[1] > 0:
        f -= risk[1] * cvar(v_ref - result, w, risk[0])
    return f


def ef_economic(res: EFResult, parts: list[Part], blocks: list[Block], levers: list[Lever], v_ref: np.ndarray, risk) -> float:
    """The extensive form's objective in economic terms (its blocks' values without the tie-break)."""
    cost = lever_cost(levers, res.levels)
    frac = np.array([parts[b.part].frac for b in blocks])
    return objective(res.block_values_musd - frac * cost, np.array([b.weight for b in blocks]), v_ref, risk)


def wait_and_see(parts: list[Part], blocks: list[Block], levers: list[Lever], v_ref=None, risk=None) -> float:
    """The objective of the portfolio chosen knowing each draw (M$/yr): E[R_d(u_d*)] risk neutral; with ``risk``
    (α, λ), E − λ CVaR_α of the per-draw results' losses against ``v_ref``."""
    vals, ws = wait_and_see_results(parts, blocks, levers)
    return objective(vals, ws, np.zeros(len(vals)) if v_ref is None else np.asarray(v_ref, float), risk)


def wait_and_see_results(parts: list[Part], blocks: list[Block], levers: list[Lever]) -> tuple[np.ndarray, np.ndarray]:
    """Per draw, the result max_u R_d(u) of the portfolio best for that draw alone, and the draws' weights.

    Choosing per draw also maximises any objective that never falls when one draw's result rises, so these are
    the wait-and-see outcomes under E − λ CVaR too (CVaR of losses V_ref − R falls as any R_d rises)."""
    vals, ws = [], []
    for b in blocks:
        one = [Block(b.part, b.draw, b.year, b.n_events, b.rows, b.lower, b.upper, b.G, 1.0)]
        best, _ = solve_states(ExtensiveForm(parts, one, levers))
        frac = parts[b.part].frac
        vals.append(float(best.block_values_musd[0]) - frac * lever_cost(levers, best.levels))
        ws.append(b.weight)
    return np.array(vals), np.array(ws)


def evpi_vss(parts: list[Part], blocks: list[Block], levers: list[Lever], v_ref: np.ndarray, risk, rp: float, *, evpi: bool = True) -> dict:
    """VSS and (with ``evpi``) EVPI of the recourse problem's value ``rp``, both under the hedge's objective.

    EEV: the expected-value problem (per year one block with the draws' mean bounds, :func:`~.blocks.mean_blocks`;
    with one scenario CVaR is that scenario's loss, so E − λ CVaR = (1 + λ) R − λ V_ref has the risk-neutral
    argmax) gives ū, evaluated on the draws under the objective; VSS = RP − EEV. WS: the objective of the
    wait-and-see outcomes (:func:`wait_and_see_results`); EVPI = WS − RP. Both are ≥ 0."""
    from .blocks import mean_blocks

    ev_res, _ = solve_states(ExtensiveForm(parts, mean_blocks(blocks), levers))
    eev = evaluate(parts, blocks, levers, ev_res.levels)
    out = {"ev_levels": ev_res.levels, "eev_musd_per_yr": objective(eev.result_musd, eev.weights, v_ref, risk)}
    out["vss_musd_per_yr"] = rp - out["eev_musd_per_yr"]
    if evpi:
        out["ws_musd_per_yr"] = wait_and_see(parts, blocks, levers, v_ref, risk)
        out["evpi_musd_per_yr"] = out["ws_musd_per_yr"] - rp
    return out


def mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    """Mean and its 95% confidence interval (normal approximation)."""
    x = np.asarray(x, float)
    m = float(x.mean())
    if len(x) < 2:
        return m, math.nan, math.nan
    h = Z95 * float(x.std(ddof=1)) / math.sqrt(len(x))
    return m, m - h, m + h
