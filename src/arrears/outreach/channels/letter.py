"""The letter channel: each message becomes a PDF in the print batch of the business date.

``Outgoing.body`` is the letter's HTML, ``to`` the postal address and ``recipient_name``
the addressee. A letter is "sent" once it is in the batch (``provider_id`` is its file
name); printing and posting the batch is a person's job (``arrears letters batch``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from django.utils import timezone

from arrears.outreach.channels.base import Outgoing, RequestHooks, Result
from arrears.outreach.letters import LetterError, letter_file, print_batch


class LetterChannel:
    """Files letters into ``DATA_DIR/letters/<date>/``.

    The interface carries no business date, so the channel takes one (``business_date``,
    or a callable answering it); by default the batch is today's date in ``TIME_ZONE``.
    """

    name = "letter"
    max_batch = 1000

    def __init__(
        self,
        *,
        business_date: date | Callable[[], date] | None = None,
        root: Path | None = None,
    ) -> None:
        self._business_date = business_date
        self._root = root

    def day(self) -> date:
        """The business date whose print batch letters go into now."""
        if self._business_date is None:
            return timezone.localdate()
        if isinstance(self._business_date, date):
            return self._business_date
        return self._business_date()

    def send(self, messages: Sequence[Outgoing], hooks: RequestHooks | None = None) -> list[Result]:
        """File each letter; filing one is one "request" for ``hooks``."""
        day = self.day()
        results: list[Result] = []
        for message in messages:
            if not message.body.strip():
                results.append(Result("failed", error="the letter has no text"))
                continue
            if hooks is not None:
                hooks.before([message])
            results.append(self._file(day, message))
            if hooks is not None:
                hooks.after([message], results[-1:])
        return results

    def _file(self, day: date, message: Outgoing) -> Result:
        """One letter into the batch of ``day``."""
        try:
            row = letter_file(
                day,
                message_id=message.message_id,
                recipient_name=message.recipient_name,
                address=message.to,
                html=message.body,
                root=self._root,
            )
        except LetterError as exc:
            # A missing font is fixed by installing one; the letter itself is fine.
            return Result("failed", transient=True, error=str(exc))
        except OSError as exc:
            # A full disk or an unwritable folder: worth another try once fixed.
            return Result("failed", transient=True, error=f"{exc}")
        except Exception as exc:
            # What WeasyPrint cannot lay out will not lay out on the next try either.
            error = f"{type(exc).__name__}: {exc}"[:500]
            return Result("failed", error=error)
        return Result("sent", provider_id=row.file)

    def print_batch(self, day: date, *, duplex: bool = False) -> Path:
        """Merge ``day``'s letters into one ``batch.pdf`` and answer its path."""
        return print_batch(day, root=self._root, duplex=duplex)
