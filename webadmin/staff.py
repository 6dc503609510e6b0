"""Home page, the staff list, invites and (de)activation. Rules live in core.staff_admin."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp_session import get_session

from core import staff_admin
from core.identity import IdentityError, staff_roles
from core.permissions import can
from models import Staff
from webadmin.access import current_actor
from webadmin.guards import login_required, staff_manager_required
from webadmin.keys import BOT_USERNAME, SETTINGS
from webadmin.render import render, request_locale, see_other, set_nav
from webadmin.session import ISSUED_INVITE, current_is_admin, flash

SANDBOX_BOT_USERNAME = "estafeta_sandbox_bot"
# core refusal reason -> (Fluent message id, HTTP status for a re-rendered form)
FORM_ERRORS = {
    "forbidden": ("web-form-forbidden", 403),
    "role_required": ("web-form-role-required", 400),
    "unknown_role": ("web-form-role-unknown", 400),
    "name_too_long": ("web-form-name-too-long", 400),
    "invite_unknown": ("web-form-invite-unknown", 404),
    "invite_closed": ("web-form-invite-closed", 409),
    "staff_unknown": ("web-form-staff-unknown", 404),
    "self_deactivate": ("web-form-self-deactivate", 409),
}


def _error_message(exc: IdentityError) -> tuple[str, dict[str, Any], int]:
    key, status = FORM_ERRORS.get(exc.reason, ("web-form-bad-input", 400))
    return key, exc.details, status


def _plain_number(value: float) -> float | int:
    """72.0 -> 72, so Fluent picks the plural form of a whole number."""
    return int(value) if float(value).is_integer() else value


def bot_username(request: web.Request) -> str:
    settings = request.config_dict[SETTINGS]
    name = settings.telegram.bot_username or request.config_dict.get(BOT_USERNAME, "")
    if not name and settings.sandbox:
        name = SANDBOX_BOT_USERNAME
    return name.lstrip("@")


@login_required
async def home(request: web.Request, staff: Staff) -> web.StreamResponse:
    if await current_is_admin(request):
        return see_other("/staff")
    actor = await current_actor(request)
    if actor is not None and can(actor, "card.view"):
        return see_other("/cards")  # managers and heads work their cards; the panel opens on them
    locale = await request_locale(request)
    roles = [role.title(locale) for role in await staff_roles(staff)]
    return await render(request, "home.html", {"roles": roles})


async def _staff_page(
    request: web.Request, admin: Staff, *, error: tuple[str, dict] | None = None,
    form: dict[str, str] | None = None, status: int = 200,
) -> web.Response:
    set_nav(request, "staff")
    settings = request.config_dict[SETTINGS]
    locale = await request_locale(request)
    return await render(request, "staff.html", {
        "rows": await staff_admin.staff_directory(admin),
        "roles": await staff_admin.assignable_roles(admin),
        "invites": await staff_admin.open_invites(admin),
        "ttl_hours": _plain_number(settings.invites.ttl_hours),
        "role_title": lambda role: role.title(locale),
        "form": form or {"role": "", "name": ""},
        "form_error": error,
    }, status=status)


@staff_manager_required
async def staff_page(request: web.Request, admin: Staff) -> web.StreamResponse:
    return await _staff_page(request, admin)


@staff_manager_required
async def create_invite(request: web.Request, admin: Staff) -> web.StreamResponse:
    settings = request.config_dict[SETTINGS]
    form = await request.post()
    values = {"role": str(form.get("role", "")), "name": str(form.get("name", ""))}
    try:
        issued = await staff_admin.issue_invite(
            admin, values["role"], name=values["name"], ttl_hours=settings.invites.ttl_hours, channel="web"
        )
    except IdentityError as exc:
        key, args, status = _error_message(exc)
        return await _staff_page(request, admin, error=(key, args), form=values, status=status)
    # The token exists only here (the DB keeps its hash): show it once, after a redirect, so reloading
    # the result page does not create another invite.
    session = await get_session(request)
    session[ISSUED_INVITE] = {"id": issued.invite.id, "token": issued.token}
    return see_other(f"/staff/invites/{issued.invite.id}")


@staff_manager_required
async def invite_page(request: web.Request, admin: Staff) -> web.StreamResponse:
    set_nav(request, "staff")
    settings = request.config_dict[SETTINGS]
    invite_id = int(request.match_info["id"])
    try:
        invite = await staff_admin.get_invite(admin, invite_id)
    except IdentityError as exc:
        raise web.HTTPNotFound() from exc
    session = await get_session(request)
    issued = session.get(ISSUED_INVITE) or {}
    token = issued.get("token") if issued.get("id") == invite.id else None
    state = staff_admin.invite_state(invite)
    start_parameter = f"inv_{token}" if token and state == "open" else None
    username = bot_username(request)
    locale = await request_locale(request)
    return await render(request, "invite.html", {
        "invite": invite,
        "role_title": invite.role.title(locale),
        "state": state,
        "start_parameter": start_parameter,
        "deep_link": f"https://t.me/{username}?start={start_parameter}" if start_parameter and username else None,
        "sandbox": settings.sandbox,
    })


@staff_manager_required
async def revoke_invite(request: web.Request, admin: Staff) -> web.StreamResponse:
    try:
        await staff_admin.revoke_invite(admin, int(request.match_info["id"]), channel="web")
    except IdentityError as exc:
        key, args, _ = _error_message(exc)
        await flash(request, "error", key, **args)
    else:
        await flash(request, "ok", "web-invite-revoked")
    return see_other("/staff")


@staff_manager_required
async def set_active(request: web.Request, admin: Staff) -> web.StreamResponse:
    form = await request.post()
    raw = str(form.get("active", ""))
    if raw not in ("0", "1"):
        raise web.HTTPBadRequest()
    try:
        staff = await staff_admin.set_staff_active(admin, int(request.match_info["id"]), raw == "1",
                                                   channel="web")
    except IdentityError as exc:
        key, args, _ = _error_message(exc)
        await flash(request, "error", key, **args)
    else:
        await flash(request, "ok", "web-staff-activated" if staff.active else "web-staff-deactivated",
                    name=staff.name)
    return see_other("/staff")
