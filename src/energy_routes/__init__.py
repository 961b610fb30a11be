"""energy_routes: an optimisation model of Caspian energy export routes.

Data flows one way: ``inputs/*.csv`` + ``scenarios.yaml`` -> :mod:`load`
(validated tables) -> :mod:`scenario` (base + overrides + events resolved)
-> :mod:`params` (derived monthly/hourly parameters) -> :mod:`model`
(Pyomo ConcreteModels) -> :mod:`solve` (HiGHS) -> :mod:`extract` (tidy
tables) -> :mod:`writers` (run folder, manifest).
"""

__version__ = "0.1.0"
