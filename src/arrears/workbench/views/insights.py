"""Workbench pages: the insights (经营分析) for managers, team leads and administrators —
aging, roll rates, vintages, recovery curves, the team and collector leagues and the
experiment arms, each a chart with its table and an Excel download.

Thin adapters: the role's capability is checked (403 with the house's refusal page), the
figures come from ``arrears.workbench.selectors.insights`` in the viewer's scope. Charts are
drawn by ``static/workbench/insights.js`` from data passed with ``json_script``: the CSP
allows no inline script.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from arrears.accounts.models import User
from arrears.accounts.roles import refusal, role_can
from arrears.core.bounds import date_problem
from arrears.core.errors import InvalidInput
from arrears.core.spreadsheet import safe_sheet_value
from arrears.workbench.selectors.insights import (
    METRICS,
    NO_SCOPE,
    TABLES,
    InsightTable,
    insights_page,
    insights_table,
    month_default,
    number,
)

CAPABILITY = "insights_view"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's number formats for each kind of column (rates are stored as ratios).
NUMBER_FORMATS = {"int": "0", "yuan": "#,##0.00", "rate": "0.00%"}


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not role_can(user.role, CAPABILITY):
        raise PermissionDenied(refusal(user.role, CAPABILITY))
    return user


def month_parse(text: str | None) -> date | None:
    """``YYYY-MM`` as the first day of that month; None for nothing given."""
    if not text:
        return None
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        first = date(year, month, 1)
    except ValueError as exc:
        message = _("the month must be written YYYY-MM, e.g. 2026-03")
        raise InvalidInput(message, field="month") from exc
    problem = date_problem(first)
    if problem:
        raise InvalidInput(problem, field="month")
    return first


def metric_parse(text: str | None) -> str:
    """The vintage metric: ``ever30`` (default) or ``ever90``."""
    if not text:
        return METRICS[0]
    if text not in METRICS:
        raise InvalidInput(_("the metric must be ever30 or ever90"), field="metric")
    return text


def _choices(request: HttpRequest) -> tuple[date, str]:
    """The month (``?month=YYYY-MM``, default the latest closed month) and the vintage
    metric (``?metric=ever30|ever90``); ``InvalidInput`` for either written wrong."""
    month = month_parse(request.GET.get("month")) or month_default(timezone.localdate())
    return month, metric_parse(request.GET.get("metric"))


@login_required
@require_GET
def insights(request: HttpRequest) -> HttpResponse:
    """Every chart with its table for the chosen month; ``?format=xlsx&table=…`` downloads
    one table as the link of its section does."""
    user = _viewer(request)
    if request.GET.get("format") == "xlsx":
        return insights_download(request, request.GET.get("table", ""))
    try:
        month, metric = _choices(request)
    except InvalidInput as exc:
        refused = {"problem": str(exc), "month": "", "metric": METRICS[0], "metrics": METRICS}
        return render(request, "workbench/insights.html", refused, status=400)
    page = insights_page(user=user, month=month, metric=metric)
    context: dict[str, Any] = {
        "page": page,
        "month": month.strftime("%Y-%m"),
        "metric": metric,
        "metrics": METRICS,
        "no_scope": NO_SCOPE if page.scope.empty else "",
        "charts": {
            "locale": "ZH" if (get_language() or "").startswith("zh") else "EN",
            "charts": page.charts,
        },
    }
    return render(request, "workbench/insights.html", context)


def _workbook(table: InsightTable) -> bytes:
    """The table as an XLSX workbook: a bold heading row, then the rows as numbers where
    they are numbers, every text cell formula-safe."""
    # openpyxl is imported on a download only: at module level it cost every process that
    # loads the URLs (each command's system checks, each web worker) 0.05 s.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    # A sheet's name is at most 31 characters and takes none of []:*?/\.
    sheet.title = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31] or table.slug
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        safe_sheet_value(cell, column.label)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.label) + 4)
    for row_number, row in enumerate(table.rows, start=2):
        for index, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
            cell = sheet.cell(row=row_number, column=index)
            if column.kind in NUMBER_FORMATS and number(value) is not None:
                safe_sheet_value(cell, number(value))
                cell.number_format = NUMBER_FORMATS[column.kind]
            elif column.kind == "interval" and isinstance(value, list | tuple):
                safe_sheet_value(cell, " – ".join(f"{number(v):.2%}" for v in value))
            else:
                safe_sheet_value(cell, None if value is None else str(value))
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@login_required
@require_GET
def insights_download(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the page as an Excel workbook, for the same month and scope."""
    user = _viewer(request)
    if table not in TABLES:
        raise Http404(table)
    context: dict[str, Any] = {"title": "", "month": None}
    try:
        month, metric = _choices(request)
    except InvalidInput as exc:
        context["problem"] = str(exc)
        return render(request, "workbench/insights_unavailable.html", context, status=400)
    found = insights_table(user=user, slug=table, month=month, metric=metric)
    if found.error:
        # No figures for that month (its month end is not stored): nothing to download.
        context.update(problem=found.error, title=found.title, month=month)
        return render(request, "workbench/insights_unavailable.html", context, status=404)
    response = HttpResponse(_workbook(found), content_type=XLSX)
    name = f"insights-{table}-{month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns: list[URLPattern] = [
    path("insights/", insights, name="insights"),
    path("insights/<slug:table>.xlsx", insights_download, name="insights-xlsx"),
]
