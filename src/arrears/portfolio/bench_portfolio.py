"""A synthetic portfolio for ``arrears bench cycle``, written in bulk (COPY on PostgreSQL).

N loans of 12 monthly installments, disbursed over the year before the first cycle date;
about 80 % pay each installment on its due date; the rest fall behind in varied ways
(stopped paying, partial payments, paying weeks late) or pay ahead (credit), which leaves
about 15 % overdue. Payments that
fall due after the first cycle date are returned separately so the benchmark can post
them before each following day, as a lender's daily payment file would.
"""

from __future__ import annotations

import random
import resource
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from arrears.core.bulk import bulk_insert, refresh_statistics, reserve_ids
from arrears.core.crypto import blind_index, encrypt
from arrears.core.fields import encrypted_field
from arrears.portfolio.calculations.schedule import ScheduledInstallment, build_schedule
from arrears.portfolio.models import (
    ContactPoint,
    Creditor,
    Installment,
    Loan,
    LoanParty,
    Party,
    Payment,
    Product,
)
from arrears.portfolio.services import (
    creditor_get_or_create,
    loans_payments_recorded,
    tape_ingest,
)
from arrears.portfolio.synthetic import write_bench_tape

TERM = 12
_PRINCIPALS = [amount * 100_00 for amount in (50, 80, 100, 150, 200, 300, 500, 800)]
_RATES = [Decimal("0.072"), Decimal("0.12"), Decimal("0.154"), Decimal("0.18"), Decimal("0.24")]
# Behaviour weights: on time, stopped paying, partial, late by weeks, ahead with credit.
_BEHAVIOURS = ("on_time", "stopped", "partial", "late", "ahead")
_WEIGHTS = (80, 8, 6, 3, 3)
_CHUNK = 20_000
# Every fifth loan is guaranteed, with a guarantor and a counter-guarantor (the plan step
# then has the guaranteed-loan playbook's parties to work on).
GUARANTEED_EVERY = 5


@lru_cache(maxsize=100_000)
def _schedule(principal: int, rate: Decimal, disbursed_on: date) -> list[ScheduledInstallment]:
    return build_schedule(
        principal=principal,
        annual_rate=rate,
        term_months=TERM,
        method="annuity",
        disbursed_on=disbursed_on,
    )


@dataclass
class BenchPortfolio:
    """What was built: counts, and payments due after the first day, by paid_on."""

    creditor_id: int = 0
    loans: int = 0
    installments: int = 0
    payments: int = 0
    later_payments: dict[date, list[tuple[int, str, int]]] = field(default_factory=dict)


def _payments(
    rng: random.Random, behaviour: str, items: list[ScheduledInstallment]
) -> Iterator[tuple[date, int]]:
    """(paid_on, fen) of one loan over its whole term, per its behaviour.

    The whole term is drawn whatever the benchmark's horizon, so the portfolio of a seed is
    the same for any number of following days.
    """
    stop_after = rng.randrange(0, 6) if behaviour == "stopped" else TERM
    for number, item in enumerate(items):
        due = item.principal + item.interest
        if number >= stop_after:
            return
        if behaviour == "partial" and number >= 1:
            yield item.due_on, max(due // rng.choice((2, 3, 4)), 1)
        elif behaviour == "late" and rng.random() < 0.5:
            yield item.due_on + timedelta(days=rng.randrange(3, 45)), due
        elif behaviour == "ahead" and number % 3 == 0:
            yield item.due_on - timedelta(days=rng.randrange(1, 10)), due * 2
        elif behaviour == "ahead" and number % 3 == 1:
            continue  # paid by the credit of the previous payment
        else:
            yield item.due_on, due


def build_bench_portfolio(
    *, loans: int, first_day: date, days: int, seed: int = 11
) -> BenchPortfolio:
    """Insert ``loans`` loans with schedules and payments; later payments are returned."""
    rng = random.Random(seed)
    creditor = Creditor.objects.create(name=f"bench cycle {timezone.now():%Y-%m-%d %H:%M:%S}")
    product = Product.objects.create(creditor=creditor, code="BENCH", name="bench")
    horizon = first_day + timedelta(days=days)
    built = BenchPortfolio(creditor_id=creditor.pk)
    now = timezone.now()
    loan_columns = [
        "id", "creditor_id", "product_id", "loan_id", "principal", "annual_rate", "term_months",
        "repayment_method", "disbursed_on", "penalty_rate", "grace_days", "day_count",
        "allocation_order", "currency", "branch", "guarantee_type", "status", "created_at",
        "updated_at",
    ]  # fmt: skip
    done = 0
    while done < loans:
        count = min(_CHUNK, loans - done)
        with transaction.atomic():
            loan_ids = reserve_ids(Loan._meta.db_table, count)
            installment_ids = iter(reserve_ids(Installment._meta.db_table, count * TERM))
            guaranteed = sum(1 for n in range(done, done + count) if n % GUARANTEED_EVERY == 0)
            party_ids = iter(reserve_ids(Party._meta.db_table, count + 2 * guaranteed))
            loan_rows, installment_rows, payment_rows = [], [], []
            party_rows, role_rows = [], []
            for offset, pk in enumerate(loan_ids):
                number = done + offset
                principal, rate = rng.choice(_PRINCIPALS), rng.choice(_RATES)
                disbursed = first_day - timedelta(days=rng.randrange(20, 365))
                items = _schedule(principal, rate, disbursed)
                roles = ["borrower"]
                if number % GUARANTEED_EVERY == 0:
                    roles += ["guarantor", "counter_guarantor"]
                loan_rows.append(
                    (
                        pk, creditor.pk, product.pk, f"C{number:09d}", principal, rate, TERM,
                        "annuity", disbursed, rate * Decimal("1.5"), 0, 360,
                        "fees,penalty,interest,principal", "CNY", "",
                        "guarantee" if len(roles) > 1 else "credit", "active", now, now,
                    )
                )  # fmt: skip
                for role in roles:
                    party = next(party_ids)
                    # No ID number: nothing to encrypt (an empty one is stored empty).
                    party_rows.append(
                        (party, creditor.pk, "person", f"{role} {number}", "", "", "", "", now,
                         now)
                    )  # fmt: skip
                    role_rows.append((pk, party, role, now, now))
                for item in items:
                    installment_rows.append(
                        (next(installment_ids), pk, item.seq, item.due_on, item.principal,
                         item.interest, 0)
                    )  # fmt: skip
                behaviour = rng.choices(_BEHAVIOURS, _WEIGHTS)[0]
                for k, (paid_on, amount) in enumerate(_payments(rng, behaviour, items)):
                    key = f"C{number:09d}-{k}"
                    if paid_on > horizon:
                        continue
                    if paid_on <= first_day:
                        payment_rows.append(
                            (creditor.pk, pk, key, paid_on, amount, "bench", now, now)
                        )
                    else:
                        built.later_payments.setdefault(paid_on, []).append((pk, key, amount))
            bulk_insert(Loan._meta.db_table, loan_columns, loan_rows)
            bulk_insert(
                Party._meta.db_table,
                ["id", "creditor_id", "kind", "name", "id_type", "id_number", "id_number_index",
                 "employer", "created_at", "updated_at"],
                party_rows,
            )  # fmt: skip
            bulk_insert(
                LoanParty._meta.db_table,
                ["loan_id", "party_id", "role", "created_at", "updated_at"],
                role_rows,
            )
            bulk_insert(
                Installment._meta.db_table,
                ["id", "loan_id", "seq", "due_on", "principal", "interest", "fees"],
                installment_rows,
            )
            bulk_insert(
                Payment._meta.db_table,
                ["creditor_id", "loan_id", "payment_id", "paid_on", "amount", "channel",
                 "created_at", "updated_at"],
                payment_rows,
            )  # fmt: skip
        built.loans += count
        built.installments += len(installment_rows)
        built.payments += len(payment_rows)
        done += count
    with transaction.atomic():
        refresh_statistics(
            [
                Loan._meta.db_table,
                Installment._meta.db_table,
                Payment._meta.db_table,
                Party._meta.db_table,
                LoanParty._meta.db_table,
            ]
        )
    built.later_payments = dict(sorted(built.later_payments.items()))
    return built


def post_bench_payments(creditor_id: int, rows: list[tuple[int, str, int]], on: date) -> int:
    """Insert a day's payments (what a daily payment file would bring) in bulk."""
    now = timezone.now()
    with transaction.atomic():
        bulk_insert(
            Payment._meta.db_table,
            ["creditor_id", "loan_id", "payment_id", "paid_on", "amount", "channel",
             "created_at", "updated_at"],
            [(creditor_id, pk, key, on, amount, "bench", now, now) for pk, key, amount in rows],
        )  # fmt: skip
        loans_payments_recorded(loan_ids={pk for pk, _, _ in rows})
    return len(rows)


def _own_cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def bench_import(*, loans: int, seed: int) -> dict[str, Any]:
    """Ingest a synthetic tape of ``loans`` loans for a fresh creditor; the figures."""
    count = loans
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        tape = write_bench_tape(Path(tmp) / "bench_loans.csv", count, seed=seed)
        generated = time.perf_counter() - started
        creditor = creditor_get_or_create(name=f"bench {timezone.now():%Y-%m-%d %H:%M:%S}")
        started, cpu_started = time.perf_counter(), _own_cpu_seconds()
        result = tape_ingest(creditor=creditor, kind="loans", path=tape, reader_process=True)
        seconds = time.perf_counter() - started
        # This process's CPU and its reading child's (not the PostgreSQL server's): steadier
        # than the wall time on a shared machine, so a change can be judged under load.
        cpu_seconds = _own_cpu_seconds() - cpu_started
    installments = Installment.objects.filter(loan__creditor=creditor).count()
    figures = {
        "database": connection.vendor,
        "loans": Loan.objects.filter(creditor=creditor).count(),
        "installments": installments,
        "rejected": result.rejected,
        "tape_seconds": round(generated, 2),
        "import_seconds": round(seconds, 2),
        "import_cpu_seconds": round(cpu_seconds, 2),
        "loans_per_second": round(count / seconds),
        "installments_per_second": round(installments / seconds),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    return figures


def bench_contact_points(*, creditor_id: int) -> list[tuple[int, int]]:
    """Give every borrower of the bench creditor a valid phone and email (the outreach
    bench sends to them); the (loan id, party id) of each borrower, in loan order. The
    values are sealed and indexed here, as the ORM would (about 4 µs a value)."""
    links = list(
        LoanParty.objects.filter(loan__creditor_id=creditor_id, role="borrower")
        .order_by("loan_id")
        .values_list("loan_id", "party_id")
    )
    now = timezone.now()
    context = encrypted_field(ContactPoint, "value").context

    def row(party: int, kind: str, value: str) -> tuple[object, ...]:
        sealed, index = encrypt(value, context=context), blind_index(value, scheme=kind)
        return (party, kind, sealed, index, "valid", True, "bench", now, now)

    bulk_insert(
        ContactPoint._meta.db_table,
        ["party_id", "kind", "value", "value_index", "status", "is_primary", "source",
         "created_at", "updated_at"],
        (
            point
            for n, (_, party) in enumerate(links)
            for point in (
                row(party, "phone", f"+86138{n:08d}"),
                row(party, "email", f"debtor{n}@example.com"),
            )
        ),
    )  # fmt: skip
    return links
