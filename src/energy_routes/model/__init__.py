"""The oil block's Pyomo ConcreteModel (:mod:`.oil`); the power block lives in :mod:`energy_routes.power`."""

from .oil import build_oil_model, compile_oil_model, compile_oil_spec

__all__ = ["build_oil_model", "compile_oil_model", "compile_oil_spec"]
