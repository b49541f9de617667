"""The portal's own session: a borrower is not a User and never shares staff sign-in.

A separate session (Django's session store, its own cookie ``arrears_portal`` limited to the
portal's path) holds which link is being used, how far its sign-in has come (``id``, then
``code``, then ``in``) and when the borrower was last seen. It ends after
``IDLE_SECONDS`` (15 minutes) without a request, when the borrower signs out, or when the
link locks; a staff session in the same browser is neither read nor touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from arrears.outreach.self_service import PORTAL_PREFIX

COOKIE = "arrears_portal"
COOKIE_PATH = f"/{PORTAL_PREFIX}/"
IDLE_SECONDS = 15 * 60
# Stages of a portal session.
STAGE_ID, STAGE_CODE, SIGNED_IN = "id", "code", "in"
_LINK, _STAGE, _SEEN, _FLASH = "portal_link", "portal_stage", "portal_seen", "portal_flash"


def _store(key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(key)
    return store


@dataclass
class PortalSession:
    """A borrower's session: the link in use and the sign-in stage reached."""

    store: SessionBase
    link_id: int
    stage: str
    ended: bool = False

    @property
    def signed_in(self) -> bool:
        return not self.ended and self.stage == SIGNED_IN

    def advance(self, stage: str) -> None:
        """Move to ``stage``; signing in takes a new session key (no fixation)."""
        if stage == SIGNED_IN:
            self.store.cycle_key()
        self.stage = stage
        self.store[_STAGE] = stage

    def flash(self, message: str) -> None:
        """A line to show on the next page (after a redirect)."""
        self.store[_FLASH] = str(message)

    def flashed(self) -> str:
        """The line left for this page, once."""
        return str(self.store.pop(_FLASH, ""))

    def end(self) -> None:
        """Forget the session (signed out, idle too long, link locked)."""
        self.store.flush()
        self.ended = True


def _now() -> float:
    return timezone.now().timestamp()


def session_load(request: HttpRequest) -> tuple[PortalSession | None, bool]:
    """The portal session of ``request`` and whether one just ended for idleness (True: the
    borrower is told so). Reading it counts as activity: the idle clock restarts."""
    key = request.COOKIES.get(COOKIE, "")
    if not key:
        return None, False
    store = _store(key)
    link_id, stage, seen = store.get(_LINK), store.get(_STAGE), store.get(_SEEN)
    if not isinstance(link_id, int) or stage not in (STAGE_ID, STAGE_CODE, SIGNED_IN):
        # Unknown, or removed by the store's own expiry (also the idle limit, plus a margin).
        return None, bool(store.session_key is None and key)
    if not isinstance(seen, int | float) or _now() - float(seen) > IDLE_SECONDS:
        store.flush()
        return None, True
    return PortalSession(store=store, link_id=link_id, stage=stage), False


def session_start(link_id: int) -> PortalSession:
    """A new session for ``link_id`` at its first step."""
    store = _store()
    store[_LINK] = link_id
    store[_STAGE] = STAGE_ID
    return PortalSession(store=store, link_id=link_id, stage=STAGE_ID)


def session_save(session: PortalSession | None, response: HttpResponseBase) -> None:
    """Store ``session`` with the time of this request and set (or clear) its cookie."""
    if session is None:
        return
    if session.ended:
        response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Lax")
        return
    session.store[_SEEN] = _now()
    # The store's own expiry is a margin behind the idle limit: the idle rule is ours.
    session.store.set_expiry(IDLE_SECONDS + 60)
    session.store.save()
    response.set_cookie(
        COOKIE,
        str(session.store.session_key),
        max_age=IDLE_SECONDS + 60,
        path=COOKIE_PATH,
        secure=bool(settings.SESSION_COOKIE_SECURE),
        httponly=True,
        samesite="Lax",
    )
