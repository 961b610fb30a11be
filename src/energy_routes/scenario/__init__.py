"""Scenarios: a base plus named overrides (Calliope-style), resolved against the inputs.

Modules, one job each: :mod:`.settings` (what a scenario may say),
:mod:`.yamlio` (YAML with line numbers), :mod:`.library` (``scenarios.yaml``
and how pieces merge), :mod:`.limits` (which limits hold when pieces
disagree), :mod:`.checks` (ids, windows, years), :mod:`.edits` (``set`` edits
of the tables), :mod:`.resolve` (the pipeline, and :class:`Scenario`).
"""

from .library import SCENARIO_FILE, Library, load_library, merge
from .resolve import Scenario, resolve
from .settings import Event, RouteLimit, Settings, expand_years

__all__ = ["SCENARIO_FILE", "Event", "Library", "RouteLimit", "Scenario", "Settings", "expand_years", "load_library", "merge", "resolve"]
