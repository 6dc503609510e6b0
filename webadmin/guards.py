"""Who may open a page: decorators for the panel's handlers and `require_admin_page` for other parts."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from aiohttp import web

from core.permissions import Actor, can
from models import Staff
from webadmin.access import current_actor
from webadmin.render import login_url, render_error, see_other
from webadmin.session import current_is_admin, current_staff

StaffHandler = Callable[[web.Request, Staff], Awaitable[web.StreamResponse]]
ActorHandler = Callable[[web.Request, Actor], Awaitable[web.StreamResponse]]


def _to_login(request: web.Request) -> web.Response:
    return see_other(login_url(request))


def login_required(handler: StaffHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        staff = await current_staff(request)
        if staff is None:
            return _to_login(request)
        return await handler(request, staff)

    return wrapper


def staff_manager_required(handler: StaffHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Staff pages: whoever may `staff.manage` (core.identity.may_manage_staff's rule, asked of the request's
    actor); otherwise sign-in, or 403."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        staff = await current_staff(request)
        actor = await current_actor(request)
        if staff is None or actor is None:
            return _to_login(request)
        if not can(actor, "staff.manage"):
            raise web.HTTPForbidden()
        return await handler(request, staff)

    return wrapper


def permission_required(action: str):
    """The handler gets the signed-in actor if core.permissions lets them `action` at all (their own objects at
    least; each object is checked again by core); otherwise sign-in, or the localized "not allowed" page."""

    def decorate(handler: ActorHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            actor = await current_actor(request)
            if actor is None:
                return _to_login(request)
            if not can(actor, action):
                return await render_error(request, 403, kind="denied")
            return await handler(request, actor)

        return wrapper

    return decorate


async def admin_refusal(request: web.Request) -> int | None:
    """The rule for everything outside the panel that is for admins only (the sandbox chat and its API):
    None when an admin is signed in, 401 when nobody is, 403 when someone who is not an admin is."""
    if await current_staff(request) is None:
        return 401
    if not await current_is_admin(request):
        return 403
    return None


async def require_admin_page(request: web.Request) -> web.StreamResponse | None:
    """For pages outside the panel (the sandbox chat): None when an admin is signed in; otherwise a
    303 redirect to /login?next=<this page> (not signed in) or the localized 403 page (signed in, not admin)."""
    refusal = await admin_refusal(request)
    if refusal == 401:
        return _to_login(request)
    if refusal == 403:
        return await render_error(request, 403)
    return None
