"""Disruption events as daily remaining-capacity fractions (docs/model.md §1 "Disruptions").

Shared by the oil block, the power block and the sweep kernels, so every
caller turns events into capacity with the same arithmetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: separator of an event target naming one unit of an asset (energy_routes.outlets.UNIT_SEP)
UNIT_SEP = "/"


def event_losses(events, days: pd.DatetimeIndex | np.ndarray) -> dict[str, np.ndarray]:
    """Capacity lost per target and day (not yet floored): Σ_e (1 − λ_e[d]), or max_e (1 − λ_e[d]) on a unit."""
    loss: dict[str, np.ndarray] = {}
    day_vals = days if isinstance(days, np.ndarray) else days.values.astype("datetime64[D]")
    for ev in events:
        lam = np.ones(len(days))
        start, end = np.datetime64(ev.start, "D"), np.datetime64(ev.end, "D")
        lam[(day_vals >= start) & (day_vals <= end)] = ev.remaining
        if ev.ramp_days:
            after = (day_vals - end).astype(int)
            ramp = (after > 0) & (after <= ev.ramp_days)
            lam[ramp] = ev.remaining + (1 - ev.remaining) * after[ramp] / (ev.ramp_days + 1)
        prev = loss.get(ev.target, np.zeros(len(days)))
        # a unit with identity (asset/unit, e.g. cpc_terminal/spm2) is either there or not: two events
        # on it do not double count, its loss is the largest of theirs (remaining = min over events)
        loss[ev.target] = np.maximum(prev, 1 - lam) if UNIT_SEP in ev.target else prev + (1 - lam)
    return loss


def remaining_from_losses(loss: np.ndarray) -> np.ndarray:
    """ρ[d] = clip(1 − loss[d], 0, 1): events add their losses; capacity never goes below zero."""
    return np.clip(1 - loss, 0.0, 1.0)


def day_remaining(scenario, days: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Remaining capacity fraction per target and day: 1 − Σ event losses, floored at 0."""
    return {t: remaining_from_losses(v) for t, v in event_losses(scenario.settings.events, days).items()}
