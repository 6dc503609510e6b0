"""Panel sessions: storage choice, the signed-in staff member, CSRF tokens, session rotation."""

from __future__ import annotations

import hmac
import logging
import secrets
import warnings
from typing import Any

from aiohttp import web
from aiohttp_session import STORAGE_KEY, AbstractStorage, Session, get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from aiohttp_session.redis_storage import RedisStorage
from redis.asyncio import Redis

from core.config import Settings, session_secret
from core.identity import is_admin
from models import Staff

log = logging.getLogger(__name__)
# aiohttp-session stores itself in the request under plain string keys; that is its business, not a bug here.
warnings.filterwarnings("ignore", category=web.NotAppKeyWarning, module="aiohttp_session")

COOKIE_NAME = "estafeta_session"
SESSION_MAX_AGE = 12 * 60 * 60
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# Session keys
STAFF_ID = "staff_id"
CSRF = "csrf"
LOCALE = "locale"
FLASH = "flash"
ISSUED_INVITE = "issued_invite"

_STAFF = web.RequestKey("webadmin_staff", object)
_ADMIN = web.RequestKey("webadmin_is_admin", bool)
_MISSING = object()


def make_storage(settings: Settings, redis: Redis | None) -> AbstractStorage:
    params: dict[str, Any] = {
        "cookie_name": COOKIE_NAME,
        "max_age": SESSION_MAX_AGE,
        "httponly": True,
        "samesite": "Lax",
        "secure": settings.public_url.startswith("https://") or None,
    }
    if redis is not None:
        return RedisStorage(redis, **params)
    return EncryptedCookieStorage(session_secret(settings), **params)


async def current_staff(request: web.Request) -> Staff | None:
    """The active staff member signed in to the panel in this request's session, or None."""
    cached = request.get(_STAFF, _MISSING)
    if cached is not _MISSING:
        return cached  # type: ignore[return-value]
    session = await get_session(request)
    staff_id = session.get(STAFF_ID)
    staff = None
    if isinstance(staff_id, int):
        staff = await Staff.get_or_none(id=staff_id, active=True)
        if staff is None:  # deactivated or deleted since sign-in: the session no longer counts
            session.pop(STAFF_ID, None)
    request[_STAFF] = staff
    return staff


async def current_is_admin(request: web.Request) -> bool:
    if _ADMIN not in request:
        staff = await current_staff(request)
        request[_ADMIN] = staff is not None and await is_admin(staff)
    return request[_ADMIN]


async def csrf_token(request: web.Request) -> str:
    """This session's CSRF token, created on first use (also before sign-in, for the login form)."""
    session = await get_session(request)
    token = session.get(CSRF)
    if not isinstance(token, str) or not token:
        token = session[CSRF] = secrets.token_urlsafe(32)
    return token


async def csrf_valid(request: web.Request) -> bool:
    session = await get_session(request)
    expected = session.get(CSRF)
    supplied: Any = request.headers.get(CSRF_HEADER)
    if supplied is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        supplied = (await request.post()).get(CSRF_FIELD)
    if not isinstance(expected, str) or not expected or not isinstance(supplied, str):
        return False
    return hmac.compare_digest(expected.encode(), supplied.encode())


async def start_fresh_session(request: web.Request, staff: Staff | None) -> Session:
    """Replaces the session (new id / new cookie, new CSRF token) on sign-in and sign-out.

    Only the chosen interface language survives. With Redis the old server-side record is deleted, so a
    session id captured before sign-in is worthless afterwards.
    """
    old = await get_session(request)
    locale = old.get(LOCALE)
    storage = request.get(STORAGE_KEY)
    if isinstance(storage, RedisStorage) and old.identity:
        try:
            await storage._redis.delete(f"{storage.cookie_name}_{old.identity}")
        except Exception:  # the new session is what matters; the old one expires by itself
            log.warning("could not delete the previous session from redis", exc_info=True)
    session = await new_session(request)
    if locale:
        session[LOCALE] = locale
    session[CSRF] = secrets.token_urlsafe(32)
    if staff is not None:
        session[STAFF_ID] = staff.id
    session.changed()
    request.pop(_STAFF, None)
    request.pop(_ADMIN, None)
    return session


async def flash(request: web.Request, kind: str, key: str, **args: Any) -> None:
    """A one-time message (`ok` or `error`) shown on the next page."""
    session = await get_session(request)
    session[FLASH] = {"kind": kind, "key": key, "args": args}


async def pop_flash(request: web.Request) -> dict | None:
    session = await get_session(request)
    if FLASH not in session:
        return None
    return session.pop(FLASH)
