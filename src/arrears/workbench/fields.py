"""Form fields shared by the workbench's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from arrears.core.money import parse_yuan


class YuanField(forms.CharField):
    """An amount typed in yuan ("1,234.50" or "1234.5"), cleaned to integer fen.

    ``positive`` refuses zero as well as negative amounts (a promise of nothing is not a
    promise); otherwise zero is allowed (a waiver that leaves a component alone).
    """

    def __init__(self, *args: Any, positive: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.positive = positive

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            fen = parse_yuan(text)
        except ValueError as exc:
            raise forms.ValidationError(_("enter an amount in yuan, e.g. 1,234.50")) from exc
        if self.positive and fen <= 0:
            raise forms.ValidationError(_("enter an amount above zero"))
        if fen < 0:
            raise forms.ValidationError(_("an amount cannot be negative"))
        return fen
