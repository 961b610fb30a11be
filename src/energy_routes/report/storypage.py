"""The deliverables of a story folder: ``story.html``, ``story.xlsx`` and the slide PNGs.

Takes a :class:`energy_routes.story.Story` (the cases read back from their run
folders, the side-by-side tables and the headline) and writes, into the story
folder: ``story.xlsx`` (Headline, Runs, the side-by-side sheets, each case's
binding constraints in words), ``story.html`` (headline, cards per case, the
per-case volume and shut-in chart, the disrupted case's map and monthly chart,
bottlenecks in words per case, the tables) and ``chart-story.png``,
``chart-map.png``, ``chart-monthly.png``. Opens offline like the run report.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from .. import compare as cmp
from .html import figure_html, kpi_html, page, table_html
from .tables import Sheet, named

ROLE_WORDS = {"base": "base", "disrupted": "disrupted", "lever": "disrupted + lever"}


def _headline_sheet(story) -> Sheet:
    labels = {
        "run": ("run", "text"), "label": ("scenario and what was added", "text"), "role": ("role", "text"), "lever": ("lever", "text"), "years": ("years counted", "text"),
        "shut_in_mt": ("shut in (Mt)", "mt"), "extra_shut_in_mt": ("shut in against the base (Mt)", "mt"),
        "extra_shut_in_mbbl": ("shut in against the base (Mbbl)", "num"), "export_netback_musd": ("export netback (M$)", "musd"),
        "lost_netback_musd": ("export netback lost against the base (M$)", "musd"), "bbl_per_t": ("barrels per tonne (base export mix)", "num"),
    }
    return Sheet("Headline", "The disrupted year(s) per case; the headline's numbers are these", story.tables["story_headline"], "story_headline.csv", labels=labels)


def _bottlenecks(story) -> pd.DataFrame:
    rows = []
    year = story.years[0] if len(story.years) == 1 else None
    for k, (r, role) in enumerate(zip(story.runs, story.roles)):
        b = r.binding()
        b = b[b.year.isin(story.years)] if year is None else b[b.year == year]
        for s in b.itertuples():
            rows.append((chr(ord("A") + k), r.label, ROLE_WORDS[role], int(s.year), s.mean_usd_per_t, s.sentence))
    return pd.DataFrame(rows, columns=["run", "label", "role", "year", "mean_usd_per_t", "sentence"])


def story_sheets(story) -> list[Sheet]:
    sheets = [_headline_sheet(story)]
    sheets.append(Sheet("Runs", "The cases: A is the base, B the disrupted case, then each lever on top of B", pd.DataFrame(
        [(chr(ord("A") + k), r.label, ROLE_WORDS[role], ", ".join(r.added) or "none", f"cases/{r.folder.name}") for k, (r, role) in enumerate(zip(story.runs, story.roles))],
        columns=["run", "label", "role", "added_to_it", "folder"])))
    tables = {k.removeprefix("story_"): v for k, v in story.tables.items() if k != "story_headline"}
    for s in cmp.sheets(tables, *story.runs):
        if s.name != "Runs":
            s.csv = s.csv.replace("compare_", "story_") if s.csv else s.csv
            s.title = s.title.replace("compare_", "story_")
            sheets.append(s)
    sheets.append(Sheet("Bottlenecks in words", "Every binding constraint of each case in the disrupted year(s), in words", named(_bottlenecks(story), story.runs[0])))
    return sheets


def story_html(story, shown_as: Path | None = None) -> str:
    from .charts import monthly_chart
    from .map import map_chart

    runs = story.runs
    dis = runs[1]
    head = story.tables["story_headline"]
    span = f"{story.years[0]}" if len(story.years) == 1 else f"{story.years[0]}-{story.years[-1]}"
    title = f"Story: {story.event_text}"
    parts = [f"<h1>{html.escape(title)}</h1>", f'<p class="headline" id="headline">{html.escape(story.headline)}</p>']
    parts.append('<p class="meta">' + " · ".join(html.escape(f"{r.run} = {r.label}") for r in head.itertuples()) + "</p>")
    cards = []
    for r in head.itertuples():
        cards.append((f"{r.run}: {r.label} - shut in against the base, Mt, {span}", f"{r.extra_shut_in_mt:+,.2f}"))
        cards.append((f"{r.run}: export netback lost against the base, M$, {span}", f"{r.lost_netback_musd:,.0f}"))
    parts.append(kpi_html(cards[2:]))  # the base against itself says nothing
    tables = {k.removeprefix("story_"): v for k, v in story.tables.items() if k != "story_headline"}
    sections = [("story-chart", "Volume by route and shut-in, per case", "Each case's volume by route and shut-in in the disrupted year (left), and shut-in by month (right; the disruption shaded). A is the base, B the disrupted case, then each lever on top of B.",
                 figure_html(cmp.figure(tables, *runs), "story-chart"))]
    mc = map_chart(dis)
    if mc is not None:
        sections.append(("map", f"The disrupted case on the map: {dis.label}", mc.caption, figure_html(mc.figure, "map")))
    mo = monthly_chart(dis)
    sections.append(("monthly", f"Month by month: {dis.label}", mo.caption, figure_html(mo.figure, "monthly")))
    parts.append("<nav>" + "".join(f'<a href="#sec-{i}">{html.escape(t)}</a>' for i, t, _, _ in sections) + '<a href="#sec-bottlenecks">Bottlenecks</a><a href="#sec-tables">Tables</a></nav>')
    for sid, heading, caption, body in sections:
        parts.append(f'<section id="sec-{sid}"><h2>{html.escape(heading)}</h2><p class="caption">{html.escape(caption)}</p>{body}</section>')
    parts.append('<section id="sec-bottlenecks"><h2>Bottlenecks in words, per case</h2>')
    b = _bottlenecks(story)
    for k, r in enumerate(runs):
        mine = b[b.run == chr(ord("A") + k)]
        items = "".join(f"<li>{html.escape(s)}</li>" for s in mine.sentence) or "<li>No constraint binds.</li>"
        parts.append(f"<h3>{html.escape(chr(ord('A') + k) + ': ' + r.label)}</h3><ul class=\"binding\">{items}</ul>")
    parts.append("</section>")
    parts.append('<section id="sec-tables"><h2>Tables</h2><p class="caption">Also in story.xlsx and the story_*.csv files; each case\'s own tables are in cases/.</p>')
    for s in story_sheets(story):
        if s.name == "Bottlenecks in words":
            continue
        parts.append(f"<h3>{html.escape(s.name)}</h3><p class=\"caption\">{html.escape(s.title)}</p>{table_html(s, 500)}")
    parts.append("</section>")
    return page(title, "\n".join(parts)).replace("</style>", ".headline { font-size: 1.15em; line-height: 1.45; background: #F3F6F9; padding: 10px 14px; border-left: 4px solid #0072B2; }\n</style>", 1)


def write_story_files(folder: Path, story, shown_as: Path | None = None, pngs: bool = True) -> list[Path]:
    """story.xlsx, story.html and (``pngs``) the slide PNGs into ``folder``."""
    from .map import map_png
    from .png import monthly_png
    from .workbook import write_workbook

    written = [write_workbook(story_sheets(story), folder / "story.xlsx", f"Story: {story.event_text}"[:250])]
    (folder / "story.html").write_text(story_html(story, shown_as), encoding="utf-8")
    written.append(folder / "story.html")
    if pngs:
        written.append(cmp.compare_png({k.removeprefix("story_"): v for k, v in story.tables.items()}, story.runs, folder / "chart-story.png"))
        m = map_png(story.runs[1], folder / "chart-map.png")
        if m is not None:
            written.append(m)
        written.append(monthly_png(story.runs[1], folder / "chart-monthly.png"))
    return written
