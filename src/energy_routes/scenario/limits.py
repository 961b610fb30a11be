"""Which route limits and shares hold, per route and year, when scenario pieces disagree.

The rule (docs/data.md, "Limits from several pieces"):

- Entries from a **later piece** of the chain (an override after the base, a
  user file after its ``extends``, ``--override`` and levers after both)
  **replace** every earlier entry for the same route and year, whatever
  bounds those set. So a lever that raises the BTC quota to 7 Mt/yr from 2027
  lifts the scenario's 2.2 Mt/yr cap for 2027 onwards and keeps it elsewhere.
- Entries of **one piece** for the same route and year **intersect**: the
  largest minimum and the smallest maximum apply (a piece can say "at least
  1.5 in 2023-2027" and "at most 2.2 from 2024" in two entries).

Every entry that ends up with no effect in some year (replaced by a later
piece, or masked by a tighter entry of its own piece) gives a note, so a
lever that changes nothing never passes silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from .library import Origin
from .settings import expand_years


@dataclass(frozen=True)
class Effective:
    """The bounds that hold on one route in one year and the entries they come from (indices into the merged list)."""

    low: float | None
    high: float | None
    low_from: int | None
    high_from: int | None


def _span(years: list[int]) -> str:
    """2023, 2024, 2025, 2027 -> '2023-2025, 2027'."""
    ys = sorted(set(years))
    parts, start = [], ys[0]
    for a, b in zip(ys, ys[1:] + [None]):
        if b != a + 1:
            parts.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(parts)


def effective(entries: list, lows: list[float | None], highs: list[float | None], origins: list[Origin | None], years: list[int], kind: str) -> tuple[dict[tuple[str, int], Effective], list[str]]:
    """Apply the rule to ``entries`` (each with ``.route`` and ``.years``); ``lows``/``highs`` are their bounds.

    Returns ``{(route, year): Effective}`` for the horizon ``years`` and the notes.
    """
    covering: dict[tuple[str, int], list[int]] = {}
    for i, e in enumerate(entries):
        try:
            ys = expand_years(e.years, years)
        except ValueError:
            continue  # reported by the checks
        for y in ys:
            if y in years:
                covering.setdefault((e.route, y), []).append(i)

    def order(i: int) -> int:
        o = origins[i] if i < len(origins) else None
        return o.order if o else 0

    out: dict[tuple[str, int], Effective] = {}
    idle: dict[tuple[int, str, int | None], list[int]] = {}  # (entry, why, by) -> years
    for (route, y), idx in covering.items():
        last = max(order(i) for i in idx)
        live = [i for i in idx if order(i) == last]
        for i in idx:
            if order(i) != last:
                idle.setdefault((i, "replaced", live[0]), []).append(y)
        lo_i = max((i for i in live if lows[i] is not None), key=lambda i: lows[i], default=None)
        hi_i = min((i for i in live if highs[i] is not None), key=lambda i: highs[i], default=None)
        for i in live:
            if lows[i] is not None and lo_i is not None and i != lo_i and lows[i] < lows[lo_i]:
                idle.setdefault((i, "masked-low", lo_i), []).append(y)
            if highs[i] is not None and hi_i is not None and i != hi_i and highs[i] > highs[hi_i]:
                idle.setdefault((i, "masked-high", hi_i), []).append(y)
        out[(route, y)] = Effective(
            None if lo_i is None else lows[lo_i], None if hi_i is None else highs[hi_i], lo_i, hi_i
        )
    notes = []
    for (i, why, j), ys in sorted(idle.items(), key=lambda t: (t[0][0], t[0][1])):
        me, other = origins[i] if i < len(origins) else None, origins[j] if j < len(origins) else None
        mine = f"{kind}[{i}] on '{entries[i].route}'" + (f" from {me.piece} ({me.where()})" if me else "")
        theirs = f"{kind}[{j}]" + (f" from {other.piece} ({other.where()})" if other else "")
        if why == "replaced":
            notes.append(f"{mine} has no effect in {_span(ys)}: {theirs} replaces it there (a later piece's entries replace earlier ones for the same route and year)")
        elif why == "masked-low":
            notes.append(f"{mine}: its minimum {lows[i]:g} is masked in {_span(ys)} by the larger minimum {lows[j]:g} of {theirs}")
        else:
            notes.append(f"{mine}: its maximum {highs[i]:g} is masked in {_span(ys)} by the smaller maximum {highs[j]:g} of {theirs}")
    return out, notes


def route_limits(settings, origins: list[Origin | None], years: list[int]) -> tuple[dict[tuple[str, int], Effective], list[str]]:
    """The route limits (Mt/yr) that hold per route and year, and the notes."""
    lims = settings.route_limits
    return effective(lims, [lim.min_mt for lim in lims], [lim.max_mt for lim in lims], origins, years, "route_limits")


def route_shares(settings, origins: list[Origin | None], years: list[int]) -> tuple[dict[tuple[str, int], Effective], list[str]]:
    """The maximum shares that hold per route and year (in ``high``), and the notes."""
    shs = settings.route_shares
    return effective(shs, [None] * len(shs), [sh.max_share for sh in shs], origins, years, "route_shares")
