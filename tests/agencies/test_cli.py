"""``arrears agency``: list, contract, place, recall and the monthly statement (--json keys,
amounts in fen); unknown agencies and bad months exit 2 with a message."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.agencies.models import AgencyContract, Placement
from arrears.portfolio.services import payment_post
from tests.agencies.conftest import World

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("agency", *args, stdout=out)
    return out.getvalue()


def _json(*args: str) -> dict[str, object]:
    return json.loads(_run(*args, "--json"))


def test_place_then_statement_shows_the_months_recovery_and_commission(world: World) -> None:
    placed = _json("place", "A1", "xinda", "--on", "2026-03-10", "--by", "lead1")
    assert placed["agency"] == "xinda" and placed["ends_on"] == "2026-04-09"
    payment_post(
        loan=world.cases["A1"].loan,
        payment_id="P1",
        amount=250_005,
        paid_on=date(2026, 3, 20),
        channel="bank",
    )

    statement = _json("statement", "xinda", "--month", "2026-03")

    assert set(statement) == {
        "agency",
        "agency_name",
        "month",
        "currency",
        "amounts_in",
        "lines",
        "totals",
    }
    (line,) = statement["lines"]  # type: ignore[misc]
    assert set(line) == {
        "placement",
        "case",
        "loan_id",
        "contract",
        "placed_on",
        "until",
        "status",
        "bucket",
        "basis",
        "rate_bp",
        "recovered",
        "commission",
    }
    # 10% of 2,500.05 yuan = 25,000.5 fen → 25,001 fen (half up).
    assert (line["recovered"], line["rate_bp"], line["commission"]) == (250_005, 1000, 25_001)
    assert statement["totals"] == {"placements": 1, "recovered": 250_005, "commission": 25_001}
    table = _run("statement", "xinda", "--month", "2026-03")
    assert "2500.05" in table and "250.01" in table


def test_an_unknown_agency_exits_2_naming_the_known_ones(world: World) -> None:
    with pytest.raises(CommandError, match=r"no agency with code nobody.*xinda") as raised:
        _run("statement", "nobody", "--month", "2026-03")
    assert raised.value.returncode == 2


@pytest.mark.parametrize("month", ["2026-13", "2026/03", "March", "26-03"])
def test_a_bad_month_exits_2_with_the_expected_form(world: World, month: str) -> None:
    with pytest.raises(CommandError, match="YYYY-MM") as raised:
        _run("statement", "xinda", "--month", month)
    assert raised.value.returncode == 2


def test_recall_by_case_and_a_second_recall_is_refused(world: World) -> None:
    _run("place", "A1", "xinda", "--on", "2026-03-10")

    recalled = _json("recall", "A1", "--reason", "breach", "--on", "2026-03-12")

    assert recalled["recalled"][0]["status"] == "recalled"  # type: ignore[index]
    with pytest.raises(CommandError, match="not placed") as raised:
        _run("recall", "A1")
    assert raised.value.returncode == 2


def test_recall_every_case_of_an_agency_after_a_breach(world: World) -> None:
    _run("place", "A1", "xinda", "--on", "2026-03-10")
    _run("place", "A2", "xinda", "--on", "2026-03-10")

    recalled = _json("recall", "--agency", "xinda", "--reason", "breach", "--on", "2026-03-11")

    assert len(recalled["recalled"]) == 2  # type: ignore[arg-type]
    assert set(Placement.objects.values_list("recall_reason", flat=True)) == {"breach"}


def test_placing_a_placed_case_exits_2(world: World) -> None:
    _run("place", "A1", "xinda", "--on", "2026-03-10")
    with pytest.raises(CommandError, match="already") as raised:
        _run("place", "A1", "xinda", "--on", "2026-03-10")
    assert raised.value.returncode == 2


def test_a_tier_contract_from_the_command_line_and_the_list(world: World) -> None:
    _run(
        "contract",
        "yuanfang",
        "--creditor",
        world.creditor.name,
        "--from",
        "2026-01-01",
        "--days",
        "60",
        "--tier",
        "0=15",
        "--tier",
        "10000=20",
        "--reference",
        "YF-1",
    )
    contract = AgencyContract.objects.get(reference="YF-1")
    assert contract.basis == "recovered"
    assert sorted(contract.rates.values_list("from_amount", "rate_bp")) == [
        (0, 1500),
        (1_000_000, 2000),
    ]
    listed = _json("list")
    codes = [a["code"] for a in listed["agencies"]]  # type: ignore[attr-defined]
    assert codes == ["xinda", "yuanfang"]
    assert "YF-1" in _run("list")


def test_a_tier_contract_without_a_tier_from_zero_exits_2(world: World) -> None:
    with pytest.raises(CommandError, match="start at 0") as raised:
        _run(
            "contract",
            "yuanfang",
            "--creditor",
            world.creditor.name,
            "--from",
            "2026-01-01",
            "--tier",
            "100=15",
        )
    assert raised.value.returncode == 2


def test_issuing_a_statement_freezes_it_with_its_hash_once(world: World) -> None:
    import hashlib

    from arrears.agencies.models import AgencyStatement
    from arrears.core.models import AuditEntry

    _run("place", "A1", "xinda", "--on", "2026-03-10")
    payment_post(
        loan=world.cases["A1"].loan,
        payment_id="P1",
        amount=10_000,
        paid_on=date(2026, 3, 20),
        channel="bank",
    )

    shown = _json("statement", "xinda", "--month", "2026-03", "--issue", "--by", "lead1")

    issued = AgencyStatement.objects.get()
    canonical = json.dumps(
        issued.content, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    assert issued.sha256 == hashlib.sha256(canonical.encode()).hexdigest() == shown["sha256"]
    assert (issued.recovered, issued.commission) == (10_000, 1_000)
    assert AuditEntry.objects.filter(action="agency.statement_issue").exists()
    with pytest.raises(CommandError, match="issued already") as raised:
        _run("statement", "xinda", "--month", "2026-03", "--issue")
    assert raised.value.returncode == 2
