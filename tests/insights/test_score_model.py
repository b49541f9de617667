"""The propensity model: grade cut-offs, stable reasons, training on a time-based holdout
with DPD alone for comparison, versions kept and rolled back."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.cases.models import CollectionCase
from arrears.insights.models import ScoreModel
from arrears.insights.scoring.matrix import grade_of, grades, reasons
from arrears.portfolio.models import Creditor, Loan, LoanHistory, Payment
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, write_csv

MONTH_ENDS = [date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30)]


def test_grades_are_cut_at_fifths_of_the_chance_to_pay() -> None:
    cases = {0.95: "A", 0.8: "A", 0.7999: "B", 0.6: "B", 0.5: "C", 0.4: "C", 0.2: "D",
             0.1999: "E", 0.0: "E"}  # fmt: skip
    assert {value: grade_of(value) for value in cases} == cases
    assert grades(np.array(list(cases))) == list(cases.values())


def test_reasons_are_the_three_largest_effects_the_same_every_time() -> None:
    names = ["dpd", "promise_open", "overdue_log", "contacts_90d", "product:CARD"]
    terms = np.array(
        [
            [-1.2, 0.5, 0.5, 0.1, 0.0],  # a tie at 0.5: broken by name
            [0.0, 0.0, 0.0, 0.0, 0.3],  # zero effects are no reasons
        ]
    )

    first = reasons(terms, names)

    assert first == [
        [("dpd", -1.2), ("overdue_log", 0.5), ("promise_open", 0.5)],
        [("product:CARD", 0.3)],
    ]
    assert reasons(terms.copy(), list(names)) == first


@pytest.fixture
def history(db: None, creditor: Creditor, tmp_path: Path) -> list[Loan]:
    """Forty loans overdue on four month ends: the even ones a few days behind and paying
    within the month after, the odd ones months behind and paying nothing; one loan in
    five of each breaks the pattern so DPD alone is not the whole story."""
    rows = [loan_row(f"H{n:02d}", disbursed_on="2025-06-30") for n in range(40)]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))
    loans = list(Loan.objects.order_by("loan_id"))
    cases, lines, payments = [], [], []
    for n, loan in enumerate(loans):
        cases.append(
            CollectionCase(
                loan=loan, creditor=creditor, opened_on=date(2026, 3, 1), entry_dpd=1,
                entry_amount=1, current_dpd=1, bucket="M1", worst_dpd=1,
                updated_on=date(2026, 3, 1),
            )
        )  # fmt: skip
        for k, day in enumerate(MONTH_ENDS):
            payer = (n % 2 == 0) != (n % 5 == 0)
            dpd = 5 + n % 7 if n % 2 == 0 else 60 + 30 * k + n % 11
            lines.append(
                LoanHistory(
                    loan_id=loan.pk, business_date=day, dpd=dpd, bucket="M1",
                    classification="normal", overdue_total=1_000_000,
                    principal_outstanding=10_000_000, penalty_accrued=0,
                )
            )  # fmt: skip
            if payer:
                payments.append(
                    Payment(
                        creditor=creditor, loan=loan, payment_id=f"{loan.loan_id}-{k}",
                        paid_on=day + timedelta(days=10), amount=1_000_000,
                    )
                )  # fmt: skip
    CollectionCase.objects.bulk_create(cases)
    LoanHistory.objects.bulk_create(lines)
    Payment.objects.bulk_create(payments)
    return loans


def score(*args: str) -> dict[str, object] | list[dict[str, object]]:
    out = StringIO()
    call_command("score", *args, "--json", stdout=out)
    answer: dict[str, object] | list[dict[str, object]] = json.loads(out.getvalue())
    return answer


def test_training_measures_the_model_on_the_later_month_ends(history: list[Loan]) -> None:
    trained = score("train", "--as-of", "2026-08-01")

    assert isinstance(trained, dict)
    assert {"model", "trained_on", "cases", "auc", "auc_dpd", "features"} <= set(trained)
    assert trained["model"] == 1 and trained["cases"] == 40
    metrics = trained["metrics"]
    assert isinstance(metrics, dict)
    assert metrics["train_days"] == ["2026-03-31", "2026-05-31"]
    assert metrics["test_days"] == ["2026-06-30", "2026-06-30"]
    assert (metrics["train_snapshots"], metrics["test_snapshots"]) == (120, 40)
    assert 0.5 < float(trained["auc"]) <= 1.0  # type: ignore[arg-type]
    assert "dpd" in trained["features"]  # type: ignore[operator]
    model = ScoreModel.objects.get(version=1)
    assert model.active and len(model.coefficients) == len(model.features) == len(model.means)


def test_a_snapshot_needs_its_thirty_days_to_be_a_label(history: list[Loan]) -> None:
    """As of 15 July the June month end has no 30 days after it yet: three month ends are
    left, the last of them tested."""
    trained = score("train", "--as-of", "2026-07-15")

    assert isinstance(trained, dict) and isinstance(trained["metrics"], dict)
    assert trained["metrics"]["test_days"] == ["2026-05-31", "2026-05-31"]


def test_a_new_version_is_active_and_an_old_one_can_be_rolled_back(
    history: list[Loan],
) -> None:
    score("train", "--as-of", "2026-08-01")
    score("train", "--as-of", "2026-08-01")

    listed = score("list")
    assert [(v["model"], v["active"]) for v in listed] == [(2, True), (1, False)]  # type: ignore[index]

    rolled = score("rollback", "v1")

    assert isinstance(rolled, dict) and rolled["model"] == 1
    assert list(ScoreModel.objects.filter(active=True).values_list("version", flat=True)) == [1]


def test_rolling_back_to_a_version_that_does_not_exist_is_a_clear_error(
    history: list[Loan],
) -> None:
    score("train", "--as-of", "2026-08-01")

    for version, message in (("7", "no score model version 7"), ("latest", "is a number")):
        with pytest.raises(CommandError, match=message) as caught:
            call_command("score", "rollback", version, stdout=StringIO())
        assert caught.value.returncode == 2
    assert ScoreModel.objects.get(version=1).active


@pytest.mark.django_db
def test_training_without_history_says_what_is_missing() -> None:
    with pytest.raises(CommandError, match="training needs two") as caught:
        call_command("score", "train", "--as-of", "2026-08-01", stdout=StringIO())

    assert caught.value.returncode == 2
    assert not ScoreModel.objects.exists()
