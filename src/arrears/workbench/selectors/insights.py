"""Reads for the insights pages (经营分析): the insights app's figures in the viewer's scope,
shaped as tables (what the page lists and the Excel download holds) and chart data (what
``static/workbench/insights.js`` draws with ECharts).

Scope: a manager sees the creditors of their portfolios, a team lead the creditors of their
team's cases (and the league of their own team), an administrator everything. An empty scope
asks the insights app nothing, so "no creditor" can never be read as "every creditor".

Every figure is computed by ``arrears.insights`` in set-based SQL; this module only labels
it. A month whose stored month end is missing comes back as that section's message
(``InvalidInput``), never as a failed page.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.accounts.choices import Role
from arrears.accounts.models import User
from arrears.cases.models import CollectionCase
from arrears.core.dates import add_months
from arrears.core.errors import InvalidInput
from arrears.cycle.selectors import last_cycle_date
from arrears.insights.experiments import experiment_results, experiments_list
from arrears.insights.kpis import month_kpis
from arrears.insights.recovery import recovery_curves
from arrears.insights.roll_rates import roll_rates
from arrears.insights.vintages import vintages
from arrears.strategy.models import Playbook
from arrears.workbench.selectors.agencies_insights import agency_columns, agency_figures
from arrears.workbench.selectors.insights_cells import as_float, cell_text, number, percent

Record = dict[str, Any]
BUCKETS = [f"M{n}" for n in range(8)]
METRICS = ("ever30", "ever90")
TABLES = (
    *("aging", "roll-rates", "vintages", "recovery", "teams", "collectors", "experiments"),
    "agencies",
)
# What a person in charge of no portfolio is told instead of figures.
NO_SCOPE = gettext_lazy("You are in charge of no portfolio yet, so there are no figures to show.")
# The collector league's chart shows the leaders; its table and download hold everyone.
CHART_COLLECTORS = 20


@dataclass(frozen=True)
class InsightsScope:
    """What a viewer may see: ``creditor_ids`` None for every creditor, ``team_id`` the team
    whose league a team lead sees (None: every team in the creditors)."""

    creditor_ids: list[int] | None
    team_id: int | None = None

    @property
    def empty(self) -> bool:
        return self.creditor_ids is not None and not self.creditor_ids


@dataclass(frozen=True)
class Column:
    """A table column: the insights app's key it shows, its heading, how its cells read
    (``text``, ``int``, ``yuan``, ``rate`` a ratio shown in %, ``interval`` two ratios)."""

    key: str
    label: str
    kind: str = "text"


@dataclass
class InsightTable:
    """One chart's table: rows of raw values under ``columns``, the chart's data, or the
    message that stands in for both when the figures cannot be had."""

    slug: str
    columns: list[Column] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    chart: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    error: str = ""

    @property
    def display_rows(self) -> list[list[str]]:
        return [
            [cell_text(value, column.kind) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]


@dataclass
class InsightsPage:
    """Everything ``/insights/`` shows for one month."""

    month: date
    metric: str
    scope: InsightsScope
    tables: list[InsightTable]
    summary: list[tuple[str, str]]

    @property
    def charts(self) -> dict[str, dict[str, Any]]:
        return {t.slug: t.chart for t in self.tables if t.chart and not t.error}


def insights_scope(user: User) -> InsightsScope:
    """The creditors (and team) whose figures ``user`` may see."""
    if user.role == Role.ADMIN or user.is_superuser:
        return InsightsScope(creditor_ids=None)
    if user.role == Role.MANAGER:
        return InsightsScope(creditor_ids=sorted(user.creditors.values_list("pk", flat=True)))
    if user.role == Role.TEAM_LEAD and user.team is not None:
        cases = CollectionCase.objects.filter(team_id=user.team.pk)
        ids = set(cases.values_list("creditor_id", flat=True).distinct())
        # The team's own creditor too: a team whose first cases are still to come has one.
        ids.add(user.team.creditor_id)
        return InsightsScope(creditor_ids=sorted(ids), team_id=user.team.pk)
    return InsightsScope(creditor_ids=[])


def month_default(today: date) -> date:
    """The latest month whose end the cycle has closed (last month when it never ran)."""
    last = last_cycle_date() or today
    first = last.replace(day=1)
    return (
        first
        if last.day == calendar.monthrange(last.year, last.month)[1]
        else add_months(first, -1)
    )


def _columns(slug: str) -> list[Column]:
    """Each table's columns, in the active language."""
    c = Column
    money, rate = "yuan", "rate"
    loans, cases = c("loans", _("Loans"), "int"), c("cases", _("Cases"), "int")
    collected = c("collected", _("Collected (yuan)"), money)
    return {
        "aging": [c("bucket", _("Bucket")), loans, c("principal", _("Principal (yuan)"), money)],
        "roll-rates": [
            *(c("month", _("Month")), c("from", _("From")), c("to", _("To"))),
            *(c("base", _("Loans at the start"), "int"), c("loans", _("Loans moved"), "int")),
            *(c("rate", _("Rate by count"), rate), c("balance_rate", _("Rate by balance"), rate)),
        ],
        "vintages": [
            *(c("vintage", _("Vintage")), c("mob", _("Months on book"), "int"), loans),
            *(c("bad", _("Bad"), "int"), c("rate", _("Rate by count"), rate)),
            c("balance_rate", _("Rate by amount"), rate),
        ],
        "recovery": [
            *(c("kind", _("Kind")), c("cohort", _("Cohort")), c("bucket", _("Bucket"))),
            *(c("months", _("Months since entry"), "int"), cases),
            *(c("balance", _("Balance at entry (yuan)"), money), collected),
            c("rate", _("Recovery rate"), rate),
        ],
        "teams": [c("team", _("Team")), collected],
        "collectors": [
            *(c("user", _("Collector")), c("team", _("Team"))),
            *(c("contacts", _("Contacts"), "int"), c("promises", _("Promises"), "int")),
            collected,
        ],
        "experiments": [
            *(c("experiment", _("Experiment")), c("arm", _("Arm")), c("playbook", _("Playbook"))),
            *(cases, c("cured", _("Cured"), "int"), c("cure_rate", _("Cure rate"), rate)),
            *(c("cure_rate_ci", _("95 % interval"), "interval"), collected),
            *(c("contacts_per_case", _("Contacts per case")), c("complaints", _("Complaints"))),
            c("p_value", _("p-value of the difference")),
        ],
        "agencies": [c(key, label, kind) for key, label, kind in agency_columns()],
    }[slug]


def table_title(slug: str, metric: str = METRICS[0]) -> str:
    """A table's title in the active language (also its sheet's name)."""
    return {
        "aging": _("Aging at the month end"),
        "roll-rates": _("Roll rates"),
        "vintages": _("Vintages: ever 30+ days overdue")
        if metric == "ever30"
        else _("Vintages: ever 90+ days overdue"),
        "recovery": _("Recovery curves"),
        "teams": _("Team league"),
        "collectors": _("Collector league"),
        "experiments": _("Experiment arms"),
        "agencies": _("Agency performance"),
    }.get(slug, slug)


class _Figures:
    """The insights app's answers for one scope and month, each asked at most once."""

    def __init__(self, scope: InsightsScope, month: date, metric: str) -> None:
        self.scope, self.month, self.metric = scope, month, metric
        self._kpis: Record | None = None

    def kpis(self) -> Record:
        if self._kpis is None:
            self._kpis = month_kpis(
                self.month, creditor_ids=self.scope.creditor_ids, team_id=self.scope.team_id
            )
        return self._kpis


def _bars(categories: list[str], name: str, data: list[Any]) -> Record:
    return {"kind": "bars", "categories": categories, "series": [{"name": name, "data": data}]}


def _lines(records: list[Record], key: Callable[[Record], str], x: str, y: str) -> Record:
    """Line chart data: one series per ``key``, ``x`` as categories, ``y`` in percent."""
    steps = sorted({record[x] for record in records})
    lines: dict[str, dict[Any, float | None]] = {}
    for record in records:
        lines.setdefault(key(record), {})[record[x]] = percent(record[y])
    series = [{"name": n, "data": [p.get(s) for s in steps]} for n, p in lines.items()]
    return {"kind": "lines", "categories": [str(s) for s in steps], "series": series}


def _aging(figures: _Figures) -> tuple[list[Record], Record]:
    aging = figures.kpis().get("aging", {})
    records = [{"bucket": b, "loans": 0, "principal": "0.00", **aging.get(b, {})} for b in BUCKETS]
    chart = _bars(BUCKETS, _("Loans"), [r["loans"] for r in records])
    chart["series"].append(
        {
            "name": _("Principal (yuan)"),
            "data": [as_float(r["principal"]) for r in records],
            "axis": 1,
        }
    )
    return records, chart


def _roll_rates(figures: _Figures) -> tuple[list[Record], Record]:
    found = roll_rates(figures.month, figures.month, creditor_ids=figures.scope.creditor_ids)
    closed = _("Closed")
    records = [{**r, "to": closed if r["to"] == "closed" else r["to"]} for r in found["rows"]]
    sources = [b for b in BUCKETS if any(r["from"] == b for r in records)]
    targets = [b for b in [*BUCKETS, closed] if any(r["to"] == b for r in records)]
    cells = [
        [targets.index(r["to"]), sources.index(r["from"]), percent(r["rate"])] for r in records
    ]
    chart = {
        "kind": "heatmap",
        "x": targets,
        "y": sources,
        "data": cells,
        "name": _("Rate by count"),
    }
    return records, chart


def _vintages(figures: _Figures) -> tuple[list[Record], Record]:
    records = vintages(figures.metric, creditor_ids=figures.scope.creditor_ids)["rows"]
    return records, _lines(records, lambda r: str(r["vintage"]), "mob", "rate")


def _recovery(figures: _Figures) -> tuple[list[Record], Record]:
    kinds = {"bucket": _("Bucket entry"), "legal": _("Legal matters"), "agency": _("Agencies")}
    found = recovery_curves(creditor_ids=figures.scope.creditor_ids)["rows"]
    records = [{**r, "kind": kinds.get(r["kind"], r["kind"])} for r in found]

    def name(record: Record) -> str:
        parts = (record["kind"], record.get("bucket"), record.get("cohort"))
        return " · ".join(str(part) for part in parts if part)

    return records, _lines(records, name, "months", "rate")


def _by_collected(records: list[Record]) -> list[Record]:
    return sorted(records, key=lambda r: number(r.get("collected")) or 0, reverse=True)


def _teams(figures: _Figures) -> tuple[list[Record], Record]:
    records = _by_collected(figures.kpis().get("teams", []))
    names = [str(r["team"]) for r in records]
    return records, _bars(names, _("Collected (yuan)"), [as_float(r["collected"]) for r in records])


def _collectors(figures: _Figures) -> tuple[list[Record], Record]:
    records = _by_collected(figures.kpis().get("collectors", []))
    top = records[:CHART_COLLECTORS]
    names = [str(r["user"]) for r in top]
    return records, _bars(names, _("Collected (yuan)"), [as_float(r["collected"]) for r in top])


def _experiments(figures: _Figures) -> tuple[list[Record], Record]:
    creditor_ids = figures.scope.creditor_ids
    arms = {"champion": _("Champion"), "challenger": _("Challenger")}
    titles = dict(Playbook.objects.values_list("name", "title"))
    records: list[Record] = []
    for listed in experiments_list(creditor_ids=creditor_ids):
        if not any(listed.get("cases", {}).values()):
            continue  # no case of this scope took part
        name = listed["experiment"]
        result = experiment_results(name, creditor_ids=creditor_ids)
        p_value = (result.get("difference") or {}).get("p_value")
        # The difference is the challenger's over the champion: shown on the challenger's row.
        records += [
            {
                **arm,
                "experiment": name,
                "arm": arms.get(arm["arm"], arm["arm"]),
                "playbook": titles.get(arm.get("playbook"), arm.get("playbook")),
                "p_value": p_value if arm["arm"] == "challenger" else None,
            }
            for arm in result.get("arms", [])
        ]
    names = [f"{r['experiment']} · {r['arm']}" for r in records]
    return records, _bars(names, _("Cure rate"), [percent(r["cure_rate"]) for r in records])


BUILDERS: dict[str, Callable[[_Figures], tuple[list[Record], Record]]] = {
    "aging": _aging,
    "roll-rates": _roll_rates,
    "vintages": _vintages,
    "recovery": _recovery,
    "teams": _teams,
    "collectors": _collectors,
    "experiments": _experiments,
    "agencies": lambda f: agency_figures(month=f.month, creditor_ids=f.scope.creditor_ids),
}


def _table(slug: str, figures: _Figures) -> InsightTable:
    """The table, or its section with the insights app's message (a month end not stored)."""
    title = table_title(slug, figures.metric)
    try:
        records, chart = BUILDERS[slug](figures)
    except InvalidInput as exc:
        return InsightTable(slug, title=title, error=str(exc))
    columns = _columns(slug)
    rows = [[record.get(column.key) for column in columns] for record in records]
    if slug in ("vintages", "recovery", "experiments", "roll-rates"):
        chart["percent"] = True
    return InsightTable(slug, columns, rows, chart, title=title)


def _summary(figures: _Figures) -> list[tuple[str, str]]:
    try:
        kpis = figures.kpis()
    except InvalidInput:
        return []
    labels = {
        "cure_rate": _("Cure rate"),
        "recovery": _("Recovery"),
        "promise_kept_rate": _("Promise kept rate"),
        "rpc_rate": _("Right-party contact rate"),
    }
    return [(label, cell_text(kpis.get(key), "rate")) for key, label in labels.items()]


def insights_page(*, user: User, month: date, metric: str) -> InsightsPage:
    """Every table and chart of ``/insights/`` for ``user``'s scope and ``month``."""
    scope = insights_scope(user)
    if scope.empty:
        return InsightsPage(month, metric, scope, tables=[], summary=[])
    figures = _Figures(scope, month, metric)
    tables = [_table(slug, figures) for slug in TABLES]
    return InsightsPage(month, metric, scope, tables=tables, summary=_summary(figures))


def insights_table(*, user: User, slug: str, month: date, metric: str) -> InsightTable:
    """One table for its download; its ``error`` says why when its figures cannot be had."""
    scope = insights_scope(user)
    if scope.empty:
        return InsightTable(slug, title=table_title(slug, metric), error=str(NO_SCOPE))
    return _table(slug, _Figures(scope, month, metric))
