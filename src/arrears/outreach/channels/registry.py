"""The channels a worker can send through, by name, each configured from the environment.

A new channel is an adapter module beside this one (``channels.base.Channel``) and a line
here; ``arrears worker --channels`` and the outbox pick it up by name.
"""

from __future__ import annotations

from collections.abc import Callable

from arrears.outreach.channels.base import Channel
from arrears.outreach.channels.email import EmailChannel
from arrears.outreach.channels.letter import LetterChannel
from arrears.outreach.channels.sms import sms_channel_from_settings

CHANNEL_FACTORIES: dict[str, Callable[[], Channel]] = {
    "sms": sms_channel_from_settings,
    "email": EmailChannel,
    "letter": LetterChannel,
}
CHANNELS: tuple[str, ...] = tuple(CHANNEL_FACTORIES)


def channels_from_settings(names: list[str]) -> dict[str, Channel]:
    """The adapters for ``names`` (known channel names), configured from the environment."""
    return {name: CHANNEL_FACTORIES[name]() for name in names}
