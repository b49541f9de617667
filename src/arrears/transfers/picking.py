"""Which loans an assignment moves, and every reason it may not: set-based.

The loan ids a person names (``--loan``, or a file of a whole portfolio) go into a scratch
table, are matched to loans in one statement, and each refusal is one query over the
match, so checking 100,000 loans costs a handful of statements. Every reason is reported
at once, every loan id under it (a sale list is fixed by contract: the person corrects it
and runs again, so a partial move would help nobody).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from arrears.core.bulk import bulk_insert
from arrears.core.errors import InvalidInput
from arrears.core.sql import execute, table
from arrears.portfolio.models import Creditor, Loan

# The scratch tables of one run (temporary: each connection has its own).
PICK = "transfers_pick"  # the loan ids as named
PICKED = "transfers_picked"  # the loans they matched: loan_pk, creditor_id, disbursed_on


def _loans_of(ref: str) -> str:
    """``FROM … WHERE …`` for the loans carrying the loan id ``ref``, as ``l``, found through
    the unique (creditor, loan id) index: creditors are few, so each is one index probe. A
    loan id alone has no index, and SQLite, left to choose, scans every loan for every id;
    its CROSS JOIN keeps the creditors outside."""
    creditor, loan = table(Creditor), table(Loan)
    return (
        f"{creditor} AS c CROSS JOIN {loan} AS l WHERE l.creditor_id = c.id AND l.loan_id = {ref}"
    )


def _ids(rows: Sequence[tuple[object, ...]]) -> str:
    return ", ".join(str(row[0]) for row in rows)


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def scratch_drop() -> None:
    """Remove the scratch tables (at the end of a run, and before one in case a failed run
    on this connection left them)."""
    for name in (PICK, PICKED):
        execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(name)}")


def loans_pick(*, refs: Sequence[str], from_creditor: Creditor | None) -> int:
    """Match the loan ids ``refs`` (of ``from_creditor`` when given) into the scratch table
    ``PICKED``; the loans matched. Raises ``InvalidInput`` listing every loan id that is
    unknown, not of ``from_creditor``, or (without it) held by several creditors."""
    scratch_drop()
    pick, picked = connection.ops.quote_name(PICK), connection.ops.quote_name(PICKED)
    execute(f"CREATE TEMPORARY TABLE {pick} (ref VARCHAR(100) PRIMARY KEY)")
    bulk_insert(PICK, ["ref"], ((ref,) for ref in sorted(set(refs))))
    execute(
        f"CREATE TEMPORARY TABLE {picked} (loan_pk BIGINT PRIMARY KEY, ref VARCHAR(100),"
        " creditor_id BIGINT, disbursed_on DATE)"
    )
    of_creditor = "AND l.creditor_id = %(from_id)s" if from_creditor is not None else ""
    params: dict[str, Any] = {"from_id": from_creditor.pk if from_creditor else None}
    problems: list[str] = []
    unknown = _fetch(
        f"SELECT p.ref FROM {pick} AS p WHERE NOT EXISTS"
        f" (SELECT 1 FROM {_loans_of('p.ref')}) ORDER BY p.ref",
        params,
    )
    if unknown:
        problems.append(
            _("%(count)s loan ids are not in the portfolio: %(ids)s")
            % {"count": len(unknown), "ids": _ids(unknown)}
        )
    if from_creditor is not None:
        elsewhere = _fetch(
            f"SELECT p.ref FROM {pick} AS p WHERE EXISTS"
            f" (SELECT 1 FROM {_loans_of('p.ref')}) AND NOT EXISTS"
            f" (SELECT 1 FROM {_loans_of('p.ref')} {of_creditor}) ORDER BY p.ref",
            params,
        )
        if elsewhere:
            problems.append(
                _("%(count)s loans are not of the creditor %(creditor)s: %(ids)s")
                % {"count": len(elsewhere), "creditor": from_creditor.name, "ids": _ids(elsewhere)}
            )
    else:
        shared = _fetch(
            f"SELECT p.ref FROM {pick} AS p CROSS JOIN {_loans_of('p.ref')}"
            " GROUP BY p.ref HAVING COUNT(*) > 1 ORDER BY p.ref",
            params,
        )
        if shared:
            problems.append(
                _("%(count)s loan ids exist at several creditors (name one with --from): %(ids)s")
                % {"count": len(shared), "ids": _ids(shared)}
            )
    if problems:
        raise InvalidInput("; ".join(problems), field="loan")
    execute(
        f"INSERT INTO {picked} (loan_pk, ref, creditor_id, disbursed_on)"
        f" SELECT l.id, p.ref, l.creditor_id, l.disbursed_on"
        f" FROM {pick} AS p CROSS JOIN {_loans_of('p.ref')} {of_creditor}",
        params,
    )
    if connection.vendor == "postgresql":
        # The planner must know the scratch table holds 100,000 rows, not the default guess.
        execute(f"ANALYZE {picked}")
    return len(set(refs))


def picked_check(*, to_creditor: Creditor, on: date, today: date) -> None:
    """Refuse the move when ``on`` is in the future, or any picked loan is already of
    ``to_creditor``, was disbursed after ``on``, or has a loan id ``to_creditor`` already
    holds; every reason, every loan id."""
    picked, loan = connection.ops.quote_name(PICKED), table(Loan)
    params: dict[str, Any] = {"to_id": to_creditor.pk, "on": on}
    problems: list[str] = []
    if on > today:
        problems.append(
            _("the assignment date %(on)s is in the future (today is %(today)s)")
            % {"on": on.isoformat(), "today": today.isoformat()}
        )
    same = _fetch(
        f"SELECT t.ref FROM {picked} AS t WHERE t.creditor_id = %(to_id)s ORDER BY t.ref", params
    )
    if same:
        problems.append(
            _("%(count)s loans are already of the creditor %(creditor)s: %(ids)s")
            % {"count": len(same), "creditor": to_creditor.name, "ids": _ids(same)}
        )
    early = _fetch(
        f"SELECT t.ref FROM {picked} AS t WHERE t.disbursed_on > %(on)s ORDER BY t.ref", params
    )
    if early:
        problems.append(
            _("%(count)s loans were disbursed after %(on)s: %(ids)s")
            % {"count": len(early), "on": on.isoformat(), "ids": _ids(early)}
        )
    taken = _fetch(
        f"SELECT t.ref FROM {picked} AS t WHERE t.creditor_id <> %(to_id)s AND EXISTS"
        f" (SELECT 1 FROM {loan} AS l WHERE l.creditor_id = %(to_id)s AND l.loan_id = t.ref)"
        " ORDER BY t.ref",
        params,
    )
    if taken:
        problems.append(
            _("%(count)s loan ids are already used by another loan of %(creditor)s: %(ids)s")
            % {"count": len(taken), "creditor": to_creditor.name, "ids": _ids(taken)}
        )
    if problems:
        raise InvalidInput("; ".join(problems), field="loan")


def picked_source() -> str:
    """The one-column SELECT of the picked loans' primary keys, for the apps that move."""
    return f"SELECT loan_pk FROM {connection.ops.quote_name(PICKED)}"
