"""The outreach worker killed (kill -9) at random points of its batches, again and again,
then run to the end: no message reaches the gateway twice, none is left in flight, none is
silently lost. Real ``arrears worker`` processes, a scratch database, the fake SMS gateway
over HTTP."""

from __future__ import annotations

import json
import random
import signal
import uuid

from tests.fakes.sms_gateway import FakeSmsGateway
from tests.scratch import Scratch, arrears

TERMINAL = {"sent", "delivered", "failed", "blocked", "cancelled", "unknown"}
# Day-time for the debtors whenever the test runs (the contact window is the gate's, not
# what this test is about), and every message due now.
# Besides what the demo's plan queued, a reminder to each of 40 borrowers, so there are
# enough batches to die in.
PREPARE = """
from django.utils import timezone
from arrears.compliance.models import CompliancePolicy
from arrears.outreach.bench import midday_zone
from arrears.outreach.models import OutboxMessage
from arrears.portfolio.models import Creditor, LoanParty
for creditor in Creditor.objects.all():
    CompliancePolicy.objects.update_or_create(
        creditor=creditor, defaults={"time_zone": midday_zone()})
now = timezone.now()
links = LoanParty.objects.filter(role="borrower", party__contact_points__kind="phone")
for n, (loan_id, party_id) in enumerate(links.values_list("loan_id", "party_id")[:40]):
    OutboxMessage.objects.create(
        case_id=0, loan_id=loan_id, party_id=party_id, planned_action_id=-(n + 1),
        channel="sms", purpose="sms", template="reminder", status="queued", due_at=now)
OutboxMessage.objects.filter(channel="sms", status="queued").update(due_at=now)
print(OutboxMessage.objects.filter(channel="sms", status="queued").count())
"""
REPORT = """
import json
from arrears.outreach.models import OutboxMessage
print(json.dumps(list(OutboxMessage.objects.filter(channel="sms").values_list("id", "status"))))
"""


def test_killed_workers_never_send_twice_and_lose_nothing(scratch: Scratch) -> None:
    name = f"arrears_outbox_crash_{uuid.uuid4().hex[:8]}"
    scratch.create(name)
    for command in (("migrate", "-v0"), ("demo", "--loans", "200")):
        done = arrears(scratch, name, *command)
        assert done.returncode == 0, done.stderr
    prepared = arrears(scratch, name, "shell", "-c", PREPARE)
    assert prepared.returncode == 0, prepared.stderr
    queued = int(prepared.stdout.strip().splitlines()[-1])
    assert queued >= 40
    rng = random.Random(20261201)
    with FakeSmsGateway(token="t0ken") as gateway:
        env = {
            "ARREARS_SMS_PROVIDER": "generic",
            "ARREARS_SMS_URL": gateway.generic_url,
            "ARREARS_SMS_TOKEN": "t0ken",
            "ARREARS_OUTREACH_BATCH": "4",
        }
        worker = ("worker", "--outbox-only", "--until-empty", "--channels", "sms")
        kills = 0
        for _ in range(5):
            point = f"{rng.choice(['claimed', 'sent', 'recorded'])}:{rng.randint(1, 3)}"
            run = arrears(scratch, name, *worker, ARREARS_OUTREACH_KILL=point, **env)
            assert run.returncode in (0, -signal.SIGKILL), run.stderr
            kills += run.returncode == -signal.SIGKILL
        final = arrears(scratch, name, *worker, **env)
        assert final.returncode == 0, final.stderr
        report = arrears(scratch, name, "shell", "-c", REPORT)
        statuses = dict(json.loads(report.stdout.strip().splitlines()[-1]))
        received = gateway.counts()

    assert kills >= 3, "the failpoints should have killed most runs"
    assert gateway.duplicates() == {}
    assert set(statuses.values()) <= TERMINAL, statuses
    sent = {f"arrears-{i}" for i, status in statuses.items() if status == "sent"}
    unknown = {f"arrears-{i}" for i, status in statuses.items() if status == "unknown"}
    # Every message marked sent reached the gateway exactly once; the gateway received
    # nothing that is not sent or unknown (killed between the call and the record).
    assert all(received.get(key) == 1 for key in sent)
    assert set(received) <= sent | unknown
    assert unknown, "a kill after claiming or sending leaves messages for a person to check"
