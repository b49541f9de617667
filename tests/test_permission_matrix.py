"""Who may open what: every web view and API endpoint, for every role and for an anonymous
visitor, against one table (``EXPECTED``).

A new URL or endpoint missing from the table fails ``test_every_view_and_endpoint_is_in_the_
matrix``, so whoever adds a view decides here who may use it. The table follows
``arrears.accounts.roles.CAPABILITIES``: a role without the capability gets 403; a case
outside the person's scope gets 404 (``test_a_case_out_of_scope_is_not_found``).

Each request is made against a case of team A's unassigned pool, which every role of the
world can see (collectors and field agents of team A see their team's pool), so a status
here is about the role's capability and not about scope.
"""

from __future__ import annotations

import functools
import io
import json
import re
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from arrears.accounts.choices import Role
from arrears.accounts.roles import CAPABILITIES
from arrears.api.routes import api
from arrears.cases.blacklist_services import blacklist_decide, blacklist_propose
from arrears.cases.choices import SettlementStatus
from arrears.cases.models import CollectionCase, Settlement
from arrears.cases.services import activity_record
from arrears.cases.writeoff_services import writeoff_propose
from arrears.field.demo import demo_photo
from arrears.field.visit_services import UploadedFile, visit_record
from arrears.legal.models import EvidenceBundle, LegalDocument, Matter
from arrears.legal.services import matter_open
from arrears.portfolio.models import ContactPoint, LoanParty, Party
from arrears.quality.recording_services import UploadedAudio, recording_attach
from arrears.quality.review_services import sample_draw
from tests.e2e.world import World, world_build

ANONYMOUS = "anonymous"
ROLES: list[str] = [*Role.values, ANONYMOUS]
USERNAME_OF_ROLE: dict[str, str] = {
    Role.COLLECTOR: "collector1",
    Role.FIELD_AGENT: "fieldagent",
    Role.TEAM_LEAD: "lead",
    Role.MANAGER: "manager",
    Role.LEGAL_OFFICER: "legal",
    Role.COMPLIANCE_AUDITOR: "auditor",
    Role.ADMIN: "admin",
    Role.AGENCY_COLLECTOR: "agencycollector",
}

# Statuses that mean "let in": a POST made with an empty body may be saved (302), re-render
# the form with its field messages (200) or be refused as bad input (400, or 422 from the
# API's schema validation) — what it must not be is 403 or 404.
LET_IN = frozenset({200, 201, 302, 400, 422})
Expected = int | frozenset[int]

# Excluded on purpose, each with the reason:
EXCLUDED_PREFIXES = (
    "admin/",  # Django's admin: guarded by is_staff and model permissions, tested by Django.
    "i18n/",  # the language switch: open to everyone by design (tests/accounts/test_login.py).
    "api/v1/",  # the Ninja API: walked through its OpenAPI schema below, endpoint by endpoint.
    "static/",  # static files (served only when DEBUG is on).
)


def by_capability(capability: str, *, allowed: Expected, refused: Expected = 403) -> dict:
    """A row: roles with ``capability`` get ``allowed``, the others ``refused``, anonymous
    visitors the login page (302)."""
    roles = CAPABILITIES[capability]
    row: dict[str, Expected] = {role: allowed if role in roles else refused for role in Role}
    row[ANONYMOUS] = 302
    return row


def everyone(status: Expected, anonymous: Expected = 302) -> dict:
    return {**{role: status for role in Role}, ANONYMOUS: anonymous}


def api_row(capability: str | None, *, allowed: Expected = 200) -> dict:
    """An API row: anonymous callers get 401 (no session, no token)."""
    roles = CAPABILITIES[capability] if capability else frozenset(Role.values)
    row: dict[str, Expected] = {role: allowed if role in roles else 403 for role in Role}
    row[ANONYMOUS] = 401
    return row


def case_row(capability: str, *, allowed: Expected, refused: Expected = 403) -> dict:
    """A row for a page or endpoint about team A's pool case (or something of it: its loan,
    a call, a visit, a plan …).

    The agency collector sees only the cases placed with its agency, and the target case is
    not placed (``matrix_world``). Every such view checks the capability first (403 naming
    the refusal) and the case's scope second (404), so the agency collector gets 404 where
    its role has the capability and 403 where it has not; the other roles follow the
    capability (their scope holds the case)."""
    row = by_capability(capability, allowed=allowed, refused=refused)
    if Role.AGENCY_COLLECTOR in CAPABILITIES[capability]:
        row[Role.AGENCY_COLLECTOR] = 404
    return row


def api_case_row(capability: str, *, allowed: Expected = 200) -> dict:
    """``case_row`` for the API: the same order (403, then 404), anonymous callers 401."""
    row = api_row(capability, allowed=allowed)
    if Role.AGENCY_COLLECTOR in CAPABILITIES[capability]:
        row[Role.AGENCY_COLLECTOR] = 404
    return row


# (method, URL name or API path) -> role -> status.
EXPECTED: dict[tuple[str, str], dict[str, Expected]] = {
    # Signing in and out.
    ("GET", "accounts:login"): everyone(302, anonymous=200),
    ("POST", "accounts:login"): everyone(302, anonymous=200),
    ("GET", "accounts:logout"): everyone(405, anonymous=405),
    ("POST", "accounts:logout"): everyone(302, anonymous=302),
    # Home: people who work cases go on to their queue.
    ("GET", "workbench:home"): {
        **everyone(200),
        **{role: 302 for role in CAPABILITIES["queue"]},
    },
    # Loan look-up: every role, within its scope (the loan of team A's pool case is in every
    # role's scope; out of scope: ``test_a_case_out_of_scope_is_not_found``).
    ("GET", "workbench:loan-lookup"): case_row("loan_view", allowed=200),
    # The cycle page needs a Django model permission that no role grants yet; only the
    # administrator (a superuser) has it.
    ("GET", "workbench:cycle"): {**everyone(403), Role.ADMIN: 200},
    # The collector workbench.
    ("GET", "workbench:queue"): by_capability("queue", allowed=200),
    ("GET", "workbench:queue-next"): by_capability("queue", allowed=302),
    ("GET", "workbench:case"): case_row("case_view", allowed=200),
    ("POST", "workbench:contact-record"): case_row("contact_record", allowed=LET_IN),
    ("POST", "workbench:promise-create"): case_row("promise_create", allowed=LET_IN),
    ("POST", "workbench:hold-place"): case_row("hold_place", allowed=LET_IN),
    ("POST", "workbench:reveal"): case_row("reveal_phone", allowed=200),
    # Plans, settlements and approvals.
    ("GET", "workbench:plan-new"): case_row("plan_request", allowed=200),
    ("POST", "workbench:plan-new"): case_row("plan_request", allowed=LET_IN),
    ("POST", "workbench:plan-decide"): case_row("plan_decide", allowed=LET_IN),
    ("GET", "workbench:settlement-new"): case_row("settlement_request", allowed=200),
    ("POST", "workbench:settlement-new"): case_row("settlement_request", allowed=LET_IN),
    ("POST", "workbench:settlement-decide"): case_row("settlement_decide", allowed=LET_IN),
    ("GET", "workbench:approvals"): {
        **by_capability("plan_decide", allowed=200),
        **{role: 200 for role in CAPABILITIES["settlement_decide"]},
    },
    # The team view and reassignment.
    ("GET", "workbench:team"): by_capability("team_view", allowed=200),
    ("POST", "workbench:case-reassign"): case_row("case_reassign", allowed=LET_IN),
    # The legal desk: legal_view reads it, legal_manage changes it (empty forms: 400).
    ("GET", "workbench:legal"): by_capability("legal_view", allowed=200),
    ("GET", "workbench:legal-matter"): case_row("legal_view", allowed=200),
    ("GET", "workbench:legal-matter-new"): case_row("legal_manage", allowed=200),
    ("POST", "workbench:legal-matter-new"): case_row("legal_manage", allowed=LET_IN),
    ("POST", "workbench:legal-event"): case_row("legal_manage", allowed=LET_IN),
    ("POST", "workbench:legal-cost"): case_row("legal_manage", allowed=LET_IN),
    ("POST", "workbench:legal-close"): case_row("legal_manage", allowed=LET_IN),
    ("POST", "workbench:legal-document"): case_row("legal_manage", allowed=LET_IN),
    ("POST", "workbench:legal-bundle"): case_row("legal_manage", allowed=LET_IN),
    ("GET", "workbench:legal-document-download"): case_row("legal_view", allowed=200),
    ("GET", "workbench:legal-bundle-download"): case_row("legal_view", allowed=200),
    # REST API.
    ("GET", "/api/v1/loans/{loan_id}"): api_case_row("loan_view"),
    ("GET", "/api/v1/cases/"): api_row("case_view"),
    ("GET", "/api/v1/cases/{case_id}"): api_case_row("case_view"),
    ("POST", "/api/v1/cases/{case_id}/contacts"): api_case_row("contact_record", allowed=LET_IN),
    ("POST", "/api/v1/cases/{case_id}/promises"): api_case_row("promise_create", allowed=LET_IN),
    ("POST", "/api/v1/cases/{case_id}/plans"): api_case_row("plan_request", allowed=LET_IN),
    # A path under /api/ that no endpoint serves: JSON 404 for everyone.
    ("GET", "api-not-found"): everyone(404, anonymous=404),
    # Provider callbacks: no user at all, only the shared secret (absent here, so refused).
    ("POST", "/api/v1/outreach/receipts/{channel}"): everyone(403, anonymous=403),
    ("POST", "/api/v1/outreach/inbound/sms"): everyone(403, anonymous=403),
    # The same for URL-only providers (a token in the path, unset here) and a forged
    # one-click unsubscribe link.
    ("POST", "/api/v1/outreach/p/{token}/receipts/{channel}"): everyone(403, anonymous=403),
    ("POST", "/api/v1/outreach/p/{token}/inbound/sms"): everyone(403, anonymous=403),
    ("POST", "/api/v1/outreach/unsubscribe/{token}"): everyone(403, anonymous=403),
    # Posting payments needs a token with the payments:write scope: a session never has it.
    ("POST", "/api/v1/payments"): {**{role: 403 for role in Role}, ANONYMOUS: 401},
    # Payment notices: no user, only the provider's signature (the secret is unset here).
    ("POST", "/api/v1/payments/notify/{provider}"): everyone(401, anonymous=401),
    # Notices no loan matched, matched by hand.
    ("GET", "workbench:payments-unmatched"): by_capability("payments_match", allowed=200),
    ("POST", "workbench:payments-unmatched"): by_capability("payments_match", allowed=LET_IN),
    # The insights pages: a download may find no figures for the month (404 with its reason).
    ("GET", "workbench:insights"): by_capability("insights_view", allowed=200),
    ("GET", "workbench:insights-xlsx"): by_capability(
        "insights_view", allowed=frozenset({200, 404})
    ),
    # A guarantor's pay-out from the case page (an empty POST: the form's field messages).
    ("GET", "workbench:guarantee-payout"): case_row("guarantee_payout", allowed=200),
    ("POST", "workbench:guarantee-payout"): case_row("guarantee_payout", allowed=LET_IN),
    # Field visits and skip tracing (issue 20): recording a visit needs ``visit_record``;
    # its report and evidence are read by anyone who may see the case (``case_view``).
    ("GET", "workbench:field-visit-new"): case_row("visit_record", allowed=200),
    ("POST", "workbench:field-visit-new"): case_row("visit_record", allowed=LET_IN),
    ("GET", "workbench:field-visit-report"): case_row("case_view", allowed=200),
    ("GET", "workbench:field-evidence"): case_row("case_view", allowed=200),
    ("GET", "workbench:field-route"): by_capability("visit_record", allowed=200),
    ("GET", "workbench:field-skip-trace"): case_row("skip_trace", allowed=200),
    ("POST", "workbench:field-point-add"): case_row("skip_trace", allowed=LET_IN),
    ("POST", "workbench:field-point-judge"): case_row("skip_trace", allowed=LET_IN),
    ("POST", "workbench:field-employer"): case_row("skip_trace", allowed=LET_IN),
    ("POST", "workbench:field-person"): case_row("skip_trace", allowed=LET_IN),
    ("GET", "workbench:field-skip-trace-queue"): by_capability("skip_trace", allowed=200),
    # Agencies (issue 20): placing and recalling a case, the placements desk, the
    # commission statement. The target case is not placed, so a recall finds nothing (404)
    # even for the roles that may recall.
    ("GET", "workbench:agency-place"): case_row("agency_place", allowed=200),
    ("POST", "workbench:agency-place"): case_row("agency_place", allowed=LET_IN),
    ("GET", "workbench:agency-recall"): case_row("agency_place", allowed=404),
    ("POST", "workbench:agency-recall"): case_row("agency_place", allowed=404),
    ("GET", "workbench:agency-placements"): by_capability("agency_place", allowed=200),
    ("GET", "workbench:agency-statement"): by_capability("agency_manage", allowed=200),
    # Closing (issue 20): write-offs, closing a case by hand, stop-loss, the blacklist.
    ("GET", "workbench:closing-writeoff-propose"): case_row("writeoff_propose", allowed=200),
    ("POST", "workbench:closing-writeoff-propose"): case_row("writeoff_propose", allowed=LET_IN),
    # An empty decision is a rejection without a reason: refused, shown on /approvals/.
    ("POST", "workbench:closing-writeoff-decide"): case_row("writeoff_decide", allowed=302),
    # Closing a case needs either capability (deceased: a manager; legal: legal, manager).
    ("POST", "workbench:closing-case-close"): {
        **by_capability("case_close_legal", allowed=302),
        **{role: 302 for role in CAPABILITIES["case_close_deceased"]},
    },
    ("GET", "workbench:closing-stop-loss"): by_capability("stop_loss_view", allowed=200),
    ("POST", "workbench:closing-stop-loss"): by_capability("stop_loss_view", allowed=LET_IN),
    ("GET", "workbench:closing-blacklist-propose"): case_row("blacklist_propose", allowed=200),
    ("POST", "workbench:closing-blacklist-propose"): case_row("blacklist_propose", allowed=LET_IN),
    # The blacklist page: any of the three blacklist capabilities.
    ("GET", "workbench:closing-blacklist"): {
        **by_capability("blacklist_propose", allowed=200),
        **{
            role: 200
            for capability in ("blacklist_decide", "blacklist_export")
            for role in CAPABILITIES[capability]
        },
    },
    # Empty decisions and delistings are refused as messages on the blacklist page.
    ("POST", "workbench:closing-blacklist-decide"): case_row("blacklist_decide", allowed=302),
    ("POST", "workbench:closing-blacklist-delist"): case_row("blacklist_decide", allowed=302),
    ("GET", "workbench:closing-blacklist-export"): by_capability("blacklist_export", allowed=200),
    # Call recordings and quality review (issue 20).
    ("GET", "workbench:quality-recording-new"): case_row("recording_attach", allowed=200),
    ("POST", "workbench:quality-recording-new"): case_row("recording_attach", allowed=LET_IN),
    # An empty transcript: back to the case with the refusal as a message.
    ("POST", "workbench:quality-transcript-new"): case_row("recording_attach", allowed=302),
    # The audio of an uploaded recording: anyone whose scope holds its case.
    ("GET", "workbench:quality-audio"): case_row("case_view", allowed=200),
    ("GET", "workbench:quality"): by_capability("quality_review", allowed=200),
    ("POST", "workbench:quality"): by_capability("quality_review", allowed=LET_IN),
    # Samples are personal: the team lead drew the world's, any other reviewer gets 404.
    ("GET", "workbench:quality-sample"): {
        **by_capability("quality_review", allowed=404),
        Role.TEAM_LEAD: 200,
    },
    ("GET", "workbench:quality-review"): case_row("quality_review", allowed=200),
    ("POST", "workbench:quality-review"): case_row("quality_review", allowed=LET_IN),
    ("GET", "workbench:quality-report"): by_capability("quality_review", allowed=200),
    ("POST", "/api/v1/activities/{activity_id}/recording"): api_case_row(
        "recording_attach", allowed=LET_IN
    ),
    # The borrower portal has its own session, never a staff sign-in: its pages say so
    # (403) to everyone else, and a forged link is not found.
    ("GET", "portal:link"): everyone(404, anonymous=404),
    ("GET", "portal:verify"): everyone(403, anonymous=403),
    ("POST", "portal:verify"): everyone(403, anonymous=403),
    ("POST", "portal:resend"): everyone(403, anonymous=403),
    ("POST", "portal:sign-out"): everyone(403, anonymous=403),
    ("GET", "portal:home"): everyone(403, anonymous=403),
    **{
        (method, f"portal:{name}"): everyone(403, anonymous=403)
        for name in ("promise", "plan", "dispute", "pause", "quiet")
        for method in ("GET", "POST")
    },
}


def _django_views(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(namespaced name or route, route) of every URL pattern, walking includes."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _django_views(pattern.url_patterns, route, inner)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
        else:
            yield route, route


def django_views() -> dict[str, str]:
    """Every named web view outside the commented exclusions, with its route."""
    return {
        name: route
        for name, route in _django_views(get_resolver().url_patterns)
        if not route.startswith(EXCLUDED_PREFIXES)
    }


@functools.cache
def api_operations() -> frozenset[tuple[str, str]]:
    """(method, path) of every operation in the API's OpenAPI schema (built once: django-ninja
    builds the whole schema on every call, 35 ms, and the matrix's API cells ask 133 times)."""
    paths = api.get_openapi_schema()["paths"]
    return frozenset(
        (method.upper(), path) for path, operations in paths.items() for method in operations
    )


def test_every_view_and_endpoint_is_in_the_matrix() -> None:
    listed = {target for _, target in EXPECTED}
    missing = sorted(name for name in django_views() if name not in listed)
    missing += sorted(f"{m} {p}" for m, p in api_operations() if (m, p) not in EXPECTED)

    assert not missing, f"add these to EXPECTED in {__name__}: {missing}"


def test_every_row_names_every_role() -> None:
    incomplete = {key: sorted(set(ROLES) - set(row)) for key, row in EXPECTED.items()}

    assert not {key: roles for key, roles in incomplete.items() if roles}


def _legal_files(matter: Matter) -> dict[str, object]:
    """A stored court paper and bundle of ``matter`` (stand-in bytes: only access is tested)."""
    folder = Path(settings.DATA_DIR) / "legal" / "matrix"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "paper.docx").write_bytes(b"PK paper")
    (folder / "bundle.zip").write_bytes(b"PK bundle")
    document = LegalDocument.objects.create(
        loan=matter.loan,
        matter=matter,
        kind="complaint",
        format="docx",
        as_of=matter.opened_on,
        path="legal/matrix/paper.docx",
        size=8,
        sha256="0" * 64,
    )
    bundle = EvidenceBundle.objects.create(
        loan=matter.loan,
        matter=matter,
        path="legal/matrix/bundle.zip",
        files=1,
        size=9,
        sha256="0" * 64,
        manifest_sha256="0" * 64,
    )
    return {"document_id": document.pk, "bundle_id": bundle.pk}


def _silent_wav() -> bytes:
    """A second of silence as a WAV file (a recording's bytes are checked to be audio)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(2 * 8000))
    return buffer.getvalue()


def _issue_20_objects(world: World, target: CollectionCase, borrower: int) -> dict[str, object]:
    """What issue 20's pages act on, made through their own services on the target case: a
    call of collector2 (so team A's reviewers may score it) with an uploaded recording, the
    team lead's review sample holding it, a two-person visit with a photo, a pending
    write-off proposal by the legal officer, and two blacklist entries (one pending, one
    listed: the borrower and an emergency contact of the loan)."""
    users = world.users
    now = timezone.now()
    party = Party.objects.get(pk=borrower)
    result = activity_record(
        case=target,
        party=party,
        channel="call",
        party_reached="nobody",
        outcome="no_answer",
        by=users["collector2"],
        at=now - timedelta(minutes=30),
        on=world.today,
    )
    call = result.activity
    assert call is not None, f"the gate refused the matrix world's call: {result}"
    recording = recording_attach(
        activity=call, by=None, upload=UploadedAudio(name="call.wav", data=_silent_wav())
    )
    sample = sample_draw(
        by=users["lead"], first_day=world.today, last_day=world.today, per_collector=1
    )
    visit = visit_record(
        case=target,
        party_id=borrower,
        by=users["fieldagent"],
        colleague_ids=[users["lead"].pk],
        arrived_at=now - timedelta(minutes=20),
        left_at=now - timedelta(minutes=5),
        outcome="met_debtor",
        on=world.today,
        new_address="北京市朝阳区某路1号",
        files=[UploadedFile("door.png", demo_photo())],
    )
    assert visit.visit is not None, f"the gate refused the matrix world's visit: {visit}"
    proposal = writeoff_propose(
        case=target, by=users["legal"], reason="matrix: nothing to recover", on=world.today
    )
    contact = Party.objects.create(creditor=world.creditor, kind="person", name="Contact")
    LoanParty.objects.create(loan_id=target.loan_id, party=contact, role="contact_person")
    pending = blacklist_propose(party=party, by=users["lead"], reason="matrix")
    listed = blacklist_propose(party=contact, by=users["lead"], reason="matrix")
    blacklist_decide(entry=listed, by=users["manager"], approve=True)
    return {
        "activity_id": call.pk,
        "recording_id": recording.pk,
        "sample_id": sample.pk,
        "visit_id": visit.visit.pk,
        "evidence_id": visit.visit.evidence.get().pk,
        "proposal_id": proposal.pk,
        # The decide URL takes the pending entry, the delist URL the listed one
        # (``OTHER_KWARGS``).
        "entry_id": pending.pk,
        "listed_entry_id": listed.pk,
        "agency_code": world.agency.code if world.agency else "",
        "month": f"{world.today:%Y-%m}",
    }


@dataclass
class MatrixWorld:
    world: World
    kwargs: dict[str, object]


@pytest.fixture(scope="module")
def matrix_world(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[MatrixWorld]:
    """The browser tests' world, built once for the module inside a transaction that is rolled
    back at the end; each test runs in a savepoint within it."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = world_build(tmp_path_factory.mktemp("matrix"))
        target = world.cases["E2E-A3"]  # team A's pool
        settlement = Settlement.objects.create(
            case=target,
            loan_id=target.loan_id,
            waive_penalty=100,
            reason="matrix",
            status=SettlementStatus.PENDING,
            requested_by=world.users["collector1"],
            made_on=world.today,
        )
        borrower = LoanParty.objects.get(loan_id=target.loan_id, role="borrower").party_id
        # Before the lawsuit: its litigation hold lets no call or visit through.
        issue_20 = _issue_20_objects(world, target, borrower)
        matter = matter_open(loan=target.loan, kind="lawsuit", on=world.today)
        files = _legal_files(matter)
        kwargs = {
            "case_id": target.pk,
            "plan_id": world.pending_plan.pk,
            "settlement_id": settlement.pk,
            "loan_id": target.loan.loan_id,
            "channel": "sms",
            "token": "forged-token",
            "provider": "generic",
            "party_id": borrower,
            "matter_id": matter.pk,
            "table": "aging",
            **files,
            **issue_20,
            "contact_point_id": ContactPoint.objects.filter(party_id=borrower, kind="phone")
            .values_list("pk", flat=True)
            .first(),
        }
        yield MatrixWorld(world=world, kwargs=kwargs)
        transaction.set_rollback(True)


# Query strings some GETs need to do their work (the loan page looks a loan up).
QUERIES: dict[str, str] = {
    "workbench:loan-lookup": "?loan_id={loan_id}",
    "workbench:legal-matter-new": "?case={case_id}",
    "workbench:agency-statement": "?agency={agency_code}&month={month}",
    "workbench:quality-report": "?month={month}",
    "workbench:quality-review": "?sample={sample_id}",
}


# URL keywords a view names like another's but means another object by:
# target -> {keyword in the URL: key in the world's kwargs}.
OTHER_KWARGS: dict[str, dict[str, str]] = {
    "workbench:closing-blacklist-delist": {"entry_id": "listed_entry_id"},
}


def _url_for(target: str, kwargs: dict[str, object]) -> str:
    kwargs = {**kwargs, **{k: kwargs[v] for k, v in OTHER_KWARGS.get(target, {}).items()}}
    query = QUERIES.get(target, "").format(**kwargs)
    return _path_for(target, kwargs) + query


def _path_for(target: str, kwargs: dict[str, object]) -> str:
    if target.startswith("/"):
        return re.sub(r"\{(\w+)\}", lambda m: str(kwargs[m.group(1)]), target)
    if target not in django_views():
        pytest.fail(f"no view for {target}")
    route = django_views()[target]
    needed = re.findall(r"<(?:\w+:)?(\w+)>", route)
    try:
        return reverse(target, kwargs={name: kwargs[name] for name in needed})
    except NoReverseMatch as error:  # pragma: no cover - reported, not crashed on
        pytest.fail(f"cannot build a URL for {target}: {error}")


def _check_target_exists(method: str, target: str) -> None:
    if target.startswith("/") and (method, target) not in api_operations():
        pytest.fail(f"no API endpoint for {method} {target}")


def _client_for(role: str, world: World) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users[USERNAME_OF_ROLE[role]])
    return client


CELLS = [
    pytest.param(method, target, role, id=f"{method} {target} as {role}")
    for (method, target), row in EXPECTED.items()
    for role in ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "target", "role"), CELLS)
def test_the_role_gets_the_expected_answer(
    matrix_world: MatrixWorld, method: str, target: str, role: str
) -> None:
    _check_target_exists(method, target)
    url = _url_for(target, matrix_world.kwargs)
    client = _client_for(role, matrix_world.world)

    response = _request(client, method, target, url, matrix_world.kwargs)

    expected = EXPECTED[(method, target)][role]
    allowed = expected if isinstance(expected, frozenset) else frozenset({expected})
    assert response.status_code in allowed, (
        f"{role} {method} {url}: got {response.status_code}, expected {sorted(allowed)}"
    )


# The API validates a body's shape before the endpoint runs (422 for everyone), so its POSTs
# carry bodies of the right shape with one bad value: past the access checks they are refused
# as bad input (400) and write nothing.
API_BODIES: dict[str, dict[str, object]] = {
    "/api/v1/cases/{case_id}/contacts": {
        "party_id": "{party_id}",
        "channel": "call",
        "party_reached": "nobody",
        "outcome": "no_answer",
        "contact_point_id": 0,
    },
    "/api/v1/cases/{case_id}/promises": {
        "party_id": "{party_id}",
        "amount": "not an amount",
        "due_on": "2030-01-01",
    },
    "/api/v1/cases/{case_id}/plans": {
        "total": "not an amount",
        "installments": 3,
        "start_on": "2030-01-01",
        "reason": "matrix",
    },
}


# Web forms are posted empty, except where the view cannot tell which capability applies
# without its input: a reveal says what it reveals (the borrower's phone: ``reveal_phone``),
# and a stop-loss keep which case it keeps (none is not found).
FORM_BODIES: dict[str, dict[str, object]] = {
    "workbench:reveal": {"kind": "phone", "contact_point": "{contact_point_id}"},
    # Keeping a case off the stop-loss list names the case (no reason: the form's message).
    "workbench:closing-stop-loss": {"case": "{case_id}"},
}


def _body(template: dict[str, object], kwargs: dict[str, object]) -> dict[str, object]:
    """``template`` with ``"{name}"`` values replaced from ``kwargs``."""
    return {
        key: kwargs[value[1:-1]] if isinstance(value, str) and value[:1] == "{" else value
        for key, value in template.items()
    }


def _request(
    client: Client, method: str, target: str, url: str, kwargs: dict[str, object]
) -> HttpResponse:
    """The request: an empty form for web pages, a well-shaped JSON body for the API."""
    if method == "GET":
        return client.get(url)  # type: ignore[return-value]
    if target.startswith("/api/"):
        body = _body(API_BODIES.get(target, {}), kwargs)
        return client.post(url, body, content_type="application/json")  # type: ignore[return-value]
    return client.post(url, _body(FORM_BODIES.get(target, {}), kwargs))  # type: ignore[return-value]


# Case pages with a case outside the person's scope: team B's case for people of team A;
# the loan page and API with team B's case's loan.
OUT_OF_SCOPE = [
    ("GET", "workbench:loan-lookup", Role.COLLECTOR),
    ("GET", "workbench:loan-lookup", Role.FIELD_AGENT),
    ("GET", "workbench:loan-lookup", Role.TEAM_LEAD),
    ("GET", "/api/v1/loans/{loan_id}", Role.COLLECTOR),
    ("GET", "/api/v1/loans/{loan_id}", Role.TEAM_LEAD),
    ("GET", "workbench:case", Role.COLLECTOR),
    ("POST", "workbench:contact-record", Role.COLLECTOR),
    ("POST", "workbench:promise-create", Role.COLLECTOR),
    ("POST", "workbench:hold-place", Role.FIELD_AGENT),
    ("POST", "workbench:reveal", Role.COLLECTOR),
    ("GET", "workbench:plan-new", Role.COLLECTOR),
    ("GET", "workbench:settlement-new", Role.COLLECTOR),
    ("POST", "workbench:case-reassign", Role.TEAM_LEAD),
    ("GET", "/api/v1/cases/{case_id}", Role.COLLECTOR),
    ("POST", "/api/v1/cases/{case_id}/contacts", Role.COLLECTOR),
    ("POST", "/api/v1/cases/{case_id}/plans", Role.COLLECTOR),
    ("POST", "/api/v1/cases/{case_id}/promises", Role.FIELD_AGENT),
    # Issue 20's case pages.
    ("GET", "workbench:field-visit-new", Role.FIELD_AGENT),
    ("GET", "workbench:field-skip-trace", Role.COLLECTOR),
    ("POST", "workbench:field-point-add", Role.COLLECTOR),
    ("GET", "workbench:agency-place", Role.TEAM_LEAD),
    ("GET", "workbench:closing-writeoff-propose", Role.TEAM_LEAD),
    ("GET", "workbench:closing-blacklist-propose", Role.TEAM_LEAD),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "target", "role"),
    [pytest.param(*cell, id=f"{cell[0]} {cell[1]} as {cell[2]}") for cell in OUT_OF_SCOPE],
)
def test_a_case_out_of_scope_is_not_found(
    matrix_world: MatrixWorld, method: str, target: str, role: str
) -> None:
    _check_target_exists(method, target)
    other = matrix_world.world.cases["E2E-B1"]
    kwargs = {**matrix_world.kwargs, "case_id": other.pk, "loan_id": other.loan.loan_id}
    url = _url_for(target, kwargs)
    client = _client_for(role, matrix_world.world)

    response = _request(client, method, target, url, matrix_world.kwargs)

    assert response.status_code == 404, f"{role} {method} {url}: got {response.status_code}"


# Every refusal of a web page answers the workbench's 403 page naming the reason; every
# refusal of the API a JSON ``detail``.
REFUSED = [
    pytest.param(method, target, role, id=f"{method} {target} as {role}")
    for (method, target), row in EXPECTED.items()
    for role in ROLES
    if row[role] == 403 and role != ANONYMOUS
]
GENERIC = "your role may not do this"
REASON = re.compile(r'data-testid="error-reason">([^<]*)<')


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "target", "role"), REFUSED)
def test_a_refusal_says_why(matrix_world: MatrixWorld, method: str, target: str, role: str) -> None:
    url = _url_for(target, matrix_world.kwargs)
    client = _client_for(role, matrix_world.world)

    response = _request(client, method, target, url, matrix_world.kwargs)

    if target.startswith("/api/") or target.startswith("api-"):
        assert response["Content-Type"].startswith("application/json")
        assert json.loads(response.content)["detail"]
        return
    match = REASON.search(response.content.decode())
    assert match is not None, f"{role} {method} {url}: no error page"
    reason = match.group(1).strip()
    assert reason and reason.lower().rstrip(".") != GENERIC, f"{role} {method} {url}: {reason!r}"
