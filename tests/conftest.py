"""Shared fixtures: a creditor and a helper that writes tapes the way lenders export them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, settings

from arrears.portfolio.models import Creditor
from tests import migrated_template

# The suite runs one process per core on a shared machine (make test, CI), so how long a
# draw or an example takes says nothing about the code under test: Hypothesis's timing
# checks (the per-example deadline, "input generation is slow") failed runs at random.
# What the properties assert is unchanged; only the clock is no longer a verdict.
settings.register_profile("arrears", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("arrears")


def pytest_configure(config: pytest.Config) -> None:
    migrated_template.start(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    migrated_template.finish()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, django_db_use_migrations: bool
) -> None:
    """On PostgreSQL each test process's database is a copy of the run's migrated template
    (tests/migrated_template.py): Django creates it ``TEMPLATE`` that database, and its
    ``migrate`` then has nothing left to apply. Not with ``--nomigrations``: Django then
    makes the tables from the models, which a copy would already hold."""
    from django.conf import settings

    if not django_db_use_migrations:
        return
    for database in settings.DATABASES.values():
        if database["ENGINE"] == "django.db.backends.postgresql":
            _root, name = migrated_template.ready()
            test = cast("dict[str, Any]", database.setdefault("TEST", {}))
            test["TEMPLATE"] = name


@pytest.fixture
def creditor(db: None) -> Creditor:
    return Creditor.objects.create(name="测试小贷")


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    """Tests read pages and messages in English, the language of the source strings. The
    product's default, Chinese, and its catalog are tested on their own (tests that set
    ``settings.LANGUAGE_CODE = "zh-hans"``, and tests/test_translations.py)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Passwords are hashed with MD5 in the tests, as Django's testing guide advises: the
    production hasher (PBKDF2, 1,000,000 rounds) spends about half a second of CPU on every
    user given a password and every sign-in, which the fixtures do thousands of times. No
    test is about the hasher: signing in, a wrong password, the lockout and the demo's
    known password are checked the same way through ``check_password``."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def _data_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Lock files and secrets of the test run go to a scratch directory, not ./var."""
    from django.conf import settings

    settings.DATA_DIR = tmp_path_factory.mktemp("data")


# Scratch databases for subprocess (crash) tests, shared by the cycle and outreach tests.
from tests.scratch import scratch, scratch_migrated  # noqa: E402, F401
