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


def _render(template: str, values: dict[str, object], translate: Callable[[str], str]) -> str:
    text = translate(template)
    if not values:
        return text
    return text % {
        name: value.message(translate) if isinstance(value, Reason) else value
        for name, value in values.items()
    }


class Reason(str):
    """Why a row was refused: an English template with named values, like ``TapeError``.

    It *is* the English line (a ``str``), so code and tests read it as text; the rejects
    file writes ``reason.message(gettext)``, the line in the user's language. A value that
    is itself a ``Reason`` (the problem after "column: ") is translated with it.
    """

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Reason:
        reason = super().__new__(cls, _render(template, values, str))
        reason.template = template
        reason.values = values
        return reason

    def message(self, translate: Callable[[str], str] = str) -> str:
        return _render(self.template, self.values, translate)


def in_column(column: str, problem: object) -> Reason:
    """``column: problem`` — every reason names its column first."""
    return Reason(gettext_noop("%(column)s: %(problem)s"), column=column, problem=problem)


def translated(reason: str, translate: Callable[[str], str]) -> str:
    """``reason`` in the language of ``translate`` (plain text stays as it is)."""
    return reason.message(translate) if isinstance(reason, Reason) else reason
