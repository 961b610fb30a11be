"""The disruption draws of ``hedge``: exactly those of ``risk`` (same seed, same numbering, same events).

Draw k simulates year ``years[k mod n]`` of the horizon and its events come
from :func:`energy_routes.sweep.risk.events_for_draw` (reproducible from
(seed, k) alone), so draw k is the same in ``risk`` and ``hedge``, in any
number of draws (common random numbers: more draws never change the first
ones), and the out-of-sample draws are simply the next numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..scenario import Scenario
from ..sweep.disrupt import horizon_end
from ..sweep.risk import events_for_draw

#: risk's default seed, so ``hedge`` and ``risk`` see the same draws unless told otherwise
DEFAULT_SEED = 20240217


@dataclass(frozen=True)
class Draw:
    draw: int
    year: int
    events: tuple  # CaseEvent, clipped to the year


def make_draws(scenario: Scenario, hazards, seed: int, first: int, count: int) -> list[Draw]:
    """Draws ``first .. first + count − 1`` of the hazard model for ``scenario``."""
    years = scenario.years
    start, end = scenario.months[0].start_time, horizon_end(scenario)
    cache: dict = {}
    out = []
    for k in range(first, first + count):
        y = years[k % len(years)]
        out.append(Draw(k, y, tuple(events_for_draw(hazards, seed, k, y, start, end, cache))))
    return out
