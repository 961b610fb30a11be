"""Tidy tables of the solved power block."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..solve import CompiledLP
from .params import PowerYear


def power_tables(results: list[tuple[PowerYear, CompiledLP]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """power_annual (year, generation_gwh, exported_gwh, delivered_gwh, losses_gwh,
    curtailed_gwh, cable_utilisation) and power_hourly (year, hour, MWh columns)."""
    annual, hourly = [], []
    for py, lp in results:
        e = lp.values("e").sort_index().to_numpy()
        c = lp.values("c").sort_index().to_numpy()
        if py.black_sea:
            b = lp.values("b").sort_index().to_numpy()
            delivered = py.eta_bs * b
        else:
            delivered = py.eta_tc * e
        gen = py.generation
        util = e.sum() / (py.cable_mw * len(e)) if py.cable_mw > 0 else np.nan
        annual.append(
            (py.year, gen.sum() / 1e3, e.sum() / 1e3, delivered.sum() / 1e3, (e.sum() - delivered.sum()) / 1e3, c.sum() / 1e3, util)
        )
        hourly.append(
            pd.DataFrame(
                {
                    "year": py.year,
                    "hour": np.arange(len(e)),
                    "generation_mwh": gen,
                    "exported_mwh": e,
                    "delivered_mwh": delivered,
                    "curtailed_mwh": c,
                    "cable_capacity_mw": py.cable_cap,
                }
            )
        )
    cols = ["year", "generation_gwh", "exported_gwh", "delivered_gwh", "losses_gwh", "curtailed_gwh", "cable_utilisation"]
    annual_df = pd.DataFrame(annual, columns=cols)
    hourly_df = pd.concat(hourly, ignore_index=True) if hourly else pd.DataFrame(
        columns=["year", "hour", "generation_mwh", "exported_mwh", "delivered_mwh", "curtailed_mwh", "cable_capacity_mw"]
    )
    return annual_df, hourly_df
