"""What one action costs on each channel, in fen: the ``ARREARS_CHANNEL_COSTS`` setting.

The setting is text of ``channel=fen`` pairs, comma-separated (``sms=5,letter=800``), as the
environment gives it, or a mapping of the same. A channel it leaves out keeps its default;
a channel that is not a contact channel, or a cost that is not a whole number of fen from 0
up, is refused with a line that says which.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from arrears.core.errors import InvalidInput

# Fen per message or task: an SMS 5 fen, an email 1 fen, a posted letter 8 yuan, a
# collector's call 3 yuan, a field visit (two staff, travel) 50 yuan.
DEFAULT_CHANNEL_COSTS: dict[str, int] = {
    "sms": 5,
    "email": 1,
    "letter": 800,
    "call": 300,
    "visit": 5000,
}
SETTING = "ARREARS_CHANNEL_COSTS"
# A cost above this is a typo (yuan written as fen ten thousand times over), not a price.
MAX_UNIT_COST_FEN = 100_000_000


def parse_channel_costs(value: str | Mapping[str, object]) -> dict[str, int]:
    """The unit cost of each costed channel in fen, from the setting's text or mapping, the
    defaults filling any channel it leaves out; ``InvalidInput`` naming the bad pair."""
    pairs: list[tuple[str, object]]
    if isinstance(value, Mapping):
        pairs = [(str(key), cost) for key, cost in value.items()]
    else:
        pairs = []
        for item in str(value).split(","):
            if not item.strip():
                continue
            channel, sep, cost = item.partition("=")
            if not sep:
                raise InvalidInput(f"{SETTING}: {item.strip()!r} is not channel=fen", field=SETTING)
            pairs.append((channel, cost))
    costs = dict(DEFAULT_CHANNEL_COSTS)
    for raw_channel, raw_cost in pairs:
        channel = raw_channel.strip().lower()
        if channel not in DEFAULT_CHANNEL_COSTS:
            known = ", ".join(DEFAULT_CHANNEL_COSTS)
            raise InvalidInput(
                f"{SETTING}: unknown channel {channel!r} (one of {known})", field=SETTING
            )
        text = str(raw_cost).strip()
        if isinstance(raw_cost, bool) or not text.isdigit() or int(text) > MAX_UNIT_COST_FEN:
            raise InvalidInput(
                f"{SETTING}: the cost of {channel} must be whole fen from 0 to"
                f" {MAX_UNIT_COST_FEN}, not {text!r}",
                field=SETTING,
            )
        costs[channel] = int(text)
    return costs


def channel_costs() -> dict[str, int]:
    """The unit costs in force: ``settings.ARREARS_CHANNEL_COSTS`` over the defaults."""
    return parse_channel_costs(getattr(settings, SETTING, DEFAULT_CHANNEL_COSTS))
