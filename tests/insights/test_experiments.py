"""Experiment results: an experiment with a known difference (100 cases per arm, 30 against
45 cured) reports its counts, intervals and p-value, collected money, contacts and
complaints by the documented definitions; the command prints them as text and JSON, lists
experiments, and promotes the challenger (refusing a second promotion and unknown names).

Reference figures (scipy 1.17, see tests/insights/test_stats.py): Wilson 95 % intervals
30/100 → [0.2189, 0.3958], 45/100 → [0.3561, 0.5476]; the difference 0.15 has the Wald
interval [0.0174, 0.2826] and the pooled two-proportion z-test gives z = 2.1909,
p = 0.0285. Collected per case, champion: 30 cases paid 1,000.00 yuan and 70 nothing, mean
300.00, s² = (30·100000² − 100·30000²)/99 fen², half-width 1.959964·s/√100 = 90.27 yuan →
[209.73, 390.27]; challenger: 45 × 1,200.00 → mean 540.00, s = 600.00 yuan, half-width
1.959964·60.00 = 117.60 → [422.40, 657.60]; difference 240.00 with the Welch standard error
√(46.0566² + 60.00²) = 75.6387, half-width 148.25 → [91.75, 388.25].
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase
from arrears.compliance.models import ContactAttempt, Hold
from arrears.core.models import AuditEntry
from arrears.insights.experiments import experiment_results, experiments_list
from arrears.portfolio.models import Creditor, Loan, LoanParty, Party, Payment
from arrears.strategy.models import CaseStrategy, Experiment, Playbook, PlaybookVersion

SHANGHAI = ZoneInfo("Asia/Shanghai")
ASSIGNED = date(2026, 3, 1)
CURED_ON = date(2026, 3, 20)


def insights(*args: str) -> str:
    out = StringIO()
    call_command("insights", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as raised:
        insights(*args)
    assert raised.value.returncode == 2
    return str(raised.value)


def _cases(
    creditor: Creditor, experiment: Experiment, arm: str, playbook: Playbook, count: int, cured: int
) -> list[CollectionCase]:
    """``count`` cases of ``arm``, the first ``cured`` of them closed as cured on CURED_ON."""
    prefix = "A" if arm == "champion" else "B"
    loans = Loan.objects.bulk_create(
        Loan(
            creditor=creditor,
            loan_id=f"{prefix}{n:03d}",
            principal=10_000_00,
            annual_rate="0.12",
            term_months=12,
            repayment_method="annuity",
            disbursed_on=date(2025, 12, 1),
            penalty_rate="0.18",
        )
        for n in range(count)
    )
    cases = CollectionCase.objects.bulk_create(
        CollectionCase(
            loan=loan,
            creditor=creditor,
            status="closed" if n < cured else "open",
            opened_on=ASSIGNED,
            entry_dpd=1,
            entry_amount=1_000_00,
            current_dpd=0 if n < cured else 40,
            bucket="M0" if n < cured else "M2",
            worst_dpd=30,
            updated_on=CURED_ON,
            closed_on=CURED_ON if n < cured else None,
            close_reason="cured" if n < cured else "",
        )
        for n, loan in enumerate(loans)
    )
    version = PlaybookVersion.objects.get(playbook=playbook, number=playbook.version)
    CaseStrategy.objects.bulk_create(
        CaseStrategy(
            case=case,
            playbook=playbook,
            version=version,
            assigned_on=ASSIGNED,
            experiment=experiment,
            arm=arm,
        )
        for case in cases
    )
    return cases


def _paid(cases: list[CollectionCase], fen: int) -> None:
    """Each cured case paid ``fen`` on the day it was cured, plus money outside its window:
    before the arm took it and after it closed (neither counts)."""
    rows = []
    for case in cases:
        if case.status == "closed":
            rows.append((case, CURED_ON, fen))
            rows.append((case, CURED_ON + timedelta(days=5), 7_00))
        rows.append((case, ASSIGNED - timedelta(days=1), 3_00))
    Payment.objects.bulk_create(
        Payment(
            creditor=case.creditor,
            loan_id=case.loan_id,
            payment_id=f"P{case.pk}-{on:%m%d}",
            paid_on=on,
            amount=amount,
        )
        for case, on, amount in rows
    )


def _contacted(cases: list[CollectionCase], party: Party, times: int) -> None:
    """``times`` contacts on each case, the first at 00:30 in Shanghai on the day the arm
    took it (still 28 February in UTC: it counts), and one the evening before (it does not)."""
    first = datetime(2026, 3, 1, 0, 30, tzinfo=SHANGHAI)
    ContactAttempt.objects.bulk_create(
        ContactAttempt(
            loan_id=case.loan_id,
            party=party,
            role="borrower",
            channel="sms",
            at=at,
            outcome="sent",
        )
        for case in cases
        for at in [first + timedelta(days=k) for k in range(times)]
        + [datetime(2026, 2, 28, 23, 30, tzinfo=SHANGHAI)]
    )


@pytest.fixture
def experiment(creditor: Creditor) -> Experiment:
    """card-style: consumer-loan (champion, 30 of 100 cured) against credit-card
    (challenger, 45 of 100 cured)."""
    champion = Playbook.objects.get(name="consumer-loan")
    challenger = Playbook.objects.get(name="credit-card")
    found = Experiment.objects.create(
        name="card-style", champion=champion, challenger=challenger, challenger_percent=50
    )
    party = Party.objects.create(creditor=creditor, name="张三")
    champions = _cases(creditor, found, "champion", champion, 100, 30)
    challengers = _cases(creditor, found, "challenger", challenger, 100, 45)
    _paid(champions, 1_000_00)
    _paid(challengers, 1_200_00)
    _contacted(champions[:10], party, 2)
    _contacted(challengers[:50], party, 3)
    # Complaints: one on a challenger's loan, one on a party of another challenger's loan;
    # a dispute is not a complaint, and a complaint before the arm took the case is not its.
    LoanParty.objects.create(loan_id=challengers[1].loan_id, party=party, role="borrower")
    Hold.objects.create(kind="complaint", reason="投诉催收频繁", loan_id=challengers[0].loan_id)
    Hold.objects.create(kind="complaint", reason="投诉", party=party)
    Hold.objects.create(kind="dispute", reason="金额有异议", loan_id=challengers[2].loan_id)
    early = Hold.objects.create(kind="complaint", reason="旧投诉", loan_id=challengers[3].loan_id)
    Hold.objects.filter(pk=early.pk).update(created_at=datetime(2026, 2, 1, tzinfo=SHANGHAI))
    Hold.objects.exclude(pk=early.pk).update(created_at=datetime(2026, 3, 5, tzinfo=SHANGHAI))
    return found


@pytest.mark.django_db
def test_each_arm_reports_its_cure_rate_with_the_wilson_interval(experiment: Experiment) -> None:
    report = experiment_results("card-style")

    champion, challenger = report["arms"]
    assert report["experiment"] == "card-style" and report["active"] is True
    assert report["champion"] == {"playbook": "consumer-loan", "version": 1}
    assert report["challenger"] == {"playbook": "credit-card", "version": 1}
    assert (champion["arm"], champion["playbook"]) == ("champion", "consumer-loan")
    assert (champion["cases"], champion["cured"], champion["cure_rate"]) == (100, 30, 0.3)
    assert champion["cure_rate_ci"] == [0.2189, 0.3958]
    assert (challenger["cases"], challenger["cured"], challenger["cure_rate"]) == (100, 45, 0.45)
    assert challenger["cure_rate_ci"] == [0.3561, 0.5476]


@pytest.mark.django_db
def test_the_difference_has_its_interval_and_p_value(experiment: Experiment) -> None:
    difference = experiment_results("card-style")["difference"]

    assert difference["cure_rate"] == 0.15
    assert difference["ci"] == [0.0174, 0.2826]
    assert difference["p_value"] == 0.0285
    assert difference["collected_per_case"] == "240.00"
    assert difference["collected_per_case_ci"] == ["91.75", "388.25"]


@pytest.mark.django_db
def test_money_contacts_and_complaints_count_only_inside_each_case_window(
    experiment: Experiment,
) -> None:
    champion, challenger = experiment_results("card-style")["arms"]

    assert champion["collected"] == "30000.00"  # 30 × 1,000.00; not the 3.00 or 7.00 outside
    assert champion["collected_per_case"] == "300.00"
    assert champion["collected_per_case_ci"] == ["209.73", "390.27"]
    assert challenger["collected"] == "54000.00"
    assert challenger["collected_per_case_ci"] == ["422.40", "657.60"]
    assert (champion["contacts_per_case"], challenger["contacts_per_case"]) == (0.2, 1.5)
    assert (champion["complaints"], challenger["complaints"]) == (0, 2)


@pytest.mark.django_db
def test_a_managers_scope_keeps_only_their_creditors_cases(
    experiment: Experiment, creditor: Creditor
) -> None:
    other = Creditor.objects.create(name="别家银行")

    mine = experiment_results("card-style", creditor_ids=[creditor.pk])
    theirs = experiment_results("card-style", creditor_ids=[other.pk])

    assert [arm["cases"] for arm in mine["arms"]] == [100, 100]
    assert [arm["cases"] for arm in theirs["arms"]] == [0, 0]
    assert theirs["arms"][0]["cure_rate"] is None and theirs["difference"]["p_value"] is None
    assert experiments_list(creditor_ids=[other.pk])[0]["cases"] == {
        "champion": 0,
        "challenger": 0,
    }


@pytest.mark.django_db
def test_the_command_prints_the_arms_and_the_difference(experiment: Experiment) -> None:
    text = insights("experiment", "card-style")

    lines = text.splitlines()
    assert lines[0] == (
        "Experiment card-style (active): champion consumer-loan v1, challenger credit-card v1"
        " (50% of new cases)"
    )
    assert lines[2].split()[:6] == ["champion", "consumer-loan", "100", "30", "30.00%", "[21.89%,"]
    assert lines[2].split()[7:9] == ["30000.00", "300.00"] and "[209.73, 390.27]" in lines[2]
    assert lines[3].split()[:5] == ["challenger", "credit-card", "100", "45", "45.00%"]
    assert lines[4] == (
        "Difference (challenger - champion): cure rate +15.00 points, 95% CI [+1.74, +28.26],"
        " p = 0.0285; collected per case 240.00 yuan, 95% CI [91.75, 388.25]"
    )


@pytest.mark.django_db
def test_the_command_prints_json_and_lists_experiments(experiment: Experiment) -> None:
    report = json.loads(insights("experiment", "card-style", "--json"))
    listed = json.loads(insights("experiment", "--list", "--json"))
    text = insights("experiment", "--list")

    assert report == experiment_results("card-style")
    assert listed["experiments"] == [
        {
            "experiment": "card-style",
            "active": True,
            "challenger_percent": 50,
            "champion": {"playbook": "consumer-loan", "version": 1},
            "challenger": {"playbook": "credit-card", "version": 1},
            "cases": {"champion": 100, "challenger": 100},
        }
    ]
    assert text.strip() == (
        "card-style (active): champion consumer-loan v1 — 100 cases;"
        " challenger credit-card v1 (50%) — 100 cases"
    )


@pytest.mark.django_db
def test_promoting_from_the_command_publishes_ends_and_audits(experiment: Experiment) -> None:
    User.objects.create(username="boss", role="manager")

    said = insights("experiment", "card-style", "--promote", "--by", "boss", "--note", "胜出")

    assert said.strip() == (
        "consumer-loan v2 published from the challenger; experiment card-style ended"
    )
    assert insights("experiment", "--list").startswith(
        "card-style (ended): champion consumer-loan v2"
    )
    entry = AuditEntry.objects.get(action="experiment.promote")
    assert entry.actor_name == "boss" and entry.data["version"] == 2
    assert "has ended already" in refused("experiment", "card-style", "--promote", "--by", "boss")


@pytest.mark.django_db
def test_unknown_names_and_muddled_options_exit_2_with_a_message(experiment: Experiment) -> None:
    User.objects.create(username="boss", role="manager")
    User.objects.create(username="li", role="collector")

    assert "no experiment named 'nope' (experiments: card-style)" in refused("experiment", "nope")
    assert "no experiment named 'nope'" in refused(
        "experiment", "nope", "--promote", "--by", "boss"
    )
    assert "no user named 'ghost'" in refused(
        "experiment", "card-style", "--promote", "--by", "ghost"
    )
    assert "it is for: Manager, Administrator" in refused(
        "experiment", "card-style", "--promote", "--by", "li"
    )
    assert "--by: say who promotes" in refused("experiment", "card-style", "--promote")
    assert "name an experiment" in refused("experiment")
    assert "--by and --note go with --promote" in refused(
        "experiment", "card-style", "--by", "boss"
    )
    assert Experiment.objects.get().active is True
