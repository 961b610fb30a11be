"""Pyomo ConcreteModels of the two blocks: :mod:`.oil` (monthly) and :mod:`.power` (hourly)."""

from .oil import build_oil_model
from .power import build_power_model

__all__ = ["build_oil_model", "build_power_model"]
