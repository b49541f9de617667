"""Assignment leaves the cases placed with an agency alone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from arrears.agencies.services import placement_create
from arrears.cases.batch import cases_assign
from arrears.cases.models import CollectionCase
from tests.agencies.conftest import PLACED, World

pytestmark = pytest.mark.django_db


def test_assignment_leaves_a_placed_case_with_no_collector(world: World) -> None:
    case = world.cases["A1"]
    placement_create(case=case, agency=world.agency, on=PLACED, by=world.lead)

    cases_assign(on=PLACED + timedelta(days=1))

    assert CollectionCase.objects.get(pk=case.pk).assignee_id is None
