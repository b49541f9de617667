"""``scope_shape``: a reader whose scope is made of ids gets, from a stand-in of their
shape, the very filter ``case_scope`` builds for them; the case page's statement compiled
for one reader of a shape never shows another reader a case outside their own scope."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from arrears.accounts.choices import Role
from arrears.accounts.models import Agency, Team, User
from arrears.cases.scoping import cases_visible_to, scope_shape, scope_stand_in
from arrears.core.errors import NotFound
from arrears.portfolio.models import Creditor
from arrears.workbench.selectors.case_page import case_get_for
from tests.factories import loan_row
from tests.workbench.test_queue import assign, build_cases, people

pytestmark = pytest.mark.django_db


def test_the_stand_in_of_every_shape_builds_the_readers_own_filter(creditor: Creditor) -> None:
    team = Team.objects.create(name="M1", creditor=creditor, buckets="M1")
    agency = Agency.objects.create(name="外包一", code="waibao1")
    shaped = 0
    for number, (role, with_team, with_agency, superuser, active) in enumerate(
        itertools.product(Role.values, (False, True), (False, True), (False, True), (True, False))
    ):
        user = User.objects.create(
            username=f"u{number}",
            role=role,
            team=team if with_team else None,
            agency=agency if with_agency else None,
            is_superuser=superuser,
            is_active=active,
        )
        shape = scope_shape(user)
        if shape is None:
            continue
        shaped += 1
        form, ids = shape
        expected = cases_visible_to(user).query.sql_with_params()
        assert cases_visible_to(scope_stand_in(form, **ids)).query.sql_with_params() == expected
    assert shaped >= 20, "collectors, field agents, team leads, agency collectors, admins"


def test_a_statement_compiled_for_one_collector_keeps_the_next_in_their_scope(
    creditor: Creditor, tmp_path: Path
) -> None:
    cases = build_cases(creditor, tmp_path, [loan_row("A1"), loan_row("B1")])
    team, me, other = people(creditor)
    other_team = Team.objects.create(name="other team", creditor=creditor, buckets="M1")
    User.objects.filter(pk=other.pk).update(team=other_team)
    other.refresh_from_db()
    assign(cases["A1"], team, me)
    assign(cases["B1"], other_team, other)

    assert case_get_for(user=me, case_id=cases["A1"].pk).pk == cases["A1"].pk
    with pytest.raises(NotFound):
        case_get_for(user=other, case_id=cases["A1"].pk)
    assert case_get_for(user=other, case_id=cases["B1"].pk).pk == cases["B1"].pk
    with pytest.raises(NotFound):
        case_get_for(user=me, case_id=cases["B1"].pk)
    with pytest.raises(NotFound):
        case_get_for(user=me, case_id=10**20)
