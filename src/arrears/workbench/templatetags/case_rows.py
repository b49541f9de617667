"""The case page's repeated markup, written in Python: the schedule's rows
(``{% schedule_rows page.schedule %}``) and the options of a choice list
(``{% options choices selected %}``).

As template markup, the schedule (a dozen rows of five cells, each amount resolved through
the context and the ``yuan`` filter) and the contact form's four choice lists were about a
third of the case page's rendering at 1,000,000 loans (issue 21: the page under 15 ms of
server time), as the queue's rows were of the queue's (``queue_rows``). Every value from
data is escaped (``html.escape``, as Django's own ``escape``); numbers are formatted as
integers and amounts as the ``yuan`` filter writes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from arrears.core.money import format_yuan_grouped

register = template.Library()


def _installment(row: Any) -> str:
    overdue = ' class="overdue"' if row.is_overdue else ' class=""'
    return (
        f"<tr{overdue}><td>{row.seq:d}</td><td>{date_format(row.due_on, 'Y-m-d')}</td>"
        f'<td class="text-end">{format_yuan_grouped(row.due.total)}</td>'
        f'<td class="text-end">{format_yuan_grouped(row.paid.total)}</td>'
        f'<td class="text-end">{format_yuan_grouped(row.outstanding.total)}</td></tr>'
    )


@register.simple_tag
def schedule_rows(schedule: Iterable[Any]) -> SafeString:
    """The ``<tr>`` of each installment (``InstallmentState``): number, due date, and the
    totals due, paid and outstanding in yuan; an overdue one has the class ``overdue``."""
    # Safe: the only values are integers, a date and amounts formatted from integers.
    return mark_safe("".join(_installment(row) for row in schedule))


@register.simple_tag
def options(choices: Iterable[tuple[Any, Any]], selected: Any = None) -> SafeString:
    """``<option>`` of each ``(value, label)``; the one whose value reads as ``selected``
    (as the form's bound or initial value, a string or a choice) is selected."""
    chosen = None if selected is None else str(selected)
    return mark_safe(  # safe: every value and label is escaped
        "".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if chosen is not None and str(value) == chosen else ''}>"
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )
