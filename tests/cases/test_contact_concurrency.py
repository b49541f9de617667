"""Thirty collectors' requests at once for one borrower make exactly the day's cap of
conversations, and twenty identical promise posts make one promise: real threads against a
served instance (gunicorn, several worker processes) on the test run's kind of database.

Fifty concurrent posts once made five conversations where the China pack allows three, and
fifty identical promises made fifty rows (issue 14, findings 1 and 11).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.cases.served import Served, served  # noqa: F401

pytestmark = pytest.mark.django_db

CAP = 3  # the China pack's effective conversations a day per debtor


def test_thirty_concurrent_contacts_make_exactly_the_days_three_conversations(
    served: Served,  # noqa: F811
) -> None:
    body = {
        "party_id": served.party_id,
        "channel": "call",
        "party_reached": "borrower",
        "outcome": "right_party",
    }

    statuses = served.post_at_once(f"/api/v1/cases/{served.case_id}/contacts", body, 30)

    assert sorted(statuses) == [201] * CAP + [409] * (30 - CAP), statuses
    made = served.query(
        "import json; from arrears.cases.models import Activity;"
        " from arrears.compliance.models import ContactAttempt, ContactRefusal;"
        f" print(json.dumps([Activity.objects.filter(case_id={served.case_id}).count(),"
        f" ContactAttempt.objects.filter(party_id={served.party_id},"
        " outcome='conversation').count(),"
        f" ContactRefusal.objects.filter(party_id={served.party_id}).count()]))"
    )
    assert made == [CAP, CAP, 30 - CAP], "three conversations, every refusal stored"


def test_twenty_identical_concurrent_promises_make_one_promise(
    served: Served,  # noqa: F811
) -> None:
    body = {
        "party_id": served.party_id,
        "amount": "100.00",
        "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }

    statuses = served.post_at_once(f"/api/v1/cases/{served.case_id}/promises", body, 20)

    assert statuses == [201] * 20, statuses
    promises = served.query(
        "import json; from arrears.cases.models import Promise;"
        f" print(json.dumps(list(Promise.objects.filter(case_id={served.case_id})"
        ".values_list('status', 'amount'))))"
    )
    assert promises == [["open", 100_00]], "one promise, none cancelled"
