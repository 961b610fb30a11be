"""The input tables described as data: one place drives loading, validation and docs.

Each :class:`Table` lists its columns (type, unit, allowed range, reference to
another table's ids) and its key. :mod:`energy_routes.load` turns these into
pandera schemas and checks every file against them. ``docs/data.md`` is the
prose version of this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


@dataclass(frozen=True)
class Col:
    """One column of an input table."""

    name: str
    kind: str  # "id" | "text" | "int" | "float" | "enum"
    unit: str = ""
    min: float | None = None
    max: float | None = None
    nullable: bool = False
    ref: str | None = None  # "table.column" whose values this column must use
    choices: tuple[str, ...] = ()
    optional: bool = False  # the column itself may be absent

    def expected(self) -> str:
        """Plain-language statement of what a valid value looks like."""
        if self.kind == "id":
            base = "an id (lower-case letters, digits, _)"
        elif self.kind == "enum":
            base = "one of " + ", ".join(self.choices)
        elif self.kind == "int":
            base = "a whole number"
        elif self.kind == "float":
            base = "a number"
        else:
            base = "text"
        if self.min is not None and self.max is not None:
            base += f" in [{self.min:g}, {self.max:g}]"
        elif self.min is not None:
            base += f" >= {self.min:g}"
        elif self.max is not None:
            base += f" <= {self.max:g}"
        if self.unit:
            base += f" ({self.unit})"
        return base


@dataclass(frozen=True)
class Table:
    """One CSV input file."""

    name: str
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    description: str
    years_consecutive_by: tuple[str, ...] | None = None  # group columns, if a year series
    required: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


YEAR = Col("year", "int", min=2000, max=2100)

TABLES: tuple[Table, ...] = (
    Table(
        "sources",
        (
            Col("source", "id"),
            Col("name", "text"),
            Col("bbl_per_t", "float", "bbl/t", 6.5, 8.5),
            Col("ramp_up_per_day", "float", "fraction of full rate per day", 0.001, 1, nullable=True, optional=True),
            Col("description", "text", nullable=True),
        ),
        key=("source",),
        description="Export supply origins (each is a field node of the network)",
    ),
    Table(
        "grades",
        (
            Col("grade", "id"),
            Col("name", "text"),
            Col("bbl_per_t", "float", "bbl/t", 6.5, 8.5),
            Col("diff_usd_per_bbl", "float", "$/bbl", -60, 20),
            Col("description", "text", nullable=True),
        ),
        key=("grade",),
        description="Crude grades and their differential to Dated Brent",
    ),
    Table(
        "assets",
        (
            Col("asset", "id"),
            Col("block", "enum", choices=("oil", "power")),
            Col("name", "text"),
            Col("units", "int", "count", 1, 100),
            Col("max_active_units", "int", "count", 1, 100),
            Col("description", "text", nullable=True),
        ),
        key=("asset",),
        description="Physical assets",
    ),
    Table(
        "routes",
        (
            Col("route", "id"),
            Col("name", "text"),
            Col("grade", "id", ref="grades.grade"),
            Col("description", "text", nullable=True),
        ),
        key=("route",),
        description="Export outlets",
    ),
    Table(
        "supply",
        (YEAR, Col("source", "id", ref="sources.source"), Col("export_supply_mt", "float", "Mt/yr", 0, 150)),
        key=("source", "year"),
        description="Export supply outlook",
        years_consecutive_by=("source",),
    ),
    Table(
        "prices",
        (YEAR, Col("brent_usd_per_bbl", "float", "$/bbl", 10, 250)),
        key=("year",),
        description="Dated Brent by year",
        years_consecutive_by=(),
    ),
    Table(
        "asset_capacity",
        (
            YEAR,
            Col("asset", "id", ref="assets.asset"),
            Col("capacity_mt", "float", "Mt/yr", 0, 200),
            Col("third_party_mt", "float", "Mt/yr", 0, 200),
        ),
        key=("asset", "year"),
        description="Oil asset capacity by year",
        years_consecutive_by=("asset",),
    ),
    Table(
        "nodes",
        (
            Col("node", "id"),
            Col("kind", "enum", choices=("hub", "port", "terminal")),
            Col("name", "text"),
            Col("description", "text", nullable=True),
        ),
        key=("node",),
        description="Hubs, ports and terminals between the fields (sources) and the outlets (routes)",
    ),
    Table(
        "arcs",
        (
            Col("arc", "id"),
            Col("from_node", "id"),
            Col("to_node", "id"),
            Col("asset", "id", ref="assets.asset", nullable=True),
            Col("tariff_usd_per_t", "float", "$/t", 0, 200),
            Col("description", "text", nullable=True),
        ),
        key=("arc",),
        description="Pipelines, terminals, tanker legs, rail and feeders joining the nodes",
    ),
    Table(
        "stores",
        (
            Col("store", "id"),
            Col("node", "id"),
            Col("name", "text"),
            Col("capacity_kt", "float", "kt", 0, 10000),
            Col("min_level_kt", "float", "kt", 0, 10000),
            Col("opening_kt", "float", "kt", 0, 10000),
            Col("max_in_kt_per_day", "float", "kt/day", 0, 2000),
            Col("max_out_kt_per_day", "float", "kt/day", 0, 2000),
            Col("description", "text", nullable=True),
        ),
        key=("store",),
        description="Tank farms and usable linefill at nodes",
        required=False,
    ),
    Table(
        "source_routes",
        (
            Col("source", "id", ref="sources.source"),
            Col("route", "id", ref="routes.route"),
            Col("feeder_cost_usd_per_t", "float", "$/t", 0, 200),
            Col("max_mt", "float", "Mt/yr", 0, 150, nullable=True),
        ),
        key=("source", "route"),
        description="Which source reaches which outlet",
    ),
    Table(
        "power_capacity",
        (YEAR, Col("technology", "enum", choices=("wind", "solar")), Col("capacity_mw", "float", "MW", 0, 50000)),
        key=("technology", "year"),
        description="Renewable capacity dedicated to export",
        years_consecutive_by=("technology",),
    ),
    Table(
        "power_links",
        (
            Col("asset", "id", ref="assets.asset"),
            Col("from_node", "id"),
            Col("to_node", "id"),
            Col("capacity_mw", "float", "MW", 0, 20000),
            Col("commissioning_year", "int", "", 2000, 2100),
            Col("length_km", "float", "km", 1, 5000),
            Col("line_loss_per_1000km", "float", "fraction", 0, 0.2),
            Col("converter_loss", "float", "fraction", 0, 0.05),
        ),
        key=("asset",),
        description="Export cables",
    ),
    Table(
        "power_profiles",
        (
            Col("hour", "int", "", 0, 8759),
            Col("wind_cf", "float", "fraction", 0, 1),
            Col("solar_cf", "float", "fraction", 0, 1),
        ),
        key=("hour",),
        description="Hourly capacity factors of a representative year",
        extra={"rows": 8760},
    ),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}

#: Levers of ``energy-routes hedge`` (read only by that command, so not in TABLES): each names the
#: capacity or limit it changes, its bounds, unit and annualised cost (docs/hedge.md)
HEDGE_LEVERS = Table(
    "hedge_levers",
    (
        Col("lever", "id"),
        Col("kind", "enum", choices=("asset", "route_limit", "source_route", "store")),
        Col("target", "text"),
        Col("unit", "enum", choices=("Mt/yr", "kt")),
        Col("min", "float", "unit", 0, 1e6),
        Col("max", "float", "unit", 0, 1e6),
        Col("onoff", "enum", choices=("yes", "no")),
        Col("cost", "float", "cost_unit", 0, 1e6),
        Col("cost_unit", "enum", choices=("musd_per_yr_per_mt_yr", "musd_per_yr_per_kt", "musd_per_yr")),
        Col("description", "text", optional=True),
    ),
    key=("lever",),
    description="First-stage levers of the hedge command",
)

#: The power links the power block knows how to use.
TRANS_CASPIAN = "trans_caspian_cable"
BLACK_SEA = "black_sea_cable"
