"""Many cases of one scenario: disruption grids, Monte Carlo risk and parameter sweeps.

Flow: cases (tidy rows) -> :mod:`.kernel` (one compiled LP per worker, only the
changed numbers pushed into HiGHS per case) -> :mod:`.engine` (local processes
or a Dask cluster, progress bar, resumable) -> :mod:`.store` (Parquet parts as
cases finish, DuckDB over them at the end).
"""

from .. import pyomo_lite  # noqa: F401, E402  (before the sweep modules import scipy.sparse: Pyomo without scipy.stats & co.)
