"""Shared fixtures: a creditor and a helper that writes tapes the way lenders export them."""

from __future__ import annotations

import pytest

from arrears.portfolio.models import Creditor


@pytest.fixture
def creditor(db: None) -> Creditor:
    return Creditor.objects.create(name="测试小贷")
