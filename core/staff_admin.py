"""Staff administration use cases for the web panel and the bot: invites, revocation, (de)activation.

Every call takes the acting staff member, checks that they may manage staff (`core.identity.may_manage_staff`),
and writes the audit log. Only an admin may invite to an admin role or (de)activate an admin.
Refusals raise `core.identity.IdentityError` with a stable `reason` the entry points translate.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from core import activity
from core.clock import now
from core.config import LOCALES
from core.identity import IdentityError, IssuedInvite, create_invite, is_admin, may_manage_staff
from models import Invite, Role, Staff

NAME_MAX_LENGTH = 200


async def _require_staff_manager(actor: Staff | None) -> Staff:
    if actor is None or not actor.active or not await may_manage_staff(actor):
        raise IdentityError("forbidden")
    return actor


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    staff: Staff
    roles: list[Role]

    @property
    def telegram_bound(self) -> bool:
        return self.staff.telegram_id is not None


async def staff_directory(actor: Staff | None) -> list[StaffRow]:
    """Everyone on the staff, active first, with their roles."""
    await _require_staff_manager(actor)
    people = await Staff.all().order_by("-active", "name", "id").prefetch_related("roles")
    return [StaffRow(person, sorted(person.roles, key=lambda role: role.id)) for person in people]


async def assignable_roles(actor: Staff | None) -> list[Role]:
    """The roles this person may invite to: all of them for an admin, the non-admin ones otherwise."""
    roles = list(await Role.all().order_by("id"))
    if actor is not None and await is_admin(actor):
        return roles
    return [role for role in roles if not role.is_admin]


async def open_invites(actor: Staff | None) -> list[Invite]:
    """Invites nobody has used yet and that have not expired or been revoked, newest first."""
    await _require_staff_manager(actor)
    return list(
        await Invite.filter(used_at__isnull=True, expires_at__gt=now())
        .order_by("-created_at", "-id")
        .select_related("role", "created_by")
    )


async def get_invite(actor: Staff | None, invite_id: int) -> Invite:
    await _require_staff_manager(actor)
    invite = await Invite.get_or_none(id=invite_id).select_related("role", "created_by")
    if invite is None:
        raise IdentityError("invite_unknown")
    return invite


def invite_state(invite: Invite) -> str:
    """open / used / closed (expired or revoked)."""
    if invite.used_at is not None:
        return "used"
    return "open" if invite.expires_at > now() else "closed"


# --- changing ------------------------------------------------------------------------------------


async def issue_invite(
    actor: Staff | None, role_key: str, *, name: str = "", ttl_hours: float, channel: str
) -> IssuedInvite:
    await _require_staff_manager(actor)
    role_key = (role_key or "").strip()
    name = (name or "").strip()
    if not role_key:
        raise IdentityError("role_required")
    if len(name) > NAME_MAX_LENGTH:
        raise IdentityError("name_too_long", max=NAME_MAX_LENGTH)
    return await create_invite(role_key, ttl_hours=ttl_hours, name=name, created_by=actor, channel=channel)


async def revoke_invite(actor: Staff | None, invite_id: int, *, channel: str) -> Invite:
    """Closes an open invite at once (expires_at = now); a used or already closed invite is refused."""
    await _require_staff_manager(actor)
    async with in_transaction():
        invite = await Invite.get_or_none(id=invite_id).select_related("role")
        if invite is None:
            raise IdentityError("invite_unknown")
        moment = now()
        before = invite.expires_at
        closed = await Invite.filter(id=invite.id, used_at__isnull=True, expires_at__gt=moment).update(
            expires_at=moment
        )
        if not closed:
            raise IdentityError("invite_closed")
        await activity.record(
            "invite.revoke", channel=channel, actor=actor, object_type="invite", object_id=invite.id,
            before={"expires_at": before.isoformat()}, after={"expires_at": moment.isoformat()},
        )
    invite.expires_at = moment
    return invite


async def set_staff_active(actor: Staff | None, staff_id: int, active: bool, *, channel: str) -> Staff:
    """Deactivating keeps the record and history; the person can no longer sign in or use the bot."""
    await _require_staff_manager(actor)
    staff = await Staff.get_or_none(id=staff_id)
    if staff is None:
        raise IdentityError("staff_unknown")
    if staff.id == actor.id and not active:
        raise IdentityError("self_deactivate")
    if await is_admin(staff) and not await is_admin(actor):
        raise IdentityError("forbidden")
    if staff.active == active:
        return staff
    before = staff.active
    staff.active = active
    await staff.save(update_fields=["active"])
    await activity.record(
        "staff.activate" if active else "staff.deactivate", channel=channel, actor=actor,
        object_type="staff", object_id=staff.id, before={"active": before}, after={"active": active},
    )
    return staff


async def set_own_locale(staff: Staff, locale: str, *, channel: str) -> None:
    """The interface language a person picked for themselves."""
    if locale not in LOCALES:
        raise IdentityError("locale_unknown", locale=locale)
    if staff.locale == locale:
        return
    before = staff.locale
    staff.locale = locale
    await staff.save(update_fields=["locale"])
    await activity.record(
        "staff.locale", channel=channel, actor=staff, object_type="staff", object_id=staff.id,
        before={"locale": before}, after={"locale": locale},
    )
