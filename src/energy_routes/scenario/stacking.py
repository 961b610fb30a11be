"""Where inherited and own disruption events stack deeper than the user's own file asked.

A scenario file that ``extends`` a shipped scenario, or lists ``overrides``,
inherits their events. Events on one target add their losses
(:func:`energy_routes.events.event_losses`), so a user who writes "one CPC
mooring out in March" on top of a scenario that already has a mooring out in
March gets two out. :func:`stacking_notes` finds every event of the user's
own pieces (a scenario file's inline settings, or pieces added on the command
line) whose target, on some day of its window, keeps less than the event
itself asked for because other events act on it too, and says so with where
each of the other events is written (file, line, piece).
"""

from __future__ import annotations

import pandas as pd

from ..events import event_losses, remaining_from_losses
from .library import SCENARIO_FILE, Origin, Provenance

TOL = 1e-9


def is_own(origin: Origin | None) -> bool:
    """A piece the user wrote (a scenario file, a command-line piece), not the shipped library (base, overrides)."""
    return origin is not None and origin.file != SCENARIO_FILE


def _units_text(units: int | None, fraction: float) -> str:
    if not units or units <= 1:
        return f"{fraction:.0%}"
    return f"{fraction:.0%} ({fraction * units:.3g} of {units} units)"


def stacking_notes(events: list, prov: Provenance | None, units: dict[str, int]) -> list[str]:
    """One note per own event whose target the other events take below the event's own ``remaining``.

    ``events`` are the merged scenario's events, in the order of ``prov.items['events']``;
    ``units`` maps an asset to its number of units (``assets.csv``), for the wording.
    """
    if prov is None or len(events) < 2:
        return []
    notes = []
    for i, ev in enumerate(events):
        mine = prov.item("events", i)
        if not is_own(mine):
            continue
        # others acting on the same target on some day of this event's window (an end's ramp counts)
        others = [
            j
            for j, e in enumerate(events)
            if j != i and e.target == ev.target and e.start <= ev.end and pd.Timestamp(e.end) + pd.Timedelta(days=e.ramp_days) >= pd.Timestamp(ev.start)
        ]
        if not others:
            continue
        days = pd.date_range(ev.start, ev.end)
        rem = remaining_from_losses(event_losses([ev] + [events[j] for j in others], days)[ev.target])
        k = int(rem.argmin())
        if rem[k] >= ev.remaining - TOL:
            continue
        u = units.get(ev.target)
        also = "; ".join(f"'{events[j].id}' ({_origin_text(prov.item('events', j))})" for j in others)
        notes.append(
            f"events stack on '{ev.target}': on {days[k].date()} it keeps {_units_text(u, float(rem[k]))} where event "
            f"'{ev.id}' ({_origin_text(mine)}) asked for {_units_text(u, ev.remaining)}, because these act on it too: {also}"
        )
    return notes


def _origin_text(o: Origin | None) -> str:
    if o is None:
        return "origin unknown"
    return o.where() if o.piece == o.file else f"{o.piece}, {o.where()}"
