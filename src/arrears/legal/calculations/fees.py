"""Court fees of a property case (诉讼费用交纳办法, 国务院令第481号). Pure module (no Django).

The statute's table is data (``legal/data/court_fees.json``, each schedule with the article
it comes from); this module only reads it and adds the bands up. Every fee is worked out as
an exact fraction of a fen and rounded to the fen half up once, at the end
(``core.money.round_half_up``): the halved fee and the payment-order fee are the exact full
fee divided by 2 and by 3, so they never inherit a rounding of the full fee (an 8,000 yuan
claim: 50 / 3 = 16.666… → 16.67).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from arrears.core.money import parse_yuan, round_half_up

COURT_FEES_PATH = Path(__file__).resolve().parent.parent / "data" / "court_fees.json"


@dataclass(frozen=True, slots=True)
class FeeBand:
    """The part of a claim above ``over`` (fen), up to the next band's edge, at ``rate``."""

    over: int
    rate: Fraction


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """One banded schedule of the statute: a flat fee up to an amount, then rates by band,
    optionally capped (fen)."""

    key: str
    name: str
    article: str
    flat_up_to: int
    flat_fee: int
    bands: tuple[FeeBand, ...]
    cap: int | None

    def exact(self, amount: int) -> Fraction:
        """The fee for ``amount`` fen as an exact fraction of a fen, before rounding."""
        fee = Fraction(self.flat_fee)
        edges = [band.over for band in self.bands[1:]] + [None]
        for band, upper in zip(self.bands, edges, strict=True):
            if amount <= band.over:
                break
            top = amount if upper is None else min(amount, upper)
            fee += band.rate * (top - band.over)
        if self.cap is not None:
            fee = min(fee, Fraction(self.cap))
        return fee


@dataclass(frozen=True, slots=True)
class FeeShare:
    """A fee that is a fraction of another schedule's exact fee (half, a third)."""

    key: str
    name: str
    article: str
    of: str
    fraction: Fraction


@dataclass(frozen=True, slots=True)
class CourtFeeTable:
    """The statute's table: the banded schedules and the shares derived from them."""

    source: str
    acceptance: FeeSchedule
    preservation: FeeSchedule
    enforcement: FeeSchedule
    halved: FeeShare
    payment_order: FeeShare


@dataclass(frozen=True, slots=True)
class CourtFees:
    """The court fees of a property case with ``claim`` fen at stake, each in fen."""

    claim: int
    acceptance_fee: int
    acceptance_fee_halved: int
    payment_order_fee: int
    preservation_fee: int
    enforcement_fee: int


def _schedule(key: str, raw: dict[str, Any]) -> FeeSchedule:
    bands = tuple(
        FeeBand(over=parse_yuan(band["over"]), rate=Fraction(band["rate"])) for band in raw["bands"]
    )
    flat_up_to = parse_yuan(raw["flat_up_to"])
    # The first band must start where the flat fee stops, and edges must rise, or the
    # bands would overlap or leave a gap.
    overs = [band.over for band in bands]
    if not overs or overs[0] != flat_up_to or overs != sorted(set(overs)):
        raise ValueError(f"court fee schedule '{key}' has bands out of order")
    return FeeSchedule(
        key=key,
        name=raw["name"],
        article=raw["article"],
        flat_up_to=flat_up_to,
        flat_fee=parse_yuan(raw["flat_fee"]),
        bands=bands,
        cap=None if raw.get("cap") is None else parse_yuan(raw["cap"]),
    )


def _share(key: str, raw: dict[str, Any]) -> FeeShare:
    # Both shares of the statute (half, a third) are of the property-case acceptance fee;
    # the code applies them to it, so data naming another base would be silently wrong.
    if raw["of"] != "acceptance":
        raise ValueError(f"court fee '{key}' must be a share of the acceptance fee")
    return FeeShare(
        key=key,
        name=raw["name"],
        article=raw["article"],
        of=raw["of"],
        fraction=Fraction(raw["fraction"]),
    )


@cache
def court_fee_table(path: Path = COURT_FEES_PATH) -> CourtFeeTable:
    """The statute's table as shipped in ``legal/data/court_fees.json`` (read once)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return CourtFeeTable(
        source=raw["source"],
        acceptance=_schedule("acceptance", raw["acceptance"]),
        preservation=_schedule("preservation", raw["preservation"]),
        enforcement=_schedule("enforcement", raw["enforcement"]),
        halved=_share("halved", raw["halved"]),
        payment_order=_share("payment_order", raw["payment_order"]),
    )


def court_fees(claim_fen: int, table: CourtFeeTable | None = None) -> CourtFees:
    """The court fees for a claim of ``claim_fen`` (fen, not negative), each rounded once.

    Preservation and enforcement are computed on the claim too: the property preserved and
    the amount enforced are usually the claim, and a user with other figures calls the
    schedules directly (``court_fee_table().preservation.exact(amount)``).
    """
    if claim_fen < 0:
        raise ValueError("a claim cannot be negative")
    table = table or court_fee_table()
    full = table.acceptance.exact(claim_fen)
    return CourtFees(
        claim=claim_fen,
        acceptance_fee=round_half_up(full),
        acceptance_fee_halved=round_half_up(full * table.halved.fraction),
        payment_order_fee=round_half_up(full * table.payment_order.fraction),
        preservation_fee=round_half_up(table.preservation.exact(claim_fen)),
        enforcement_fee=round_half_up(table.enforcement.exact(claim_fen)),
    )
