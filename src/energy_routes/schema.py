"""The input tables described as data: one place drives loading, validation and docs.

Each :class:`Table` lists its columns (type, unit, allowed range, reference to
another table's ids) and its key. :mod:`energy_routes.load` turns these into
vectorised checks (``load.check_values``) and checks every file against them. ``docs/data.md`` is the
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
    lazy: bool = False  # read and checked on first use (load.Inputs), so runs that do not need it do not pay for it

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


YEAR = Col("year", "int", min=2000, max=2100)

#: hourly series of ``power_profiles.csv``: capacity factors (0-1) and shapes (ratio to the weather year's mean)
POWER_CF_SERIES = ("mangystau_wind", "mangystau_solar", "karakalpakstan_wind", "karakalpakstan_solar")
POWER_SHAPE_SERIES = ("mangystau_demand", "azerbaijan_demand", "romania_price")
POWER_LINK_KINDS = ("hvdc_submarine", "hvdc_overhead", "ac_overhead", "busbar")
#: cost items of ``power_costs.csv``: per MW of a generator or store, per MWh of a store, per MW-km of a line
#: kind, and per MW of an HVDC converter pair (both ends)
POWER_COST_ITEMS = ("wind", "solar", "battery_power", "battery_energy", "hvdc_submarine", "hvdc_overhead", "ac_overhead", "hvdc_converter_pair")

TABLES: tuple[Table, ...] = (
    Table(
        "sources",
        (
            Col("source", "id"),
            Col("name", "text"),
            Col("bbl_per_t", "float", "bbl/t", 6.5, 8.5),
            Col("ramp_up_per_day", "float", "fraction of full rate per day", 0.001, 1, nullable=True, optional=True),
            Col("cut_hold_days", "int", "days", 1, 366, nullable=True, optional=True),
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
        "grade_differentials",
        (
            YEAR,
            Col("grade", "id", ref="grades.grade"),
            Col("diff_usd_per_bbl", "float", "$/bbl", -60, 20),
            Col("basis", "text"),
        ),
        key=("grade", "year"),
        description="Differential to Dated Brent of a grade in a year, on the stated basis (replaces grades.csv diff_usd_per_bbl for that year)",
        required=False,
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
    # ------------------------------------------------------------ outlets as they work (issue 12; docs/model.md §1)
    Table(
        "asset_units",
        (
            Col("asset", "id", ref="assets.asset"),
            Col("unit", "id"),
            Col("name", "text"),
            Col("rate_mt", "float", "Mt/yr", 0, 200),
            Col("rate_low_mt", "float", "Mt/yr", 0, 200),
            Col("rate_high_mt", "float", "Mt/yr", 0, 200),
            Col("description", "text", nullable=True),
        ),
        key=("asset", "unit"),
        description="Units with identity of a multi-unit asset (the CPC terminal's moorings), each with its own rate",
        required=False,
    ),
    Table(
        "asset_sharing",
        (
            Col("asset", "id", ref="assets.asset"),
            Col("rule", "enum", choices=("pro_rata", "third_party_first")),
            Col("description", "text", nullable=True),
        ),
        key=("asset",),
        description="How Kazakh and third-party shippers share a derated asset (default: third party first)",
        required=False,
    ),
    Table(
        "schedules",
        (
            Col("route", "id", ref="routes.route"),
            YEAR,
            Col("month", "int", "", 1, 12),
            Col("schedule_kt", "float", "kt/month", 0, 20000),
        ),
        key=("route", "year", "month"),
        description="Planned monthly schedule of an outlet: no more than this leaves by the route without extra acceptance",
        required=False,
    ),
    Table(
        "acceptance",
        (
            Col("acceptor", "id"),
            Col("name", "text"),
            Col("routes", "text"),
            Col("extra_kt_per_month", "float", "kt/month", 0, 20000),
            Col("lead_time_days", "int", "days", 0, 3660),
            Col("premium_usd_per_t", "float", "$/t", 0, 1000),
            Col("description", "text", nullable=True),
        ),
        key=("acceptor",),
        description="Who must accept volume above an outlet's schedule in a disruption: how much a month, after what lead time, at what premium",
        required=False,
    ),
    # ------------------------------------------------------------ power block (docs/model.md §2)
    Table(
        "power_nodes",
        (Col("node", "id"), Col("name", "text"), Col("country", "id"), Col("description", "text", nullable=True)),
        key=("node",),
        description="Nodes of the power network (a region, a converter busbar or a landing point)",
    ),
    Table(
        "power_generators",
        (
            Col("generator", "id"),
            Col("node", "id", ref="power_nodes.node"),
            Col("technology", "enum", choices=("wind", "solar")),
            Col("profile", "enum", choices=POWER_CF_SERIES),
            Col("capacity_mw", "float", "MW", 0, 50000),
            Col("commissioning_year", "int", "", 2000, 2100),
            Col("vom_usd_per_mwh", "float", "$/MWh", 0, 100),
            Col("description", "text", nullable=True),
        ),
        key=("generator",),
        description="Wind and solar plants dedicated to export",
    ),
    Table(
        "power_offtake",
        (
            YEAR,
            Col("node", "id", ref="power_nodes.node"),
            Col("demand_mw", "float", "MW", 0, 50000, nullable=True),
            Col("demand_profile", "enum", choices=POWER_SHAPE_SERIES, nullable=True),
            Col("value_usd_per_mwh", "float", "$/MWh", 0, 1000, nullable=True),
            Col("price_profile", "enum", choices=POWER_SHAPE_SERIES, nullable=True),
            Col("gas_netback_usd_per_1000m3", "float", "$/1000 m3", 0, 2000, nullable=True),
            Col("gas_m3_per_mwh", "float", "m3/MWh", 100, 600, nullable=True),
            Col("gas_vom_usd_per_mwh", "float", "$/MWh", 0, 50, nullable=True),
            Col("description", "text", nullable=True),
        ),
        key=("node", "year"),
        description="What a node's offtake is worth (from that year on) and how much it can take",
    ),
    Table(
        "power_links",
        (
            Col("asset", "id", ref="assets.asset"),
            Col("from_node", "id", ref="power_nodes.node"),
            Col("to_node", "id", ref="power_nodes.node"),
            Col("kind", "enum", choices=POWER_LINK_KINDS),
            Col("capacity_mw", "float", "MW", 0, 20000),
            Col("commissioning_year", "int", "", 2000, 2100),
            Col("length_km", "float", "km", 0, 5000),
            Col("line_loss_per_1000km", "float", "fraction", 0, 0.2),
            Col("converter_loss", "float", "fraction", 0, 0.05),
            Col("wheeling_usd_per_mwh", "float", "$/MWh", 0, 100),
        ),
        key=("asset",),
        description="Power links: cables, lines and busbar feeders, one direction each",
    ),
    Table(
        "power_stores",
        (
            Col("store", "id"),
            Col("node", "id", ref="power_nodes.node"),
            Col("power_mw", "float", "MW", 0, 20000),
            Col("energy_mwh", "float", "MWh", 0, 200000),
            Col("round_trip_efficiency", "float", "fraction", 0.05, 1),
            Col("standing_loss_per_hour", "float", "fraction", 0, 0.1),
            Col("cost_usd_per_mwh", "float", "$/MWh", 0, 100),
            Col("commissioning_year", "int", "", 2000, 2100),
            Col("description", "text", nullable=True),
        ),
        key=("store",),
        description="Batteries: power and energy capacity, round-trip efficiency",
    ),
    Table(
        "power_costs",
        (
            Col("item", "enum", choices=POWER_COST_ITEMS),
            Col("capex_usd_per_unit", "float", "$", 0, 1e8),
            Col("unit", "enum", choices=("MW", "MWh", "MW-km")),
            Col("fom_share", "float", "fraction", 0, 0.2),
            Col("lifetime_yr", "int", "yr", 1, 100),
            Col("description", "text", nullable=True),
        ),
        key=("item",),
        description="Capital and fixed O&M costs for the planning mode and the levelised costs",
    ),
    Table(
        "power_profiles",
        (
            Col("weather_year", "int", "", 1, 100),
            Col("hour", "int", "", 0, 8759),
            *(Col(c, "float", "fraction", 0, 1) for c in POWER_CF_SERIES),
            *(Col(c, "float", "ratio to the annual mean", 0, 5) for c in POWER_SHAPE_SERIES),
        ),
        key=("weather_year", "hour"),
        description="Hourly capacity factors and demand/price shapes, one block of 8,760 hours per weather year",
        extra={"rows": 8760},
        lazy=True,
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
