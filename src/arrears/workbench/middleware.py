"""The page language: Chinese unless the person chose English with the switch.

Django's own LocaleMiddleware also follows the browser's Accept-Language, so a collector
whose computer happens to run an English browser would get English pages; Arrears is
Chinese by default (DESIGN.md rule 11), and only the switch (its cookie) changes that.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware that reads only the language cookie, then ``LANGUAGE_CODE``."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
