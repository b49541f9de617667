"""Duplicate checks across a whole tape: the first row with a loan or payment id claims it,
and one ID number names one person or company throughout the file."""

from __future__ import annotations

from typing import Any

from arrears.portfolio.tape.errors import Reason, in_column
from arrears.portfolio.tape.errors import gettext_noop as _
from arrears.portfolio.tape.records import LoanRecord, PartyRecord, PartyRowRecord, PaymentRecord


def identity_conflict(
    party: PartyRecord | None, column: str, number: int, seen: dict[str, tuple[int, Any]]
) -> str | None:
    """One ID number must name one person or company throughout a file.

    Two names on one ID number is a typo in one of them; importing both would merge two
    people into one party, and collectors would then call the wrong person about a debt.
    """
    if party is None or not party.id_number:
        return None
    key = f"id {party.id_number}"
    if key not in seen:
        seen[key] = (number, party.name)
        return None
    first, name = seen[key]
    if name == party.name:
        return None
    return in_column(
        column,
        Reason(
            _(
                "%(number)s is %(first_name)s's on row %(row)s, not %(name)s's; correct the ID"
                " number or the name"
            ),
            number=party.id_number,
            first_name=name,
            row=first,
            name=party.name,
        ),
    )


def loan_duplicate(record: LoanRecord, number: int, seen: dict[str, tuple[int, Any]]) -> list[str]:
    problems: list[str] = []
    if record.loan_id in seen:
        problems.append(
            in_column(
                "loan_id",
                Reason(
                    _("'%(loan)s' appears again; first on row %(row)s"),
                    loan=record.loan_id,
                    row=seen[record.loan_id][0],
                ),
            )
        )
    guarantor = record.guarantor
    if guarantor is not None and guarantor.id_number == record.borrower.id_number:
        problems.append(
            in_column("guarantor_id_number", Reason(_("the guarantor is the borrower")))
        )
        guarantor = None
    for party, column in (
        (record.borrower, "borrower_id_number"),
        (guarantor, "guarantor_id_number"),
    ):
        if conflict := identity_conflict(party, column, number, seen):
            problems.append(conflict)
    if not problems:
        seen[record.loan_id] = (number, record)
    return problems


def payment_duplicate(
    record: PaymentRecord, number: int, seen: dict[str, tuple[int, Any]]
) -> list[str]:
    # The same payment listed twice with the same content is harmless (it ends unchanged);
    # with different content one of the two is wrong and the later one is refused.
    if record.payment_id in seen:
        first, earlier = seen[record.payment_id]
        if earlier != record:
            return [
                in_column(
                    "payment_id",
                    Reason(
                        _(
                            "'%(payment)s' appears again with different content; first on row"
                            " %(row)s"
                        ),
                        payment=record.payment_id,
                        row=first,
                    ),
                )
            ]
        return []
    seen[record.payment_id] = (number, record)
    return []


def party_duplicate(
    record: PartyRowRecord, number: int, seen: dict[str, tuple[int, Any]]
) -> list[str]:
    conflict = identity_conflict(record.party, "id_number", number, seen)
    return [conflict] if conflict else []
