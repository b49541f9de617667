"""The case page's schedule rows and choice lists, written in Python (``case_rows``): the
same markup the template wrote, every value escaped."""

from __future__ import annotations

from datetime import date

from arrears.compliance.choices import Channel
from arrears.portfolio.calculations.allocation import Components, InstallmentState
from arrears.workbench.templatetags.case_rows import options, schedule_rows


def test_the_chosen_option_is_selected_and_values_and_labels_are_escaped() -> None:
    choices = [("call", "Call"), ("<b>", 'say "hi" & go')]

    html = options(choices, Channel.CALL)

    assert html == (
        '<option value="call" selected>Call</option>'
        '<option value="&lt;b&gt;">say &quot;hi&quot; &amp; go</option>'
    )
    assert "selected" not in options(choices)  # nothing chosen: the browser shows the first
    assert options(choices, "<b>").count(" selected") == 1  # a bound form's posted string


def test_each_installment_is_a_row_with_its_totals_in_yuan_and_overdue_marked() -> None:
    def parts(principal: int, interest: int) -> Components:
        return Components(principal=principal, interest=interest)

    rows = [
        InstallmentState(
            seq=1, due_on=date(2026, 5, 1), due=parts(100_000_00, 1_234_56),
            paid=parts(50_000_00, 0), outstanding=parts(50_000_00, 1_234_56),
            penalty_fen_days=0, is_overdue=True,
        ),
        InstallmentState(
            seq=2, due_on=date(2026, 6, 1), due=parts(100_000_00, 0), paid=parts(0, 0),
            outstanding=parts(100_000_00, 0), penalty_fen_days=0, is_overdue=False,
        ),
    ]  # fmt: skip

    html = schedule_rows(rows)

    assert html == (
        '<tr class="overdue"><td>1</td><td>2026-05-01</td><td class="text-end">101,234.56</td>'
        '<td class="text-end">50,000.00</td><td class="text-end">51,234.56</td></tr>'
        '<tr class=""><td>2</td><td>2026-06-01</td><td class="text-end">100,000.00</td>'
        '<td class="text-end">0.00</td><td class="text-end">100,000.00</td></tr>'
    )
