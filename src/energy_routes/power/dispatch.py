"""The solution of one power LP as arrays (element × hour), shared by the solver (``run``) and the tables
(``extract``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Dispatch:
    """The solution of one power LP as (element × hour) arrays; money in $."""

    p: np.ndarray
    q: np.ndarray
    f: np.ndarray
    ch: np.ndarray
    dis: np.ndarray
    soc: np.ndarray
    price: np.ndarray  # node × hour, $/MWh: the dual of node_balance (value of one more MWh there)
    share_price: np.ndarray  # share × hour, $/MWh: the dual of link_share (value of one more MWh of that country's cap)
    objective: float  # $
    gen_cap: np.ndarray  # capacities in the solution (sized ones as chosen), MW
    link_cap: np.ndarray
    store_power: np.ndarray
    store_energy: np.ndarray
