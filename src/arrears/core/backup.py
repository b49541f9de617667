"""Backups that restore: a consistent copy of the database, with what is needed to check it.

``backup_write`` copies the configured database while the application keeps writing:
SQLite through its online backup API (one step, so one consistent snapshot), PostgreSQL
through ``pg_dump --format=custom`` run on a snapshot exported from a transaction that also
reads the audit head, so the head recorded beside the dump is the dump's own. Next to the
backup goes a sidecar (``<backup>.meta.json``): the Arrears version, the database kind, the
audit chain's head (count, hash, key id, unkeyed entries), the applied migrations and the
file's SHA-256.

``backup_restore`` puts a backup into the configured database (refusing a database that
already holds tables unless forced) and then verifies the audit chain with the keys against
the head in the sidecar. Keys are never in a backup (docs/security.md, "Backups").
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from arrears.core.audit import AuditCheck, audit_verify
from arrears.core.audit_anchor import Anchor
from arrears.core.errors import InvalidInput
from arrears.core.models import AuditEntry, AuditHead

FORMAT = "arrears-backup/1"
SIDECAR_SUFFIX = ".meta.json"
# libpq settings that may sit in DATABASES OPTIONS and that pg_dump must use as well.
_LIBPQ_OPTIONS = {
    "sslmode", "sslrootcert", "sslcert", "sslkey", "options", "connect_timeout",
    "application_name", "target_session_attrs", "service", "passfile",
}  # fmt: skip


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _version() -> str:
    try:
        return importlib.metadata.version("arrears")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _head_sql() -> tuple[str, str]:
    entries, head = AuditEntry._meta.db_table, AuditHead._meta.db_table
    return (
        f"SELECT number, hash, key_id FROM {entries} ORDER BY number DESC LIMIT 1",
        f"SELECT legacy_count FROM {head} WHERE id = 1",
    )


def _audit_head(fetch: Any) -> dict[str, Any]:
    """The head as the copied data holds it: read with ``fetch(sql) -> rows``."""
    last_sql, legacy_sql = _head_sql()
    last, legacy = fetch(last_sql), fetch(legacy_sql)
    number, digest, key_id = last[0] if last else (0, "0" * 64, "")
    return {
        "count": number,
        "hash": digest,
        "key_id": key_id,
        "legacy": legacy[0][0] if legacy else 0,
    }


def _migrations(fetch: Any) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in fetch("SELECT app, name FROM django_migrations ORDER BY app, name"):
        applied.setdefault(app, []).append(name)
    return applied


@dataclass(frozen=True)
class Backup:
    """A written backup: the file, its sidecar and what the sidecar says."""

    path: Path
    sidecar: Path
    meta: dict[str, Any]


def backup_write(*, out: Path) -> Backup:
    """Copy the configured database to ``out`` (which must not exist) with its sidecar."""
    out = out.resolve()
    if out.exists() or sidecar_path(out).exists():
        raise InvalidInput(
            f"{out} already exists: a backup never replaces another; choose a new name"
        )
    if not out.parent.is_dir():
        raise InvalidInput(f"The folder {out.parent} does not exist")
    partial = out.with_name(out.name + ".partial")
    try:
        if connection.vendor == "postgresql":
            meta = _postgres_dump(partial)
        elif connection.vendor == "sqlite":
            meta = _sqlite_copy(partial)
        else:
            raise InvalidInput(f"Backups of {connection.vendor} databases are not supported")
        meta.update(
            format=FORMAT,
            arrears_version=_version(),
            created_at=timezone.now().isoformat(timespec="seconds"),
            file=out.name,
            size=partial.stat().st_size,
            sha256=_file_sha256(partial),
        )
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    side = sidecar_path(out)
    side.write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return Backup(out, side, meta)


def _sqlite_copy(partial: Path) -> dict[str, Any]:
    connection.ensure_connection()
    source = connection.connection
    target = sqlite3.connect(partial)
    try:
        # pages=-1: the whole database in one step, so writers in other processes (WAL) go on
        # and the copy is the database as of one moment.
        source.backup(target, pages=-1)
        # One self-contained file, whatever journal mode the live database uses.
        target.execute("PRAGMA journal_mode=DELETE")

        def fetch(sql: str) -> list[Any]:
            return target.execute(sql).fetchall()

        return {
            "database": "sqlite",
            "server_version": sqlite3.sqlite_version,
            "audit": _audit_head(fetch),
            "migrations": _migrations(fetch),
        }
    finally:
        target.close()


def _tool(name: str) -> tuple[str, int]:
    """A PostgreSQL client program and its major version, checked against the server's."""
    found = shutil.which(name)
    server = connection.pg_version // 10000  # type: ignore[attr-defined]
    if found is None:
        raise InvalidInput(
            f"{name} was not found on PATH: install the PostgreSQL {server} client programs "
            f"(Debian: apt-get install postgresql-client-{server})"
        )
    said = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"\b(\d+)(?:\.\d+)?", said.stdout)
    major = int(match.group(1)) if match else 0
    if major != server:
        raise InvalidInput(
            f"{found} is version {major or 'unknown'} but the server is PostgreSQL {server}: "
            f"use the {server} client programs (Debian: postgresql-client-{server})"
        )
    return found, major


def _libpq() -> tuple[str, dict[str, str]]:
    """The connection string for the client programs (no password) and their environment
    (the password in PGPASSWORD, never on a command line)."""
    from psycopg.conninfo import make_conninfo

    settings = connection.settings_dict
    options = {
        key: str(value)
        for key, value in (settings.get("OPTIONS") or {}).items()
        if key in _LIBPQ_OPTIONS
    }
    conninfo = make_conninfo(
        host=settings.get("HOST") or "127.0.0.1",
        port=str(settings.get("PORT") or 5432),
        user=settings.get("USER") or "",
        dbname=settings["NAME"],
        **options,
    )
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return conninfo, env


def _postgres_dump(partial: Path) -> dict[str, Any]:
    pg_dump, major = _tool("pg_dump")
    conninfo, env = _libpq()
    with transaction.atomic(), connection.cursor() as cursor:
        # The dump and the head read here see one snapshot, exported by this transaction and
        # held open until pg_dump has finished.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]

        def fetch(sql: str) -> list[Any]:
            cursor.execute(sql)
            return list(cursor.fetchall())

        meta = {
            "database": "postgresql",
            "server_version": str(connection.pg_version),  # type: ignore[attr-defined]
            "pg_dump_major": major,
            "audit": _audit_head(fetch),
            "migrations": _migrations(fetch),
        }
        done = subprocess.run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}",
             "--no-password", f"--dbname={conninfo}"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise InvalidInput(f"pg_dump failed: {done.stderr.strip()}")
    return meta


@dataclass(frozen=True)
class Restored:
    """What a restore did and found: the sidecar, the audit check against its head, and the
    migrations this version has that the restored database lacks."""

    meta: dict[str, Any] | None
    check: AuditCheck
    head_matches: bool | None
    pending_migrations: list[str]


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def backup_restore(*, path: Path, force: bool = False, without_sidecar: bool = False) -> Restored:
    """Restore ``path`` into the configured database, then verify the audit chain against
    the head the sidecar recorded.

    A database that already has tables is refused unless ``force``: then every table the
    backup holds is replaced by the backup's (SQLite: the whole file becomes the backup's;
    PostgreSQL: ``pg_restore --clean --if-exists`` drops and recreates the backup's objects,
    leaving any others in place).
    """
    path = path.resolve()
    if not path.is_file():
        raise InvalidInput(f"No backup at {path}")
    meta = _meta_read(path, without_sidecar)
    kind = meta["database"] if meta else None
    if kind and kind != connection.vendor:
        raise InvalidInput(
            f"{path.name} is a {kind} backup; the configured database is {connection.vendor}"
        )
    tables = _tables()
    if tables and not force:
        raise InvalidInput(
            f"The configured database is not empty ({len(tables)} tables, e.g. {tables[0]}). "
            "Restore into an empty database, or pass --force to replace every table the "
            "backup holds with the backup's contents (what is there now is lost)."
        )
    if connection.vendor == "postgresql":
        _postgres_restore(path)
    else:
        _sqlite_restore(path)
    connection.close()
    return _restored_check(meta)


def _meta_read(path: Path, without_sidecar: bool) -> dict[str, Any] | None:
    side = sidecar_path(path)
    if not side.exists():
        if without_sidecar:
            return None
        raise InvalidInput(
            f"No sidecar {side.name} next to the backup: it records the audit head the restore "
            "is checked against. Pass --without-sidecar to restore and check with the key only."
        )
    try:
        meta: dict[str, Any] = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidInput(f"{side} is not a backup sidecar: {error}") from error
    if meta.get("format") != FORMAT:
        raise InvalidInput(f"{side} is not an Arrears backup sidecar ({FORMAT})")
    if meta.get("sha256") != _file_sha256(path):
        raise InvalidInput(
            f"{path.name} does not match its sidecar's SHA-256: the file is damaged or is "
            "another backup; nothing was restored"
        )
    return meta


@contextmanager
def _closed_connection() -> Iterator[None]:
    # The restore writes from outside Django's connection; reconnect afterwards.
    connection.close()
    try:
        yield
    finally:
        connection.close()


def _sqlite_restore(path: Path) -> None:
    target_path = connection.settings_dict["NAME"]
    with _closed_connection():
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(target_path, timeout=30)
        try:
            source.backup(target, pages=-1)
        finally:
            target.close()
            source.close()


def _postgres_restore(path: Path) -> None:
    pg_restore, _ = _tool("pg_restore")
    conninfo, env = _libpq()
    with _closed_connection():
        done = subprocess.run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--exit-on-error", "--no-password", f"--dbname={conninfo}", str(path)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise InvalidInput(
            f"pg_restore failed; the database was left as it was: {done.stderr.strip()}"
        )


def _restored_check(meta: dict[str, Any] | None) -> Restored:
    head = meta["audit"] if meta else None
    anchors = []
    if head:
        anchors = [
            Anchor(
                at=f"the backup of {meta['created_at']}" if meta else "",
                count=int(head["count"]),
                hash=str(head["hash"]),
                key_id=str(head["key_id"]),
                legacy=int(head["legacy"]),
            )
        ]
    check = audit_verify(anchors=anchors)
    matches = None
    if head:
        matches = check.count == head["count"] and check.head_hash == head["hash"]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    return Restored(meta, check, matches, pending)
