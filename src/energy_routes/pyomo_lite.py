"""Import Pyomo without the scipy subpackages it imports eagerly (scipy.stats, .integrate, .spatial).

Imported first by every module that imports Pyomo (``solve``, ``model.oil``, ``api``), so it has run
before anything imports scipy; ``benchmarks/startup.py`` measures what it saves.
"""

from __future__ import annotations

import sys


def skip_pyomo_scipy_extras() -> None:
    """Stop Pyomo from importing scipy.stats, .integrate and .spatial along with scipy.sparse.

    Pyomo registers a callback (``pyomo.common.dependencies._finalize_scipy``) that runs the
    first time anything imports scipy and eagerly imports those subpackages: about half a
    second of a one-year run (and more on a busy machine), though the LP compiler needs only
    scipy.sparse. Pyomo's deferred ``scipy.stats`` etc. still import on first use. Uses Pyomo
    internals, so it is guarded: if they change, nothing happens and the run is only slower
    (benchmarks/startup.py shows it).
    """
    try:
        from pyomo.common import dependencies as deps

        if "scipy.stats" in sys.modules:
            return
        indicator = getattr(deps, "scipy_available", None)
        if indicator is not None and getattr(indicator, "_callback", None) is deps._finalize_scipy:
            indicator._callback = None
        callbacks = getattr(deps.DeferredImportCallbackFinder, "_callbacks", {})
        if isinstance(callbacks, dict) and "scipy" in callbacks:
            callbacks["scipy"] = [c for c in callbacks["scipy"] if c is not indicator]
            if not callbacks["scipy"]:
                del callbacks["scipy"]
    except Exception:  # pragma: no cover - a Pyomo upgrade changed the internals: keep its behaviour
        return


skip_pyomo_scipy_extras()
