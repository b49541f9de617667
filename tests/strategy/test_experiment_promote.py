"""Promoting an experiment's challenger: the champion playbook's next version says what the
challenger says, the experiment ends, the act is audited, and nothing is written when the
promotion is refused."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from arrears.accounts.models import User
from arrears.core.audit import audit_verify
from arrears.core.errors import Forbidden, InvalidInput, NotFound
from arrears.core.models import AuditEntry
from arrears.portfolio.models import Creditor
from arrears.portfolio.services import tape_ingest
from arrears.strategy.experiment_services import experiment_promote
from arrears.strategy.models import CaseStrategy, Experiment, Playbook, PlaybookVersion
from tests.factories import loan_row, write_csv


def _identity(definition: dict[str, object]) -> dict[str, object]:
    """A definition less its stages: the playbook's name, title, priority and segment."""
    return {key: value for key, value in definition.items() if key != "stages"}


@pytest.fixture
def experiment(db: None) -> Experiment:
    return Experiment.objects.create(
        name="card-style",
        champion=Playbook.objects.get(name="consumer-loan"),
        challenger=Playbook.objects.get(name="credit-card"),
        challenger_percent=20,
    )


@pytest.fixture
def manager(db: None) -> User:
    return User.objects.create(username="boss", role="manager")


@pytest.mark.django_db
def test_the_champion_gets_the_challengers_definition_as_its_next_version(
    experiment: Experiment, manager: User
) -> None:
    challenger = PlaybookVersion.objects.get(playbook__name="credit-card", number=1)
    old = PlaybookVersion.objects.get(playbook__name="consumer-loan", number=1)

    version = experiment_promote("card-style", by=manager, note="credit-card cures more")

    champion = Playbook.objects.get(name="consumer-loan")
    assert (version.playbook_id, version.number, champion.version) == (champion.pk, 2, 2)
    # What the challenger does, stage by stage and action by action ...
    assert version.definition["stages"] == challenger.definition["stages"]
    assert version.definition["stages"] != old.definition["stages"]
    # ... for the cases the champion takes: its name, title, priority and segment stay.
    assert _identity(version.definition) == _identity(old.definition)
    assert (champion.title, champion.priority) == (old.definition["title"], 0)
    assert version.note == "credit-card cures more" and version.created_by == manager
    assert PlaybookVersion.objects.get(pk=old.pk).definition == old.definition  # kept
    assert Experiment.objects.get(pk=experiment.pk).active is False


@pytest.mark.django_db
def test_the_promotion_leaves_an_audit_entry_that_verifies(
    experiment: Experiment, manager: User
) -> None:
    experiment_promote("card-style", by=manager)

    entry = AuditEntry.objects.get(action="experiment.promote")
    assert (entry.actor_name, entry.subject_type, entry.subject_id) == (
        "boss",
        "experiment",
        str(experiment.pk),
    )
    assert entry.data == {
        "experiment": "card-style",
        "champion": "consumer-loan",
        "previous_version": 1,
        "version": 2,
        "challenger": "credit-card",
        "challenger_version": 1,
        "note": "",
    }
    assert PlaybookVersion.objects.get(playbook__name="consumer-loan", number=2).note == (
        "promoted from credit-card v1 (experiment card-style)"
    )
    assert audit_verify().intact


@pytest.mark.django_db
def test_a_second_promotion_an_unknown_name_or_a_collector_changes_nothing(
    experiment: Experiment, manager: User
) -> None:
    collector = User.objects.create(username="li", role="collector")
    with pytest.raises(Forbidden, match="it is for: Manager, Administrator"):
        experiment_promote("card-style", by=collector)
    assert Playbook.objects.get(name="consumer-loan").version == 1

    experiment_promote("card-style", by=manager)
    with pytest.raises(InvalidInput, match="card-style has ended already"):
        experiment_promote("card-style", by=manager)
    with pytest.raises(NotFound, match="no experiment named 'other'"):
        experiment_promote("other", by=manager)

    assert Playbook.objects.get(name="consumer-loan").version == 2
    assert AuditEntry.objects.filter(action="experiment.promote").count() == 1


@pytest.mark.django_db
def test_after_promotion_new_cases_are_not_split_and_follow_the_promoted_version(
    experiment: Experiment, manager: User, creditor: Creditor, tmp_path: Path
) -> None:
    experiment_promote("card-style", by=manager)
    rows = [loan_row(f"P{n:02d}") for n in range(20)]
    tape_ingest(creditor=creditor, kind="loans", path=write_csv(tmp_path / "l.csv", rows))

    call_command("cycle", "--date", "2026-03-01", "--json", stdout=StringIO())

    strategies = CaseStrategy.objects.select_related("playbook", "version")
    assert strategies.count() == 20
    assert {(s.playbook.name, s.version.number, s.arm) for s in strategies} == {
        ("consumer-loan", 2, "")
    }
