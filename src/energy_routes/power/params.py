"""Hourly parameters of the power block (docs/model.md §2).

Reads, from a resolved scenario: ``power_capacity`` (year, technology,
capacity_mw), ``power_links`` (asset, capacity_mw, commissioning_year,
length_km, line_loss_per_1000km, converter_loss), ``power_profiles`` (hour,
wind_cf, solar_cf) and the scenario's events on the cables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..events import day_remaining
from ..schema import BLACK_SEA, TRANS_CASPIAN

HOURS = 8760


@dataclass
class PowerYear:
    """The hourly power LP of one year."""

    year: int
    generation: np.ndarray  # MWh per hour
    cable_cap: np.ndarray  # MW (after commissioning and events)
    eta_tc: float
    black_sea: bool
    bs_cap: np.ndarray  # MW
    eta_bs: float
    cable_mw: float  # nameplate in service, for utilisation


def link_efficiency(link: pd.Series) -> float:
    """η = (1 − converter loss)² × (1 − line loss per 1,000 km × length / 1,000)."""
    line = float(link["line_loss_per_1000km"]) * float(link["length_km"]) / 1000.0
    return (1.0 - float(link["converter_loss"])) ** 2 * max(0.0, 1.0 - line)


def _hourly_remaining(scenario, year: int, target: str) -> np.ndarray:
    """Remaining fraction of ``target`` for each hour of a 365-day ``year`` (29 Feb dropped)."""
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    days = days[~((days.month == 2) & (days.day == 29))]
    rem = day_remaining(scenario, days).get(target)
    if rem is None:
        return np.ones(HOURS)
    return np.repeat(rem, 24)


def power_params(scenario) -> list[PowerYear]:
    """Compute the power block's hourly parameters (docs/model.md §2)."""
    inp = scenario.inputs
    prof = inp["power_profiles"].sort_values("hour")
    wind_cf = prof["wind_cf"].to_numpy(float)
    solar_cf = prof["solar_cf"].to_numpy(float)
    pc = inp["power_capacity"].set_index(["technology", "year"])["capacity_mw"]
    links = inp["power_links"].set_index("asset")
    black_sea = bool(scenario.settings.power and scenario.settings.power.black_sea)
    out = []
    for y in scenario.power_years:
        gen = float(pc[("wind", y)]) * wind_cf + float(pc[("solar", y)]) * solar_cf

        def cap_of(asset: str) -> tuple[np.ndarray, float, float]:
            if asset not in links.index:
                return np.zeros(HOURS), 1.0, 0.0
            link = links.loc[asset]
            mw = float(link["capacity_mw"]) if int(link["commissioning_year"]) <= y else 0.0
            return mw * _hourly_remaining(scenario, y, asset), link_efficiency(link), mw

        tc, eta_tc, tc_mw = cap_of(TRANS_CASPIAN)
        bs, eta_bs, _ = cap_of(BLACK_SEA)
        out.append(PowerYear(y, gen, tc, eta_tc, black_sea, bs, eta_bs, tc_mw))
    return out
