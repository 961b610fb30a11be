"""One command for the whole story: a base, a disruption on top of it, and each lever on top of that.

``energy-routes story SCENARIO --event ... [--lever ...]`` (or a story file)
solves, in this order: the base (SCENARIO with its ``--override``), the
disrupted case (the base plus the events) and, for each lever, the disrupted
case plus the lever (a named override). It writes one story folder, atomically:

- ``cases/<n>-<role>/``: each case as a run folder (CSV tables and manifest);
- ``story_headline.csv``: per case, the disrupted year(s)' shut-in and export
  netback and their differences from the base; the headline sentence is made
  from this table alone (:func:`headline`), so its numbers are the table's;
- ``story_*.csv``: the cases side by side (:mod:`energy_routes.compare`: A is
  the base, B the disrupted case, C, D, ... the levers);
- ``story.xlsx``, ``story.html``, ``chart-story.png``, ``chart-map.png`` and
  ``chart-monthly.png`` (of the disrupted case), ``manifest.json``.

An event is a named override (``--event cpc-two-spms-out-mar-2024``) or
``key=value`` pairs (``--event target=cpc_terminal,start=2027-03-01,weeks=6,remaining=0.3333``;
keys as in a scenario's ``events:``, with ``id`` optional). A story file is YAML::

    scenario: outlook-2023-2030
    overrides: []                      # optional
    events:                            # or: event: <override name>
      - {target: cpc_terminal, start: 2027-03-01, weeks: 6, remaining: 0.3333}
    levers: [aktau-berths-12_5, baku-supsa-restart]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, Problem
from .model.registry import EXPLAIN_FIRST, RULES, explain_rank

#: words for the share of the disruption's loss a lever takes away
HALF = (0.4, 0.6)
NOTHING = 0.05


@dataclass
class StoryRequest:
    """What to run: the scenario, its overrides, the disruption (override names and inline events) and the levers."""

    scenario: str
    overrides: list[str] = field(default_factory=list)
    event_overrides: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    levers: list[str] = field(default_factory=list)
    source: str = "command line"


@dataclass
class Case:
    role: str  # base, disrupted, lever
    key: str  # folder name part
    overrides: list[str]
    pieces: list[tuple[str, dict]]
    lever: str | None = None


# ------------------------------------------------------------------ reading the request

_NUMBER = re.compile(r"^-?\d+(\.\d*)?$")


def parse_event(text: str, known_overrides: list[str]) -> tuple[str, dict | str]:
    """('override', name) or ('event', settings dict) from an --event value."""
    text = text.strip()
    if text in known_overrides:
        return "override", text
    if "=" not in text:
        raise InputError([Problem("--event", f"'{text}' is neither a named override ({', '.join(known_overrides)}) nor key=value pairs "
                                  "such as target=cpc_terminal,start=2027-03-01,weeks=6,remaining=0.3333")])
    ev: dict = {}
    for part in text.split(","):
        if "=" not in part:
            raise InputError([Problem("--event", f"'{part}' in '{text}' is not key=value")])
        k, v = (x.strip() for x in part.split("=", 1))
        ev[k] = float(v) if _NUMBER.match(v) and k not in ("id", "target", "start", "end") else v
        if k in ("days", "ramp_days") and isinstance(ev[k], float) and ev[k].is_integer():
            ev[k] = int(ev[k])
    return "event", ev


def read_story_file(path: Path) -> StoryRequest:
    """A story file (YAML): scenario, overrides, event/events, levers."""
    from .scenario.yamlio import load_yaml

    data, _lines = load_yaml(Path(path))
    rel = Path(path).name
    if not isinstance(data, dict) or "scenario" not in data:
        raise InputError([Problem(rel, "a story file is a mapping with scenario, events (or event) and levers", line=1)])
    unknown = [k for k in data if k not in ("scenario", "overrides", "event", "events", "levers", "description")]
    if unknown:
        raise InputError([Problem(rel, f"unknown key(s) {', '.join(unknown)}; a story file has scenario, overrides, event or events, levers", column=unknown[0])])
    req = StoryRequest(str(data["scenario"]), list(data.get("overrides") or []), source=rel)
    evs = data.get("events") if "events" in data else data.get("event")
    for ev in evs if isinstance(evs, list) else [evs] if evs else []:
        if isinstance(ev, str):
            req.event_overrides.append(ev)
        elif isinstance(ev, dict):
            req.events.append({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in ev.items()})
        else:
            raise InputError([Problem(rel, f"an event is an override name or a mapping, got {ev!r}", column="events")])
    req.levers = list(data.get("levers") or [])
    return req


def cases(req: StoryRequest) -> list[Case]:
    """base, disrupted, and one case per lever (the disrupted case plus the lever)."""
    pieces = []
    for i, ev in enumerate(req.events):
        ev = dict(ev)
        ev.setdefault("id", f"{ev.get('target', 'event')}-{ev.get('start', i + 1)}")
        pieces.append((f"event {ev['id']}", {"events": [ev]}))
    out = [Case("base", "base", list(req.overrides), [])]
    out.append(Case("disrupted", "disrupted", [*req.overrides, *req.event_overrides], pieces))
    for lv in req.levers:
        out.append(Case("lever", f"lever-{lv}", [*req.overrides, *req.event_overrides, lv], pieces, lever=lv))
    return out


# ------------------------------------------------------------------ words


def _length(days: int) -> str:
    return f"{days // 7} week{'s' if days // 7 != 1 else ''}" if days % 7 == 0 else f"{days} day{'s' if days != 1 else ''}"


def describe_event(ev, scenario) -> str:
    """'Losing 2 of 3 SPMs at the CPC marine terminal for 6 weeks from 1 March 2027'."""
    inp = scenario.inputs
    assets = inp["assets"].set_index("asset")
    start = ev.start
    when = f"for {_length(ev.length_days)} from {start.day} {start:%B %Y}"
    ramp = f", recovering over {ev.ramp_days} days" if ev.ramp_days else ""
    if ev.target in assets.index:
        raw = str(assets.at[ev.target, "name"])
        name = re.sub(r"\s*\(.*\)\s*$", "", raw)
        units = int(assets.at[ev.target, "units"])
        noun = re.search(r"\(\s*\d+\s+([^)]+)\)", raw)
        if units > 1:
            left = int(round(ev.remaining * units))
            lost = units - left
            what = f"{noun.group(1)} at the {name}" if noun else f"units of the {name}"
            if lost == units:
                return f"Losing all {units} {what} {when}{ramp}"
            return f"Losing {lost} of {units} {what} {when}{ramp}"
        if ev.remaining == 0:
            return f"Shutting the {name} {when}{ramp}"
        return f"Cutting the {name} to {ev.remaining:.0%} of its capacity {when}{ramp}"
    routes = inp["routes"].set_index("route")
    if ev.target in routes.index:
        name = str(routes.at[ev.target, "name"])
        return (f"Shutting route {name} {when}{ramp}" if ev.remaining == 0 else f"Cutting route {name} to {ev.remaining:.0%} {when}{ramp}")
    sources = inp["sources"].set_index("source")
    name = str(sources.at[ev.target, "name"]) if ev.target in sources.index else ev.target
    return (f"Stopping {name} output {when}{ramp}" if ev.remaining == 0 else f"Cutting {name} output to {ev.remaining:.0%} {when}{ramp}")


def headline_table(runs: list, roles: list[str], years: list[int], levers: list[str | None] | None = None) -> pd.DataFrame:
    """run, label, role, lever, years, shut_in_mt, extra_shut_in_mt, export_netback_musd, lost_netback_musd, bbl_per_t, extra_shut_in_mbbl.

    Over the disrupted ``years``, from each case's allocation_annual and balance_monthly;
    ``extra`` and ``lost`` are against the base (row 0). ``bbl_per_t`` is the base's export
    mix in those years (barrels over tonnes of allocation_monthly), used for the Mbbl figure.
    """
    rows = []
    for k, (r, role) in enumerate(zip(runs, roles)):
        bal = r.tables["balance_monthly"]
        sh = bal[bal.period.str[:4].astype(int).isin(years)].shut_in_kt.sum() / 1000.0
        ann = r.tables["allocation_annual"]
        nb = ann[ann.year.isin(years)].netback_musd.sum()
        lever = (levers or [None] * len(runs))[k] or ""
        rows.append([chr(ord("A") + k), r.label, role, lever, "-".join(map(str, sorted({years[0], years[-1]}))), sh, nb])
    base = runs[0].tables["allocation_monthly"]
    b = base[base.period.str[:4].astype(int).isin(years)]
    days = pd.Series({p: pd.Period(p, "M").days_in_month for p in b.period.unique()})
    bbl_per_t = float((b.volume_kbd * b.period.map(days)).sum() / b.volume_kt.sum()) if b.volume_kt.sum() > 0 else float("nan")
    df = pd.DataFrame(rows, columns=["run", "label", "role", "lever", "years", "shut_in_mt", "export_netback_musd"])
    df["extra_shut_in_mt"] = df.shut_in_mt - df.shut_in_mt.iloc[0]
    df["lost_netback_musd"] = df.export_netback_musd.iloc[0] - df.export_netback_musd
    df["bbl_per_t"] = bbl_per_t
    df["extra_shut_in_mbbl"] = df.extra_shut_in_mt * bbl_per_t
    return df[["run", "label", "role", "lever", "years", "shut_in_mt", "extra_shut_in_mt", "extra_shut_in_mbbl", "export_netback_musd", "lost_netback_musd", "bbl_per_t"]]


def lever_words(row, disrupted, why: str = "") -> str:
    """What a lever does to the disruption's loss, in words, with its numbers."""
    loss, base_loss = float(row.lost_netback_musd), float(disrupted.lost_netback_musd)
    nums = f"shut-in {row.extra_shut_in_mt:+,.2f} Mt and export netback {-loss:+,.0f} M$ against the base"
    if base_loss <= 0:
        return f"with it, {nums}"
    cut = 1.0 - loss / base_loss
    if abs(cut) < NOTHING:
        return f"adds nothing ({nums})" + (f": {why}" if why else "")
    if loss < 0:
        return f"more than makes up for it ({nums})"
    if cut >= 1 - NOTHING:
        return f"removes almost all of it ({nums})"
    if HALF[0] <= cut <= HALF[1]:
        return f"roughly halves that ({nums})"
    if cut > 0:
        return f"cuts the loss by {cut:.0%} ({nums})"
    return f"makes it {-cut:.0%} worse ({nums})"


def headline(table: pd.DataFrame, event_text: str, years: list[int], why: dict[str, str] | None = None) -> str:
    """The story in one paragraph, every number taken from ``table`` (:func:`headline_table`)."""
    d = table[table.role == "disrupted"].iloc[0]
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
    text = (f"{event_text} shuts in {d.extra_shut_in_mt:,.2f} Mt in {span} (≈ {d.extra_shut_in_mbbl:,.1f} Mbbl at {d.bbl_per_t:.2f} bbl/t) "
            f"and costs {d.lost_netback_musd:,.0f} M$ of export netback against the base.")
    for row in table[table.role == "lever"].itertuples():
        text += f" Lever {row.lever} {lever_words(row, d, (why or {}).get(row.run, ''))}."
    return text


def lever_path(plain, lever) -> set[str]:
    """What a lever's crude passes through: the routes whose inputs the lever changes (an asset's capacity on
    the route, the route's limits, schedule, shippers' allocations or extra acceptance), their assets, the
    stores at those assets' ends, their acceptors and ``source:route`` pairs, as the names binding
    constraints carry. ``plain`` and ``lever`` are the :class:`~.params.OilParams` of the disrupted case
    without and with the lever."""
    net = lever.network
    changed_assets = {a for i, a in enumerate(net.assets) if a not in plain.assets or not np.array_equal(lever.caps.asset_cap[i], plain.caps.asset_cap[plain.assets.index(a)])}
    routes = {r for r, assets in net.route_assets.items() if changed_assets.intersection(assets)}
    for i, r in enumerate(net.routes):
        if r not in plain.routes:
            routes.add(r)
            continue
        j = plain.routes.index(r)
        if not all(np.array_equal(getattr(lever, f)[i], getattr(plain, f)[j]) for f in ("limit_lo", "limit_hi", "share", "schedule")):
            routes.add(r)
    plain_pairs = dict(zip(plain.pairs, plain.pair_cap))
    routes |= {r for (s, r), cap in zip(lever.pairs, lever.pair_cap) if (s, r) not in plain_pairs or not np.array_equal(cap, plain_pairs[(s, r)])}
    assets = {a for r in routes for a in net.route_assets.get(r, ())}
    nodes = {n for arc in net.arcs if arc.asset in assets for n in (arc.src, arc.dst)}
    acceptors = {g for g, covered in zip(lever.accept.acceptors, lever.accept.routes) if routes.intersection(covered)}
    return routes | assets | acceptors | {k.store for k in net.stores if k.node in nodes} | {f"{s}:{r}" for s, r in net.pairs if r in routes}


def reason(run, base, year: int, disrupted_targets: set[str], path: set[str] | None = None) -> str:
    """Why a lever's case still loses, in words.

    Of ``run``'s binding constraints in ``year`` not on a disrupted target, the value of each over the year
    is |mean $/t| × periods binding, and what counts is its rise above the base's (a limit that binds all year
    in the base too, a shipper's monthly allocation say, does not explain what the disruption costs). With
    the lever's ``path`` (:func:`lever_path`), the answer is what on that path stops more crude: of its
    constraints that bind with a positive value (more of it would earn money), a capacity, schedule,
    acceptance or limit (``model.registry.EXPLAIN_FIRST``) before a full tank, which is where crude backs up
    behind one; among those, the one whose value rises most (within 1 $/t, the first in that order).
    Without a path, or when nothing on it binds, the constraint anywhere whose value rises most; when none
    rises, the one of highest value. A rule of behaviour (``model.registry.RULES``: a tank held at its working
    level, a cut held for its horizon) is what foresight would be worth, not what stops the crude: it is named
    only when nothing else binds."""

    def rise(positive: bool):
        """(run's rows, their values, the values' rise above the base's), by (constraint, target)."""

        def weights(r):
            b = r.binding()
            b = b[(b.year == year) & ~b.asset_or_route.isin(disrupted_targets)]
            if positive:
                b = b[b.mean_usd_per_t > 0]
            return b, (b.mean_usd_per_t.abs() * b.periods_binding).groupby([b.constraint, b.asset_or_route]).sum()

        b, w = weights(run)
        up = w.sub(weights(base)[1], fill_value=0.0).reindex(w.index)
        rules = [c in RULES for c, _ in w.index]
        if not all(rules):  # a rule only when nothing else binds
            keep = [not x for x in rules]
            w, up = w[keep], up[keep]
        return b, w, up

    pick = None
    if path:
        b, _, up = rise(True)
        on = up[[t in path and v > 0 for (_, t), v in up.items()]]
        stops = on[[c in EXPLAIN_FIRST for c, _ in on.index]]
        on = stops if len(stops) else on  # a full tank only when nothing ahead of it binds
        if len(on):
            near = [key for key, v in on.items() if v >= float(on.max()) - 1.0]
            pick = min(near, key=lambda key: (explain_rank(key[0]), -float(on[key]), key))
    if pick is None:
        b, w, r = rise(False)
        if b.empty:
            return ""
        pick = r.idxmax() if (r > 0).any() else w.idxmax()
    constraint, target = pick
    row = b[(b.constraint == constraint) & (b.asset_or_route == target)].iloc[0]
    what = row["what"] if "what" in b.columns and isinstance(row.get("what"), str) else f"{constraint} on {target} binds"
    return f"{what} in {year}"


# ------------------------------------------------------------------ running it


@dataclass
class Story:
    """A finished story in memory: the cases as run folders read back, the tables and the headline."""

    runs: list  # report.rundata.RunData, base first
    roles: list[str]
    tables: dict[str, pd.DataFrame]
    headline: str
    years: list[int]
    event_text: str


def check_request(req: StoryRequest, library) -> None:
    problems = []
    for name in [*req.overrides, *req.event_overrides]:
        if name not in library.overrides:
            problems.append(Problem("--event" if name in req.event_overrides else "--override", f"unknown override '{name}'; known: {', '.join(library.overrides)}"))
    for lv in req.levers:
        if lv not in library.overrides:
            problems.append(Problem("--lever", f"unknown lever '{lv}'; a lever is a named override: {', '.join(library.overrides)}"))
    if not req.events and not req.event_overrides:
        problems.append(Problem("--event", "missing; a story needs a disruption: a named override or target=...,start=...,weeks=...,remaining=..."))
    if problems:
        raise InputError(problems)


def solve_cases(inputs_dir: Path, req: StoryRequest, power: bool = False, progress=None) -> list[tuple[Case, object]]:
    """Run every case in memory (api.run_scenario); returns (case, RunResult) pairs."""
    from .api import run_scenario

    out = []
    for case in cases(req):
        if progress:
            progress(case)
        out.append((case, run_scenario(inputs_dir, req.scenario, case.overrides, power=power, extra_pieces=case.pieces)))
    return out


def build(folder: Path, solved: list[tuple[Case, object]], inputs_dir: Path, req: StoryRequest) -> Story:
    """Write each case into ``folder/cases/`` and make the story's tables and headline from those folders."""
    from . import compare as cmp
    from .focus import focus, horizon_days
    from .report.rundata import load_run
    from .writers import manifest_for, write_run

    runs, roles = [], []
    for n, (case, result) in enumerate(solved):
        sub = folder / "cases" / f"{n + 1}-{case.key}"
        write_run(sub, result.tables, manifest_for(result, inputs_dir, req.scenario))
        runs.append(load_run(sub))
        roles.append(case.role)
    base_sc, dis_sc = solved[0][1].scenario, solved[1][1].scenario
    base_ids = {e.id for e in base_sc.settings.events}
    story_events = [e for e in dis_sc.settings.events if e.id not in base_ids]
    first, last = horizon_days([str(dis_sc.months[0]), str(dis_sc.months[-1])])
    fc = focus(story_events, first, last)
    if fc is None:
        raise InputError([Problem("--event", "the disruption has no window inside the horizon of the scenario")])
    years = fc.years
    event_text = " and ".join(describe_event(e, dis_sc) for e in story_events)
    tables = {f"story_{k}": v for k, v in cmp.compare_runs(*runs).items()}
    head = headline_table(runs, roles, years, [c.lever for c, _ in solved])
    targets = {e.target for e in story_events}
    from .params import oil_params

    plain = oil_params(dis_sc)
    why = {
        row.run: reason(runs[i], runs[0], fc.year, targets, lever_path(plain, oil_params(solved[i][1].scenario)))
        for i, row in enumerate(head.itertuples())
        if row.role == "lever"
    }
    text = headline(head, event_text, years, why)
    tables = {"story_headline": head, **tables}
    return Story(runs, roles, tables, text, years, event_text)


def run_story(
    inputs_dir: Path,
    req: StoryRequest,
    out: Path | None = None,
    *,
    power: bool = False,
    pngs: bool = True,
    progress=None,
) -> tuple[Path, Story]:
    """Solve the cases and write the story folder atomically; returns the folder and the story."""
    from .scenario import load_library
    from .writers import command_line, default_out_dir, now_iso, write_run

    check_request(req, load_library(Path(inputs_dir)))
    solved = solve_cases(Path(inputs_dir), req, power=power, progress=progress)
    target = Path(out) if out else default_out_dir(f"story-{Path(req.scenario).stem}")
    holder: dict = {}

    def finish(tmp: Path) -> None:
        from .report.storypage import write_story_files

        story = build(tmp, solved, Path(inputs_dir), req)
        holder["story"] = story
        from .writers import write_csv

        import json

        for name, df in story.tables.items():
            write_csv(df, tmp / f"{name}.csv")
        (tmp / "headline.txt").write_text(story.headline + "\n", encoding="utf-8")
        files = write_story_files(tmp, story, shown_as=target, pngs=pngs)
        man = json.loads((tmp / "manifest.json").read_text())
        man["headline"] = story.headline
        man["years"] = story.years
        man["files"] = {**{f"{n}.csv": len(df) for n, df in story.tables.items()}, "headline.txt": 1, **{p.name: None for p in files}}
        (tmp / "manifest.json").write_text(json.dumps(man, indent=2, default=str) + "\n")

    manifest = {
        "energy_routes_story": 1,
        "created_utc": now_iso(),
        "command": command_line(),
        "request": {"scenario": req.scenario, "overrides": req.overrides, "event_overrides": req.event_overrides, "events": req.events, "levers": req.levers, "from": req.source},
        "cases": [{"role": c.role, "folder": f"cases/{n + 1}-{c.key}", "label": r.scenario.label} for n, (c, r) in enumerate(solved)],
        "power": power,
    }
    folder = write_run(target, {}, manifest, finalize=finish)
    return folder, holder["story"]
