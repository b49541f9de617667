"""The insights page's agency section: ``arrears.insights.agencies`` shaped as a table and a
bar chart (recovered and commission by agency in the chosen month), in the viewer's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from arrears.insights.agencies import agency_performance


def agency_columns() -> list[tuple[str, str, str]]:
    """(key, heading, kind) of the agency table's columns, in the active language."""
    return [
        ("agency", _("Agency"), "text"),
        ("month", _("Month"), "text"),
        ("placed", _("Cases placed"), "int"),
        ("balance", _("Balance placed (yuan)"), "yuan"),
        ("worked", _("Placements worked"), "int"),
        ("recovered", _("Recovered during placement (yuan)"), "yuan"),
        ("rate", _("Recovery rate"), "rate"),
        ("commission", _("Commission (yuan)"), "yuan"),
    ]


def agency_figures(
    *, month: date, creditor_ids: list[int] | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows for the six months to ``month`` and the chart of ``month`` itself."""
    records = agency_performance(month=month, creditor_ids=creditor_ids)
    shown = f"{month:%Y-%m}"
    current = [r for r in records if r["month"] == shown]
    names = [str(r["agency"]) for r in current]
    chart: dict[str, Any] = {
        "kind": "bars",
        "categories": names,
        "series": [
            {
                "name": _("Recovered during placement (yuan)"),
                "data": [float(r["recovered"]) for r in current],
            },
            {"name": _("Commission (yuan)"), "data": [float(r["commission"]) for r in current]},
        ],
    }
    return records, chart
