"""Prepared statements for the web process's PostgreSQL sessions (issue 21, the pages).

A page asks the same few dozen statements for every case and every collector, with only
the ids changing. Sent as text with the values written in (Django's default, client-side
binding), each is parsed and planned again on every request: the case page's own query,
nine tables joined, took 2.5 ms to plan and 0.4 ms to run at 1,000,000 loans. With
server-side binding the statement text is the same for every case, so psycopg prepares it
on its second use (``ARREARS_PREPARE_THRESHOLD``, ``config.environment``) and the server
reuses the plan: the case page went from 34 to 26 ms and the queue from 29 to 21–24 ms
(median of 30 requests, in one process, one user).

Batch processes keep client-side binding: their statements are planned for the partition
at hand (a generic plan for a range of loan ids would guess the range's size), and a bulk
insert may carry more values than a bound statement takes.
"""

from __future__ import annotations

from functools import cache
from typing import Any

# The wire protocol numbers a statement's parameters in 16 bits. A statement with more
# (a long ``IN`` list, a bulk insert from a page) is sent with its values written in, as
# the batch processes send everything; below that bound it is bound and may be prepared.
MAX_BOUND_PARAMETERS = 32_767
# psycopg keeps this many prepared statements per connection, least recently used
# dropped first: every page of the workbench asks fewer than 50, so the pages a collector
# moves between stay prepared (psycopg's default is 100).
PREPARED_PER_CONNECTION = 500


@cache
def preparing_cursor_class() -> type:
    """Django's server-binding cursor for psycopg, sending a statement with more than
    ``MAX_BOUND_PARAMETERS`` values with them written in (never prepared) instead."""
    # Imported here: the PostgreSQL backend needs psycopg, which a SQLite process never loads.
    import psycopg
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            if params is not None and len(params) > MAX_BOUND_PARAMETERS:
                query = psycopg.ClientCursor(self.connection).mogrify(query, params)
                params = None
            return super().execute(query, params, **kwargs)

    return PreparingCursor


def prepare_statements(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: a PostgreSQL session opened with server-side binding (the
    web process's, ``environment.database_from_url``) gets the preparing cursor."""
    if connection.vendor != "postgresql":
        return
    if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding") is not True:
        return
    connection.connection.cursor_factory = preparing_cursor_class()
    connection.connection.prepared_max = PREPARED_PER_CONNECTION
