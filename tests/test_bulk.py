"""Bulk helpers on the real database: reserved ids are fresh and stay fresh."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from arrears.core.bulk import bulk_insert, reserve_ids
from arrears.portfolio.models import Creditor


@pytest.mark.django_db(transaction=True)
def test_reserved_ids_are_unused_and_later_inserts_never_reuse_them() -> None:
    first = Creditor.objects.create(name="甲")
    table = Creditor._meta.db_table
    now = timezone.now()

    with transaction.atomic():
        ids = reserve_ids(table, 3)
        bulk_insert(
            table,
            ["id", "name", "kind", "created_at", "updated_at"],
            [(pk, f"乙{pk}", "lender", now, now) for pk in ids],
        )
    later = Creditor.objects.create(name="丙")

    assert len(set(ids)) == 3 and min(ids) > first.pk
    assert later.pk > max(ids)
    assert sorted(Creditor.objects.values_list("name", flat=True)) == sorted(
        ["甲", "丙", *(f"乙{pk}" for pk in ids)]
    )


@pytest.mark.django_db
def test_reserving_ids_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        # pytest-django's db fixture wraps the test in a transaction, so step outside it.
        connection.in_atomic_block = False
        try:
            reserve_ids(Creditor._meta.db_table, 1)
        finally:
            connection.in_atomic_block = True
