"""``arrears demo [--loans N]``: load the demo portfolio and a demo login.

The cycle closes the month ends of the year before the last week (the history the
propensity model learns from and the insights read), a score model is trained on them, and
then the last week is closed day by day. On a terminal progress bars (tape rows, then the
cycle steps; rate and ETA) run on standard error; standard output has a line per tape, one
for the history and its model, one for the cycle, and the login.
"""

from __future__ import annotations

import tempfile
import time
from argparse import ArgumentParser
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from arrears.accounts.choices import Role
from arrears.accounts.demo_workforce import (
    DEMO_USERNAME,
    PEOPLE,
    demo_password,
    demo_password_set,
    demo_workforce_create,
)
from arrears.accounts.models import User
from arrears.agencies.demo import DEMO_AGENCY_USER, demo_agency_create
from arrears.cases.demo_closing import demo_closing
from arrears.cases.demo_work import demo_early_promise, demo_recent_work
from arrears.cases.models import CollectionCase
from arrears.cases.services import work_items_cancel_for_case
from arrears.compliance.rules import DEFAULT_TIME_ZONE
from arrears.compliance.services import contact_attempt_record, hold_place
from arrears.core.commands import DataCommand
from arrears.core.errors import InvalidInput
from arrears.core.progress import progress
from arrears.cycle.runner import STEP_FUNCTIONS, cycle_run, cycle_run_through, partitions_planned
from arrears.field.demo import demo_field_work
from arrears.insights.scoring.training import model_train
from arrears.legal.demo_matters import demo_legal_matters
from arrears.outreach.channels.dev_sink import dev_outbox_dir
from arrears.outreach.channels.email_dev import DEV_EMAIL_BACKEND
from arrears.outreach.channels.sms import sms_provider_name
from arrears.outreach.selectors import outbox_counts
from arrears.outreach.services import outbox_cancel_for_case
from arrears.portfolio.demo import PRODUCTS, build_demo_tapes
from arrears.portfolio.management.commands.ingest import TapeProgress
from arrears.portfolio.models import Creditor, Loan, LoanParty, Product
from arrears.portfolio.services import creditor_get_or_create, tape_ingest
from arrears.quality.demo import demo_quality
from arrears.strategy.models import PlannedAction

DEMO_CREDITOR = "示范小额贷款有限公司"
DEMO_CYCLE_DAYS = 7
# Month ends closed before the last week: a year of labelled snapshots (each needs the 30
# days after it) for the score model, and the month ends the insights tables read.
DEMO_HISTORY_MONTHS = 13
DEMO_CONTACTS = 12


class Command(DataCommand):
    help = "Build a realistic demo portfolio through the tape importer, and a demo login."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loans", type=int, default=1000, help="how many loans (1000)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when loans are already loaded"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Loan.objects.exists():
            self.stdout.write("Portfolio already loaded; demo data not added.")
            self._ensure_login()
            return
        creditor = creditor_get_or_create(name=DEMO_CREDITOR)
        for profile in PRODUCTS:
            Product.objects.get_or_create(
                creditor=creditor,
                code=profile.code,
                defaults={"name": profile.name, "grace_days": profile.grace_days},
            )
        today = timezone.localdate()
        with tempfile.TemporaryDirectory() as tmp:
            tapes = build_demo_tapes(
                Path(tmp), loans=options["loans"], today=today, seed=options["seed"]
            )
            for kind, path in (
                ("loans", tapes.loans),
                ("payments", tapes.payments),
                ("parties", tapes.parties),
            ):
                with TapeProgress(f"demo {kind}") as bar:
                    result = tape_ingest(
                        creditor=creditor,
                        kind=kind,
                        path=path,
                        rejects_path=Path(tmp) / "rejects.csv",
                        progress=bar.advance,
                        on_total=bar.set_total,
                        reader_process=True,
                    )
                self.stdout.write(
                    f"demo {kind}: {result.created:,} created, {result.unchanged:,} unchanged, "
                    f"{result.rejected:,} rejected ({result.seconds:.1f} s)"
                )
                if result.rejected:
                    self.stderr.write((Path(tmp) / "rejects.csv").read_text(encoding="utf-8-sig"))
        # The teams exist before the cycle runs, so its allocation shares the cases out.
        demo_workforce_create(creditor=creditor)
        self._close_recent_days(today)
        self._field_agency_and_closing(creditor, today)
        self._ensure_login()

    def _field_agency_and_closing(self, creditor: Creditor, today: date) -> None:
        """Yesterday's two-person visits and skip tracing, call recordings with a flagged
        transcript and a review, an agency with placed cases, a write-off waiting for the
        manager and a blacklisted borrower: each desk opens with something on it."""
        visits = demo_field_work(day=today - timedelta(days=1))
        recordings = demo_quality(today=today)
        placements = demo_agency_create(creditor=creditor, today=today)
        demo_closing(day=today)
        self.stdout.write(
            f"field and agencies: {visits.get('visits', 0)} visits, {recordings} call"
            f" recordings, {len(placements)} cases placed with an agency (user agency1)"
        )

    def _close_recent_days(self, today: date) -> None:
        """Run the daily cycle over the last week, so the demo opens with cases, their
        playbooks and stages, planned actions, work queues and an outbox. Before today's
        run, a collector's calls of yesterday are recorded through the compliance gate and
        one borrower disputes the debt, so today's plan shows the gate at work."""

        first = today - timedelta(days=DEMO_CYCLE_DAYS - 1)
        history = demo_month_ends(before=first, months=DEMO_HISTORY_MONTHS)
        started = time.perf_counter()
        days = DEMO_CYCLE_DAYS + len(history)
        steps = days * partitions_planned() * len(STEP_FUNCTIONS)
        with progress(total=steps or None, desc="demo cycle", unit="step") as bar:

            def step_done(step: str) -> None:
                bar.update()

            # The cycle jumps from month end to month end (penalty accrues over the gap),
            # then the model learns from them before the week's cycles score the cases.
            for month_end in history:
                cycle_run(on=month_end, on_progress=step_done)
            self._withdraw_history_work()
            self._train(history, started)
            # Early in the week a borrower promises and does not pay: the cycle breaks it.
            cycle_run_through(first=first, last=first + timedelta(days=1), on_progress=step_done)
            demo_early_promise(day=first + timedelta(days=1))
            cycle_run_through(
                first=first + timedelta(days=2),
                last=today - timedelta(days=1),
                on_progress=step_done,
            )
            self._demo_contacts(today - timedelta(days=1))
            demo_recent_work(day=today - timedelta(days=1))
            run = cycle_run(on=today, on_progress=step_done)
            matters = demo_legal_matters(today=today)
        self.stdout.write(
            f"demo cycle {first} → {today}: {run.overdue:,} loans overdue,"
            f" {CollectionCase.objects.filter(status='open').count():,} open cases,"
            f" {PlannedAction.objects.count():,} actions planned"
            f" ({time.perf_counter() - started:.1f} s)"
        )
        self.stdout.write(
            f"legal desk: {len(matters)} matters on the road to court"
            " — `arrears legal deadlines` lists what is due"
        )
        queued = sum(statuses.get("queued", 0) for statuses in outbox_counts().values())
        dev = [
            name
            for name, is_dev in (
                ("SMS", sms_provider_name() == "dev"),
                ("email", settings.EMAIL_BACKEND == DEV_EMAIL_BACKEND),
            )
            if is_dev
        ]
        where = f"; {' and '.join(dev)} land in {dev_outbox_dir()}" if dev else ""
        self.stdout.write(
            f"outbox: {queued:,} messages queued — send the due ones with"
            f" `arrears worker --outbox-only --until-empty`{where}"
        )

    def _withdraw_history_work(self) -> None:
        """The month ends were closed in one go today: the calls and messages their plans
        queued belong to the past (nobody sends a year-old reminder), so they are withdrawn
        as a pause would withdraw them, and the week starts with today's work only."""
        for case_id in CollectionCase.objects.filter(status="open").values_list("pk", flat=True):
            outbox_cancel_for_case(case_id=case_id)
            work_items_cancel_for_case(case_id=case_id)

    def _train(self, history: list[date], started: float) -> None:
        """Train the demo's score model on the month ends just closed (as of the last). A
        small demo (``--loans 40``) may hold too few overdue cases to learn from: it says
        why and goes on unscored."""
        if not history:
            return
        try:
            model = model_train(as_of=history[-1])
        except InvalidInput as exc:
            self.stdout.write(f"demo history: {len(history)} month ends; no score model: {exc}")
            return
        self.stdout.write(
            f"demo history: {len(history)} month ends {history[0]} → {history[-1]};"
            f" score model v{model.version}: AUC {model.metrics['auc']} on the later"
            f" {model.metrics['test_snapshots']:,} snapshots, DPD alone"
            f" {model.metrics['auc_dpd']} ({time.perf_counter() - started:.1f} s)"
        )

    def _demo_contacts(self, day: date) -> None:
        zone = ZoneInfo(DEFAULT_TIME_ZONE)  # the demo creditor keeps the default policy
        open_cases = CollectionCase.objects.filter(status="open").select_related("loan")
        for number, case in enumerate(open_cases.order_by("loan_id")[:DEMO_CONTACTS]):
            borrower = LoanParty.objects.filter(loan=case.loan, role="borrower").first()
            if borrower is not None:
                contact_attempt_record(
                    loan=case.loan,
                    party=borrower.party,
                    channel="call",
                    at=datetime.combine(day, time_of_day(10 + number % 8), zone),
                    outcome="conversation" if number % 3 else "no_answer",
                    by="demo collector",
                )
        # A guaranteed loan past its overdue notice is called daily: its dispute shows.
        disputed = (
            open_cases.filter(
                strategy__playbook__name="guaranteed-loan", current_dpd__range=(7, 59)
            )
            .order_by("loan_id")
            .first()
            or open_cases.order_by("-loan_id").first()
        )
        if disputed is not None:
            borrower = LoanParty.objects.filter(loan=disputed.loan, role="borrower").first()
            if borrower is not None:
                hold_place(
                    kind="dispute", reason="客户对罚息金额有异议，核实中", party=borrower.party
                )

    @transaction.atomic
    def _ensure_login(self) -> None:
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"is_staff": True, "is_superuser": True, "role": Role.ADMIN},
        )
        if created:
            demo_password_set(user)
            user.save(update_fields=["password"])
        self.stdout.write(f"Demo login: {DEMO_USERNAME} / {demo_password()}")
        self.stdout.write(
            "Demo users (same password): "
            + ", ".join([person.username for person in PEOPLE] + [DEMO_AGENCY_USER])
        )


def demo_month_ends(*, before: date, months: int) -> list[date]:
    """The last ``months`` month ends before ``before``, oldest first."""
    ends: list[date] = []
    end = date(before.year, before.month, 1) - timedelta(days=1)
    while len(ends) < months:
        ends.append(end)
        end = date(end.year, end.month, 1) - timedelta(days=1)
    return ends[::-1]
