"""Querysets compiled once per process and run again with other ids (issue 21, the pages).

Django builds and compiles a queryset's SQL every time it is evaluated: for the small
reads of the case page, about half a millisecond each, more than the database takes to
answer them. A page asks the same statements for every case; only the ids change.
``FrozenQuery`` builds its queryset once with marker ids, compiles it once per database
alias, finds the markers among the statement's parameters and from then on sends the same
SQL with the ids in their places; the rows become objects (or tuples) through the compiler
Django made the first time, with Django's own iterables, so converters, ``select_related``
and annotations behave exactly as in the queryset.

What may be frozen: a queryset that depends on nothing but its arguments — ids, business
dates (``dates=``) and aware instants (``instants=``) — the builder is called once, so the
current user, ``timezone.now()`` or a setting read inside it would be frozen too; evaluated
as a whole, as model instances or ``values_list`` tuples, without ``prefetch_related``.
Each argument must reach the statement as a parameter (checked when it is compiled: a
marker missing from the parameters, or written into the SQL text, is an error); a list of
ids whose length varies is a statement per length, or a list padded to a fixed length.

It leans on Django's query compiler and iterables (a compiler whose ``as_sql`` answers
with the kept statement, handed to a clone of the kept queryset): tests/core/test_frozen.py
compares every kind of row with the queryset's own, so a Django upgrade that changes them
fails there first.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable

T = TypeVar("T")

# The markers: ids no row has (ids are positive), distinct per argument, and long enough
# never to equal another parameter of a statement; dates and instants a thousand years
# before any loan.
_MARKER_BASE = -7_340_000_000_000
_SMALLEST_ID, _LARGEST_ID = -(2**63), 2**63 - 1
_ITERABLES = (ModelIterable, ValuesListIterable, FlatValuesListIterable)
ID, DATE, INSTANT = "id", "date", "instant"


def _marker(kind: str, number: int) -> int | date | datetime:
    if kind == DATE:
        return date(1001 + number, 2, 3)
    if kind == INSTANT:
        return datetime(1001 + number, 2, 3, 4, 5, 6, tzinfo=UTC)
    return _MARKER_BASE - number


def _adapters(connection: Any) -> dict[str, Callable[[Any], Any]]:
    """How the backend writes a value of each kind as a parameter (SQLite: dates and
    instants as text; PostgreSQL: as they are)."""
    return {
        ID: lambda value: value,
        DATE: connection.ops.adapt_datefield_value,
        INSTANT: connection.ops.adapt_datetimefield_value,
    }


class _Compiled:
    """One statement for one database alias: its SQL, its parameters with the argument
    each slot takes (or None for a constant), and the compiler that made it."""

    def __init__(self, queryset: QuerySet[Any], markers: dict[str, tuple[str, Any]]) -> None:
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        adapters = _adapters(compiler.connection)
        # Each marker as the statement carries it: as it is, or as the backend wrote it.
        written: dict[tuple[type, Any], tuple[str, str | None]] = {}
        for name, (kind, marker) in markers.items():
            written[(type(marker), marker)] = (name, None)
            form = adapters[kind](marker)
            if form != marker:
                written[(type(form), form)] = (name, kind)
        slots = tuple(written.get((type(value), value)) for value in params)
        missing = set(markers) - {slot[0] for slot in slots if slot}
        if missing:
            raise ValueError(f"not a parameter of the statement: {sorted(missing)}")
        if any(str(form) in sql for _type, form in written):
            raise ValueError("an argument is written into the statement's text")
        self.sql, self.params, self.slots = sql, tuple(params), slots
        self.queryset, self.compiler = queryset, compiler

    def bound(self, values: dict[str, Any]) -> QuerySet[Any]:
        """The queryset, to be evaluated once, whose compiler sends this statement with
        ``values`` in place of the markers (on the calling thread's connection)."""
        connection = connections[self.queryset.db]
        adapters = _adapters(connection)
        params = tuple(
            constant
            if slot is None
            else values[slot[0]]
            if slot[1] is None
            else adapters[slot[1]](values[slot[0]])
            for constant, slot in zip(self.params, self.slots, strict=True)
        )
        compiler = copy.copy(self.compiler)
        compiler.connection = connection
        sql = self.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        queryset = self.queryset._chain()  # type: ignore[attr-defined]
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return queryset


class FrozenQuery(Generic[T]):
    """``build(**ids)``'s queryset, compiled once: ``frozen.list(case_id=7)`` is
    ``list(build(case_id=7))`` without building and compiling it again."""

    def __init__(
        self,
        build: Callable[..., QuerySet[Any, T]],
        *,
        ids: Iterable[str] | None = None,
        dates: Iterable[str] = (),
        instants: Iterable[str] = (),
    ) -> None:
        """``ids``: the names of ``build``'s integer arguments (by default all its
        parameters but ``dates`` and ``instants``); ``dates``: those that are business
        dates; ``instants``: those that are aware datetimes."""
        self._build = build
        kinds = {name: DATE for name in dates} | {name: INSTANT for name in instants}
        if ids is None:
            ids = [name for name in inspect.signature(build).parameters if name not in kinds]
        self._kinds = {name: ID for name in ids} | kinds
        # Compiled on first use, for the database the builder's queryset reads from: the
        # project has one (the test suite's is the same alias under another name); read
        # replicas chosen by a router would need a statement per alias.
        self._compiled: _Compiled | None = None

    def _statement(self) -> _Compiled:
        markers = {
            name: (kind, _marker(kind, number))
            for number, (name, kind) in enumerate(sorted(self._kinds.items()))
        }
        queryset = self._build(**{name: marker for name, (_kind, marker) in markers.items()})
        if queryset._iterable_class not in _ITERABLES:
            raise TypeError("only model instances and values_list rows can be frozen")
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            raise TypeError("a frozen queryset cannot prefetch")
        compiled = _Compiled(queryset, markers)
        # Two threads compiling at once each store the same statement: no lock needed.
        self._compiled = compiled
        return compiled

    def list(self, **values: Any) -> list[T]:
        """The rows for ``values`` (each of the builder's arguments, by name)."""
        if set(values) != set(self._kinds):
            raise TypeError(f"expected {sorted(self._kinds)}, got {sorted(values)}")
        for name, value in values.items():
            kind = self._kinds[name]
            if kind == ID:
                if type(value) is not int:
                    raise TypeError(f"{name} is an id (int), not {type(value).__name__}")
                if not _SMALLEST_ID <= value <= _LARGEST_ID:
                    # No row has it (as the ORM answers since Django 5.0), and the database
                    # would refuse the parameter: /cases/99999999999999999999/ is a 404.
                    return []
            elif kind == DATE and type(value) is not date:
                raise TypeError(f"{name} is a date, not {type(value).__name__}")
            elif kind == INSTANT and not (isinstance(value, datetime) and value.tzinfo):
                raise TypeError(f"{name} is an aware datetime")
        compiled = self._compiled or self._statement()
        return list(compiled.bound(values))
