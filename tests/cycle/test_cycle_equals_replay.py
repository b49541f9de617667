"""The set-based cycle gives the reference replay's state, fen for fen, day after day.

Random small portfolios, random sequences of cycle dates, and payments that arrive between
cycles — on time, late, partial, overpaid, and backdated to before the last cycle.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from arrears.core.money import format_yuan
from arrears.cycle.runner import cycle_run
from arrears.cycle.selectors import position_mismatches
from arrears.portfolio.models import Creditor, Loan
from arrears.portfolio.services import tape_ingest
from tests.factories import loan_row, payment_row, write_csv

START = date(2026, 1, 10)

loan_terms = st.fixed_dictionaries(
    {
        "principal": st.integers(1_000_00, 200_000_00),
        "rate": st.sampled_from(["0%", "7.2%", "12%", "18.25%", "24%"]),
        "penalty": st.sampled_from(["0%", "10.95%", "18%", "36%"]),
        "term": st.integers(1, 8),
        "method": st.sampled_from(["annuity", "equal_principal", "interest_only", "bullet"]),
        "disbursed": st.integers(0, 40),
        "grace": st.integers(0, 5),
    }
)
# A payment: (loan index, day offset from START, amount in fen, the cycle before which it
# arrives). Arriving after cycles past its date makes it backdated.
payments = st.lists(
    st.tuples(
        st.integers(0, 3), st.integers(20, 200), st.integers(1, 60_000_00), st.integers(0, 7)
    ),
    max_size=14,
)
gaps = st.lists(st.integers(1, 35), min_size=2, max_size=8)


class CycleEqualsReplay(TestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(terms=st.lists(loan_terms, min_size=1, max_size=4), pays=payments, steps=gaps)
    def test_every_cycle_day_matches_the_replay(
        self,
        terms: list[dict[str, object]],
        pays: list[tuple[int, int, int, int]],
        steps: list[int],
    ) -> None:
        creditor = Creditor.objects.create(name="性质测试")
        folder = Path(tempfile.mkdtemp())
        rows = [
            loan_row(
                f"H{n}",
                principal=format_yuan(t["principal"]),  # type: ignore[arg-type]
                annual_rate=t["rate"],
                penalty_rate=t["penalty"],
                term_months=t["term"],
                repayment_method=t["method"],
                disbursed_on=(START + timedelta(days=t["disbursed"])).isoformat(),  # type: ignore[arg-type]
                grace_days=t["grace"],
            )
            for n, t in enumerate(terms)
        ]
        tape_ingest(creditor=creditor, kind="loans", path=write_csv(folder / "l.csv", rows))
        loans = list(Loan.objects.filter(creditor=creditor).order_by("loan_id"))
        day = START + timedelta(days=45)
        for index, gap in enumerate(steps):
            arriving = [
                payment_row(
                    f"P{number}",
                    f"H{loan % len(loans)}",
                    (START + timedelta(days=offset)).isoformat(),
                    format_yuan(amount),
                )
                for number, (loan, offset, amount, arrives) in enumerate(pays)
                if arrives == index
            ]
            if arriving:
                tape_ingest(
                    creditor=creditor,
                    kind="payments",
                    path=write_csv(folder / f"p{index}.csv", arriving),
                )
            cycle_run(on=day, partition_loans=2)

            assert position_mismatches(loans) == []
            day += timedelta(days=gap)
