"""``arrears bench score``: N open cases built synthetically in bulk, then the cycle's
``score`` step timed over them partition by partition, as the cycle runs it.

Each case has a loan (with a product and a guarantee type), a position (DPD, overdue and
outstanding amounts, the last payment), one to three payments in the last 120 days and,
for every fourth case, a promise. When no model is active a bench model with fixed
coefficients is stored and activated (a fresh bench database has no history to learn from).
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import IO

from django.db import connection, transaction
from django.utils import timezone

from arrears.accounts.models import User
from arrears.cases.models import CollectionCase, Promise
from arrears.core.bulk import bulk_insert, refresh_statistics, reserve_ids
from arrears.insights.batch import cases_score
from arrears.insights.models import CaseScore, ScoreModel
from arrears.insights.scoring.matrix import NUMERIC_FEATURES
from arrears.portfolio.models import Creditor, Loan, LoanPosition, Payment, Product

# The cycle's partition size (cycle.runner.PARTITION_LOANS, a floor above this app).
PARTITION_LOANS = 50_000
BENCH_DAY = date(2026, 6, 30)
_CHUNK = 25_000
_PRODUCTS = ("CONSUMER", "BUSINESS", "CARD")
_SEGMENTS = ("credit", "guarantee", "mortgage")


def _bench_model() -> ScoreModel:
    """The active model, or a bench one with plausible fixed numbers."""
    active = ScoreModel.objects.filter(active=True).first()
    if active is not None:
        return active
    features = [
        *NUMERIC_FEATURES,
        *(f"product:{code}" for code in _PRODUCTS),
        *(f"segment:{kind}" for kind in _SEGMENTS),
    ]
    count = len(features)
    version = (ScoreModel.objects.order_by("-version").values_list("version", flat=True).first()
               or 0) + 1  # fmt: skip
    return ScoreModel.objects.create(
        version=version,
        trained_on=timezone.localdate(),
        as_of=BENCH_DAY,
        features=features,
        means=[1.0] * count,
        scales=[2.0] * count,
        coefficients=[(-1) ** n * 0.1 * (n % 5 + 1) for n in range(count)],
        intercept=-0.5,
        metrics={"bench": True},
        active=True,
    )


def _build(cases: int, seed: int) -> tuple[int, int]:
    """Write ``cases`` overdue loans with positions, payments, promises and open cases;
    the first and last loan id."""
    rng = random.Random(seed)
    now = timezone.now()
    creditor = Creditor.objects.create(name=f"score bench {now:%Y%m%d%H%M%S%f}")
    products = [
        Product.objects.create(creditor=creditor, code=code, name=code) for code in _PRODUCTS
    ]
    collector = User.objects.filter(is_active=True).order_by("pk").first() or (
        User.objects.create_user(f"bench{now:%H%M%S%f}", password=None)
    )
    first_id = last_id = 0
    done = 0
    while done < cases:
        count = min(_CHUNK, cases - done)
        with transaction.atomic():
            loan_ids = reserve_ids(Loan._meta.db_table, count)
            case_ids = reserve_ids(CollectionCase._meta.db_table, count)
            loans, positions, payments, case_rows, promises = [], [], [], [], []
            for offset, (loan_pk, case_pk) in enumerate(zip(loan_ids, case_ids, strict=True)):
                number = done + offset
                dpd = rng.choice((3, 10, 25, 40, 75, 120, 200, 400))
                principal = rng.choice((10_000_00, 50_000_00, 200_000_00))
                disbursed = BENCH_DAY - timedelta(days=rng.randrange(dpd + 40, dpd + 700))
                product = products[number % len(products)]
                loans.append(
                    (loan_pk, creditor.pk, product.pk, f"S{number:09d}", principal,
                     Decimal("0.12"), 12, "annuity", disbursed, Decimal("0.18"), 0, 360,
                     "fees,penalty,interest,principal", "CNY", "",
                     _SEGMENTS[number % len(_SEGMENTS)], "active", now, now)
                )  # fmt: skip
                overdue = principal // 12 * max(1, dpd // 30)
                last_paid = BENCH_DAY - timedelta(days=dpd + rng.randrange(0, 30))
                positions.append(
                    (loan_pk, BENCH_DAY, dpd, "M1", "normal", overdue, 0, 0, 0, 0, 0,
                     principal // 2, last_paid, False, 1, 1, 1, principal // 4, 0, now)
                )  # fmt: skip
                for k in range(rng.randrange(1, 4)):
                    paid_on = BENCH_DAY - timedelta(days=rng.randrange(1, 120))
                    payments.append(
                        (creditor.pk, loan_pk, f"S{number:09d}-{k}", paid_on,
                         rng.randrange(100_00, 5_000_00), "bench", now, now)
                    )  # fmt: skip
                case_rows.append(
                    (case_pk, loan_pk, creditor.pk, "open", BENCH_DAY - timedelta(days=dpd),
                     dpd, overdue, dpd, "M1", dpd, BENCH_DAY, "", "", "", now, now)
                )  # fmt: skip
                if number % 4 == 0:
                    promises.append(
                        (case_pk, loan_pk, 0, overdue // 2 + 1, BENCH_DAY - timedelta(days=5),
                         BENCH_DAY + timedelta(days=3), 0, "open", 0, collector.pk, now, now)
                    )  # fmt: skip
            bulk_insert(
                Loan._meta.db_table,
                ["id", "creditor_id", "product_id", "loan_id", "principal", "annual_rate",
                 "term_months", "repayment_method", "disbursed_on", "penalty_rate",
                 "grace_days", "day_count", "allocation_order", "currency", "branch",
                 "guarantee_type", "status", "created_at", "updated_at"],
                loans,
            )  # fmt: skip
            bulk_insert(
                LoanPosition._meta.db_table,
                ["loan_id", "as_of", "dpd", "bucket", "classification", "overdue_principal",
                 "overdue_interest", "overdue_fees", "overdue_penalty", "penalty_accrued",
                 "credit_balance", "principal_outstanding", "last_paid_on", "limitation_watch",
                 "penalty_rate_num",
                 "penalty_rate_den", "payments_count", "payments_total", "payments_version",
                 "loan_updated_at"],
                positions,
            )  # fmt: skip
            bulk_insert(
                Payment._meta.db_table,
                ["creditor_id", "loan_id", "payment_id", "paid_on", "amount", "channel",
                 "created_at", "updated_at"],
                payments,
            )  # fmt: skip
            bulk_insert(
                CollectionCase._meta.db_table,
                ["id", "loan_id", "creditor_id", "status", "opened_on", "entry_dpd",
                 "entry_amount", "current_dpd", "bucket", "worst_dpd", "updated_on",
                 "close_reason", "delinquency_reason", "risk_grade", "created_at",
                 "updated_at"],
                case_rows,
            )  # fmt: skip
            bulk_insert(
                Promise._meta.db_table,
                ["case_id", "loan_id", "party_id", "amount", "made_on", "due_on",
                 "tolerance_days", "status", "paid", "by_id", "created_at", "updated_at"],
                promises,
            )  # fmt: skip
        first_id = first_id or loan_ids[0]
        last_id = loan_ids[-1]
        done += count
    with transaction.atomic():
        refresh_statistics(
            [
                Loan._meta.db_table,
                LoanPosition._meta.db_table,
                Payment._meta.db_table,
                CollectionCase._meta.db_table,
                Promise._meta.db_table,
            ]
        )
    return first_id, last_id


def score_bench(cases: int, stdout: IO[str], seed: int = 2026) -> None:
    """Build ``cases`` open cases in the current database and time the ``score`` step over
    them, partition by partition in its own transaction as the cycle runs it, twice (the
    second run is the idempotent repeat); the figures go to ``stdout``."""
    started = time.perf_counter()
    first, last = _build(cases, seed)
    model = _bench_model()
    stdout.write(
        f"score bench on {connection.vendor}: {cases:,} open cases built"
        f" in {time.perf_counter() - started:.1f} s (model v{model.version})\n"
    )
    for attempt in ("first run", "repeat"):
        started = time.perf_counter()
        scored = 0
        for low in range(first, last + 1, PARTITION_LOANS):
            with transaction.atomic():
                scored += cases_score(first=low, last=low + PARTITION_LOANS - 1, on=BENCH_DAY)
        seconds = time.perf_counter() - started
        stdout.write(
            f"  {attempt}: {scored:,} cases scored in {seconds:.2f} s"
            f" ({scored / max(seconds, 1e-9):,.0f} cases/s)\n"
        )
    graded = CaseScore.objects.filter(loan_id__range=(first, last)).count()
    stdout.write(f"  {graded:,} scores stored\n")
