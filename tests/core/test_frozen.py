"""``core.frozen``: a queryset compiled once answers exactly as the queryset does, for any
ids, on both databases; a builder that cannot be frozen safely is refused."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from arrears.accounts.models import Team, User
from arrears.core.frozen import FrozenQuery
from arrears.portfolio.models import Creditor

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(creditor: Creditor) -> list[Team]:
    made = [
        Team.objects.create(name=f"team {number}", creditor=creditor, buckets="M1")
        for number in range(3)
    ]
    for number in range(7):
        User.objects.create(username=f"user{number}", team=made[number % 3])
    return made


def test_model_rows_with_their_related_objects_match_the_queryset(teams: list[Team]) -> None:
    def build(team_id: int) -> Any:
        return User.objects.filter(team_id=team_id).select_related("team").order_by("-username")

    frozen = FrozenQuery(build)
    for team in teams * 2:
        got = frozen.list(team_id=team.pk)
        expected = list(build(team.pk))
        assert [(u.pk, u.username, u.date_joined) for u in got] == [
            (u.pk, u.username, u.date_joined) for u in expected
        ]
        with CaptureQueriesContext(connection) as reading:
            names = [user.team.name for user in got]
        assert names == [team.name] * len(expected) and not reading.captured_queries


def test_values_list_rows_flat_rows_and_two_ids(teams: list[Team]) -> None:
    first = User.objects.order_by("pk").first()
    assert first is not None
    pairs = FrozenQuery(
        lambda team_id: (
            User.objects.filter(team_id=team_id)
            .order_by("pk")
            .values_list("username", "team__name", "date_joined")
        )
    )
    flat = FrozenQuery(
        lambda team_id, user_id: (
            User.objects.filter(team_id=team_id)
            .exclude(pk=user_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    )

    for team in teams:
        assert pairs.list(team_id=team.pk) == list(
            User.objects.filter(team_id=team.pk)
            .order_by("pk")
            .values_list("username", "team__name", "date_joined")
        )
        assert flat.list(team_id=team.pk, user_id=first.pk) == list(
            User.objects.filter(team_id=team.pk).exclude(pk=first.pk).values_list("pk", flat=True)
        )
    assert pairs.list(team_id=10**12) == []


def test_it_compiles_once_and_runs_one_query_a_call(
    teams: list[Team], monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = []
    as_sql = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    frozen = FrozenQuery(lambda team_id: User.objects.filter(team_id=team_id).order_by("pk"))

    with CaptureQueriesContext(connection) as reading:
        for team in teams:
            frozen.list(team_id=team.pk)

    assert compiled == [User]
    assert len(reading.captured_queries) == len(teams)


def test_a_builder_that_cannot_be_frozen_safely_is_refused(teams: list[Team]) -> None:
    # The argument must reach the statement as a parameter: not ignored, not written in.
    with pytest.raises(ValueError, match="not a parameter"):
        FrozenQuery(lambda team_id: User.objects.order_by("pk")).list(team_id=teams[0].pk)
    with pytest.raises(ValueError, match="written into"):
        FrozenQuery(
            lambda team_id: User.objects.filter(team_id=team_id).extra(
                where=[f"{User._meta.db_table}.id <> {team_id}"]
            )
        ).list(team_id=teams[0].pk)
    with pytest.raises(TypeError, match="values_list"):
        FrozenQuery(lambda team_id: User.objects.filter(team_id=team_id).values("pk")).list(
            team_id=teams[0].pk
        )
    frozen = FrozenQuery(lambda team_id: User.objects.filter(team_id=team_id))
    with pytest.raises(TypeError, match="an id"):
        frozen.list(team_id=str(teams[0].pk))
    with pytest.raises(TypeError, match="expected"):
        frozen.list(team=teams[0].pk)


def test_dates_and_instants_are_parameters_too(teams: list[Team]) -> None:
    joined = sorted(User.objects.values_list("date_joined", flat=True))
    middle = joined[len(joined) // 2]

    def build(team_id: int, since: datetime, day: date) -> Any:
        return (
            User.objects.filter(team_id=team_id, date_joined__gte=since, date_joined__date__gte=day)
            .order_by("pk")
            .values_list("username", flat=True)
        )

    frozen = FrozenQuery(build, dates=("day",), instants=("since",))
    for team in teams:
        for since in (joined[0], middle, joined[-1] + timedelta(seconds=1)):
            for day in (since.date() - timedelta(days=1), since.date() + timedelta(days=1)):
                assert frozen.list(team_id=team.pk, since=since, day=day) == list(
                    build(team.pk, since, day)
                )
    with pytest.raises(TypeError, match="aware"):
        frozen.list(team_id=teams[0].pk, since=middle.replace(tzinfo=None), day=middle.date())
    with pytest.raises(TypeError, match="a date"):
        frozen.list(team_id=teams[0].pk, since=middle, day=middle)
