"""The cycle's score step: every open case scored by the active model, set-based in a
fixed number of queries, idempotent for the date; the grade becomes the case's risk grade,
``arrears case --json`` shows the score and the queue orders by it."""

from __future__ import annotations

import json
import math
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.accounts.models import Team, User
from arrears.cases.models import CollectionCase, WorkItem
from arrears.cycle.choices import STEPS
from arrears.cycle.runner import cycle_run
from arrears.insights.batch import cases_score
from arrears.insights.models import CaseScore, ScoreModel
from arrears.insights.scoring.training import model_activate
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import tape_ingest
from arrears.workbench.selectors.queue import queue_for
from tests.factories import loan_row, write_csv

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 10)  # first instalments due 28 February: DPD 10


def model(version: int = 1, *, promise_weight: float = 0.0, card: float = 0.0) -> ScoreModel:
    """A model of plain numbers: log-odds 1 − 0.1 × DPD (+ weights for an open promise and
    the CARD product), unstandardised."""
    ScoreModel.objects.filter(active=True).update(active=False)
    return ScoreModel.objects.create(
        version=version,
        trained_on=ON,
        as_of=ON,
        features=["dpd", "promise_open", "product:CARD"],
        means=[0.0, 0.0, 0.0],
        scales=[1.0, 1.0, 1.0],
        coefficients=[-0.1, promise_weight, card],
        intercept=1.0,
        active=True,
    )


def build(creditor: Creditor, tmp_path: Path, rows: list[dict[str, str]]) -> None:
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))


def loan_range() -> tuple[int, int]:
    ids = list(Loan.objects.order_by("pk").values_list("pk", flat=True))
    return ids[0], ids[-1]


def test_the_score_step_runs_after_commitments_and_before_the_plan() -> None:
    assert STEPS[STEPS.index("commitments") + 1 : STEPS.index("plan")] == ("score", "unreachable")


def test_the_cycle_scores_every_open_case_and_sets_its_risk_grade(
    creditor: Creditor, tmp_path: Path
) -> None:
    model(card=3.0)
    build(creditor, tmp_path, [loan_row("S1"), loan_row("S2", product="CARD")])

    cycle_run(on=ON)

    expected = {
        "S1": 1 / (1 + math.exp(-(1 - 0.1 * 10))),  # 0.5: C
        "S2": 1 / (1 + math.exp(-(1 - 0.1 * 10 + 3))),  # 0.9526: A
    }
    scores = {s.case.loan.loan_id: s for s in CaseScore.objects.select_related("case__loan")}
    assert {k: s.value for k, s in scores.items()} == {k: round(v, 4) for k, v in expected.items()}
    assert {k: (s.grade, s.scored_on, s.model_version) for k, s in scores.items()} == {
        "S1": ("C", ON, 1),
        "S2": ("A", ON, 1),
    }
    assert scores["S2"].reasons == [["product:CARD", 3.0], ["dpd", -1.0]]
    grades = dict(CollectionCase.objects.values_list("loan__loan_id", "risk_grade"))
    assert grades == {"S1": "C", "S2": "A"}


def test_without_a_model_the_step_scores_nothing(creditor: Creditor, tmp_path: Path) -> None:
    build(creditor, tmp_path, [loan_row("S1")])

    cycle_run(on=ON)

    assert not CaseScore.objects.exists()
    assert CollectionCase.objects.get().risk_grade == ""


def test_the_step_is_idempotent_and_its_queries_do_not_grow_with_the_cases(
    creditor: Creditor, tmp_path: Path
) -> None:
    build(creditor, tmp_path, [loan_row(f"S{n}") for n in range(12)])
    cycle_run(on=ON)
    model(promise_weight=1.0)
    first, last = loan_range()

    with CaptureQueriesContext(connection) as few:
        assert cases_score(first=first, last=first + 1, on=ON) == 2
    with CaptureQueriesContext(connection) as many:
        assert cases_score(first=first, last=last, on=ON) == 12
    rows = list(CaseScore.objects.values_list("case_id", "value", "grade", "reasons"))
    assert cases_score(first=first, last=last, on=ON) == 12

    assert list(CaseScore.objects.values_list("case_id", "value", "grade", "reasons")) == rows
    # The model, the features, the delete, the insert (COPY on PostgreSQL, which the
    # capture does not see), the grades handed to the cases app.
    expected = 4 if connection.vendor == "postgresql" else 5
    assert len(few.captured_queries) == len(many.captured_queries) == expected


def test_a_rolled_back_model_scores_the_next_cycle(creditor: Creditor, tmp_path: Path) -> None:
    build(creditor, tmp_path, [loan_row("S1")])
    model(1)
    model(2, card=1.0)
    cycle_run(on=ON)
    assert CaseScore.objects.get().model_version == 2

    model_activate(version=1)
    cycle_run(on=date(2026, 3, 11))

    assert CaseScore.objects.get().model_version == 1


def test_the_case_command_shows_the_score(creditor: Creditor, tmp_path: Path) -> None:
    model()
    build(creditor, tmp_path, [loan_row("S1")])
    cycle_run(on=ON)

    out = StringIO()
    call_command("case", "S1", "--json", stdout=out)
    shown = json.loads(out.getvalue())["score"]

    assert shown["value"] == 0.5 and shown["grade"] == "C"
    assert shown["reasons"] == [
        {"feature": "dpd", "label": "days past due", "effect": -1.0, "direction": "down"}
    ]
    text = StringIO()
    call_command("case", "S1", stdout=text)
    assert "score 0.50 grade C: days past due -1.0" in text.getvalue()


def test_the_queue_calls_the_case_less_likely_to_pay_first(
    creditor: Creditor, tmp_path: Path
) -> None:
    """Same amount, same DPD: the case the model expects to pay anyway waits."""
    model(card=3.0)
    build(creditor, tmp_path, [loan_row("LIKELY", product="CARD"), loan_row("UNLIKELY")])
    cycle_run(on=ON)
    WorkItem.objects.all().delete()
    team = Team.objects.create(name="M1 team", creditor=creditor, buckets="M1")
    me = User.objects.create_user("collector1", password=None, role="collector", team=team)
    CollectionCase.objects.update(team=team, assignee=me)

    rows = queue_for(user=me, on=ON)

    assert [row.loan_id for row in rows] == ["UNLIKELY", "LIKELY"]
    assert [row.risk_grade for row in rows] == ["C", "A"]
