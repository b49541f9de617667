"""Shared fixtures: a creditor and a helper that writes tapes the way lenders export them."""

from __future__ import annotations

import pytest

from arrears.portfolio.models import Creditor


@pytest.fixture
def creditor(db: None) -> Creditor:
    return Creditor.objects.create(name="测试小贷")


@pytest.fixture(autouse=True, scope="session")
def _data_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Lock files and secrets of the test run go to a scratch directory, not ./var."""
    from django.conf import settings

    settings.DATA_DIR = tmp_path_factory.mktemp("data")


# Scratch databases for subprocess (crash) tests, shared by the cycle and outreach tests.
from tests.scratch import scratch  # noqa: E402, F401
