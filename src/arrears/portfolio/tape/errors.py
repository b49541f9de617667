"""``TapeError``: a tape file that cannot be used as a whole, said in one line."""

from __future__ import annotations

from collections.abc import Callable


def gettext_noop(template: str) -> str:
    """Marks ``template`` for the message catalog (``makemessages`` finds this name)."""
    return template


class TapeError(Exception):
    """The file as a whole cannot be used; the message is one line in plain words.

    The message is an English template with named values, so the command can show it in
    the user's language: ``error.message(gettext)``; ``str(error)`` is the English line.
    """

    def __init__(self, template: str, **values: object) -> None:
        self.template = template
        self.values = values
        super().__init__(self.message())

    def message(self, translate: Callable[[str], str] = str) -> str:
        text = translate(self.template)
        return text % self.values if self.values else text
