"""The outreach worker killed (kill -9) in the middle of its batches, five times, then run
to the end: each kill strands at most the messages of the one provider request in flight
(the rest of its batch goes back to the queue), the next run asks the gateway about those
(the status query) and settles every one, and no message reaches the gateway twice. Real
``arrears worker`` processes, a scratch database, the fake SMS gateway over HTTP speaking
the generic JSON protocol and Alibaba Cloud's dysmsapi."""

from __future__ import annotations

import itertools
import json
import signal
import uuid
from collections import Counter

import pytest

from arrears.outreach.channels.sms_aliyun import aliyun_number
from arrears.outreach.models import Installation
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.scratch import Scratch, arrears

MESSAGES = 1_600  # SMS queued for the run (the demo's own plus reminders to its borrowers)
REQUEST = 100  # messages in one provider request (generic max_batch, Aliyun SendBatchSms)
# Where each of the five runs dies, as point:n (the nth time the worker passes the point):
# after marking a request sending but before making it; after a claim; after a request's
# reply but before recording it; after recording; and once more after a reply.
KILLS = ("sending:3", "claimed:2", "sent:2", "recorded:4", "sent:5")
DECIDED = {"sent", "delivered", "failed", "blocked", "cancelled"}
# Day-time for the debtors whenever the test runs (the contact window is the gate's, not
# what this test is about), every SMS due now, and Aliyun template codes on the templates.
PREPARE = """
from django.utils import timezone
from arrears.compliance.models import CompliancePolicy
from arrears.outreach.bench import midday_zone
from arrears.outreach.models import Installation, MessageTemplate, OutboxMessage
from arrears.portfolio.models import Creditor, LoanParty
for creditor in Creditor.objects.all():
    CompliancePolicy.objects.update_or_create(
        creditor=creditor, defaults={"time_zone": midday_zone()})
MessageTemplate.objects.filter(channel="sms").update(provider_template_code="SMS_100001")
now = timezone.now()
links = list(LoanParty.objects.filter(role="borrower", party__contact_points__kind="phone")
             .values_list("loan_id", "party_id").distinct())
have = OutboxMessage.objects.filter(channel="sms", status="queued").count()
OutboxMessage.objects.bulk_create(
    OutboxMessage(case_id=0, loan_id=loan_id, party_id=party_id, planned_action_id=-(n + 1),
                  channel="sms", purpose="sms", template="reminder", status="queued",
                  due_at=now)
    for n in range(%(messages)d - have)
    for loan_id, party_id in [links[n %% len(links)]])
OutboxMessage.objects.filter(channel="sms", status="queued").update(due_at=now)
print(OutboxMessage.objects.filter(channel="sms", status="queued").count(),
      Installation.current_key())
"""
REPORT = """
import json
from arrears.outreach.models import OutboxMessage
print(json.dumps(list(OutboxMessage.objects.filter(channel="sms").values_list(
    "id", "status", "to", "provider_id"))))
"""


def _env(provider: str, gateway: FakeSmsGateway) -> dict[str, str]:
    env = {"ARREARS_SMS_PROVIDER": provider, "ARREARS_SMS_STATUS_WINDOW": "0"}
    if provider == "generic":
        return env | {"ARREARS_SMS_URL": gateway.generic_url, "ARREARS_SMS_TOKEN": "t0ken"}
    return env | {
        "ARREARS_SMS_URL": gateway.aliyun_url,
        "ARREARS_SMS_ACCESS_KEY_ID": gateway.access_key_id,
        "ARREARS_SMS_ACCESS_KEY_SECRET": gateway.access_key_secret,
        "ARREARS_SMS_SIGN_NAME": "测试金融",
    }


def _report(scratch: Scratch, name: str) -> dict[int, tuple[str, str, str]]:
    done = arrears(scratch, name, "shell", "-c", REPORT)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    return {pk: (status, to, provider_id) for pk, status, to, provider_id in rows}


@pytest.mark.django_db
@pytest.mark.parametrize("provider", ["generic", "aliyun"])
def test_five_kills_strand_one_request_each_and_the_status_query_settles_them(
    scratch: Scratch, provider: str
) -> None:
    name = f"arrears_outbox_crash_{uuid.uuid4().hex[:8]}"
    scratch.create_demo(name, 200)
    prepared = arrears(scratch, name, "shell", "-c", PREPARE % {"messages": MESSAGES})
    assert prepared.returncode == 0, prepared.stderr
    queued, installation = prepared.stdout.strip().splitlines()[-1].split()
    assert int(queued) == MESSAGES
    worker = ("worker", "--outbox-only", "--until-empty", "--channels", "sms")
    stranded: list[set[int]] = []
    with FakeSmsGateway(token="t0ken") as gateway:
        env = _env(provider, gateway)
        for point in KILLS:
            run = arrears(scratch, name, *worker, ARREARS_OUTREACH_KILL=point, **env)
            assert run.returncode == -signal.SIGKILL, (point, run.stderr)
            after = _report(scratch, name)
            # What the next run will find: the request in flight (sending, to become
            # unknown) and whatever is still unknown from before; claimed ones never left.
            stranded.append({pk for pk, (s, _, _) in after.items() if s in ("sending", "unknown")})
        final = arrears(scratch, name, *worker, **env)
        assert final.returncode == 0, final.stderr
        statuses = _report(scratch, name)
        received = gateway.messages()
        counts = gateway.counts()

    sizes = [len(ids) for ids in stranded]
    assert all(size <= REQUEST for size in sizes), sizes
    # The kills after marking a request sending or after its reply stranded a request each;
    # the next run settled it, so nothing is carried from one kill to the next.
    assert [size > 0 for size in sizes] == [True, False, True, False, True], sizes
    assert not any(a & b for a, b in itertools.pairwise(stranded))
    # After the final run every SMS is decided, none left unknown for a person: sent, or
    # settled by the gate and the data at claim time (the demo holds some parties, and
    # some of its numbers are known invalid).
    outcome = Counter(s for s, _, _ in statuses.values())
    assert set(outcome) <= DECIDED, outcome
    assert outcome["sent"] >= MESSAGES * 0.95, outcome
    sent = {pk: (to, provider_id) for pk, (s, to, provider_id) in statuses.items() if s == "sent"}
    if provider == "generic":
        # Keys name this installation; each sent message reached the gateway exactly once.
        assert counts == {f"arrears-{installation}-{pk}": 1 for pk in sent}
        by_key = {m.key: m.provider_id for m in received}
        assert all(
            by_key[f"arrears-{installation}-{pk}"] == provider_id
            for pk, (_, provider_id) in sent.items()
        )
    else:
        # Aliyun sees numbers, not message keys: each number received exactly as many
        # messages as were sent to it.
        # (Aliyun takes a mainland mobile as its 11 digits; the outbox keeps E.164.)
        assert Counter(m.phone for m in received) == Counter(
            aliyun_number(to) for to, _ in sent.values()
        )
        assert all(m.out_id.startswith(("batch-", f"arrears-{installation}-")) for m in received)
    # The scratch database was built on its own, so it has its own installation key.
    assert installation != Installation.current_key()
