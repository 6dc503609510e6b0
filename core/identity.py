"""Staff identity: roles, one-time invites, Telegram binding, web passwords and one-time login links."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.transactions import in_transaction

from core import activity
from core.clock import now
from core.permissions import can, load_actor
from models import Invite, LoginLink, Role, Staff, WebLoginFailure

INVITE_PREFIX = "inv_"
_hasher = PasswordHasher()
# Verifying against this keeps a wrong login name as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password")


class IdentityError(Exception):
    """A refusal the user should read; `reason` is a stable code the entry points translate."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def staff_roles(staff: Staff) -> list[Role]:
    return list(await staff.roles.all().order_by("id"))


async def is_admin(staff: Staff) -> bool:
    """Does this person hold an admin role (the sandbox chat is for admins only)."""
    return (await load_actor(staff, channel="system")).is_admin


async def may_manage_staff(staff: Staff) -> bool:
    """The one rule behind inviting, listing and (de)activating staff, in the bot and the panel: `staff.manage`
    (admins have every action)."""
    return can(await load_actor(staff, channel="system"), "staff.manage")



async def staff_by_telegram_id(telegram_id: int) -> Staff | None:
    return await Staff.get_or_none(telegram_id=telegram_id, active=True)


# --- invites -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvite:
    invite: Invite
    token: str

    @property
    def start_parameter(self) -> str:
        return INVITE_PREFIX + self.token


async def create_invite(
    role_key: str,
    *,
    ttl_hours: float,
    name: str = "",
    created_by: Staff | None = None,
    channel: str = "system",
) -> IssuedInvite:
    """Issues an invite; made by a person (`created_by`), only one who may manage staff may do it, and only an
    admin may invite to an admin role (else `staff.manage` would be a way to become admin)."""
    creator = await load_actor(created_by, channel=channel) if created_by is not None else None
    if creator is not None and not can(creator, "staff.manage"):
        raise IdentityError("forbidden")
    role = await Role.get_or_none(key=role_key)
    if role is None:
        raise IdentityError("unknown_role", role=role_key)
    if creator is not None and role.is_admin and not creator.is_admin:
        raise IdentityError("forbidden")
    # 16 bytes -> 22 url-safe characters; Telegram allows 64 in a start parameter.
    token = secrets.token_urlsafe(16)
    invite = await Invite.create(
        token_hash=_digest(token),
        role=role,
        name=name.strip(),
        created_by=created_by,
        expires_at=now() + timedelta(hours=ttl_hours),
    )
    await activity.record(
        "invite.create", channel=channel, actor=created_by, object_type="invite", object_id=invite.id,
        after={"role": role.key, "name": invite.name},
    )
    return IssuedInvite(invite, token)


async def accept_invite(token: str, *, telegram_id: int, name: str, locale: str | None) -> Staff:
    """Binds the Telegram account to a staff record; the invite can be used once, before it expires."""
    token = token.removeprefix(INVITE_PREFIX)
    async with in_transaction():
        invite = await Invite.get_or_none(token_hash=_digest(token)).select_related("role")
        if invite is None:
            raise IdentityError("invite_unknown")
        if invite.used_at is not None:
            raise IdentityError("invite_used")
        if invite.expires_at <= now():
            raise IdentityError("invite_expired")
        # Compare-and-set: of two concurrent /start with the same token exactly one wins.
        claimed = await Invite.filter(id=invite.id, used_at__isnull=True).update(
            used_at=now(), used_by_telegram_id=telegram_id
        )
        if not claimed:
            raise IdentityError("invite_used")
        staff = await Staff.get_or_none(telegram_id=telegram_id)
        if staff is None:
            staff = await Staff.create(name=invite.name or name, telegram_id=telegram_id, locale=locale)
        elif not staff.active:
            raise IdentityError("staff_inactive")
        await staff.roles.add(invite.role)
        invite.staff = staff
        await invite.save(update_fields=["staff_id"])
        await activity.record(
            "invite.accept", channel="bot", actor=staff, object_type="staff", object_id=staff.id,
            after={"role": invite.role.key, "telegram_id": telegram_id},
        )
    return staff


async def set_locale(staff: Staff, locale: str) -> None:
    before = staff.locale
    staff.locale = locale
    await staff.save(update_fields=["locale"])
    await activity.record(
        "staff.locale", channel="bot", actor=staff, object_type="staff", object_id=staff.id,
        before={"locale": before}, after={"locale": locale},
    )


# --- web login ---------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def create_admin(login: str, password: str, name: str, *, channel: str = "system") -> Staff:
    login = login.strip().lower()
    if not login:
        raise IdentityError("login_empty")
    if len(password) < 8:
        raise IdentityError("password_too_short")
    admin_role = await Role.filter(is_admin=True).order_by("id").first()
    if admin_role is None:
        admin_role = await Role.create(key="admin", titles={"ru": "Администратор", "uk": "Адміністратор",
                                                            "en": "Administrator"}, is_admin=True)
    staff = await Staff.get_or_none(login=login)
    if staff is None:
        staff = await Staff.create(login=login, name=name, password_hash=hash_password(password))
    else:
        staff.password_hash = hash_password(password)
        await staff.save(update_fields=["password_hash"])
    await staff.roles.add(admin_role)
    await activity.record("staff.admin", channel=channel, object_type="staff", object_id=staff.id,
                          after={"login": login})
    return staff


async def password_login(
    login: str, password: str, *, address: str, max_failures: int, lockout_minutes: int
) -> Staff:
    """Checks a password; after `max_failures` failures in the window the login is locked for that window."""
    login = login.strip().lower()
    since = now() - timedelta(minutes=lockout_minutes)
    failures = await WebLoginFailure.filter(login=login, at__gte=since).count()
    address_failures = await WebLoginFailure.filter(address=address, at__gte=since).count()
    if failures >= max_failures or address_failures >= max_failures * 4:
        raise IdentityError("login_locked", minutes=lockout_minutes)
    staff = await Staff.get_or_none(login=login, active=True)
    try:
        _hasher.verify(staff.password_hash if staff and staff.password_hash else _DUMMY_HASH, password)
        if staff is None or not staff.password_hash:
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        await WebLoginFailure.create(login=login, address=address)
        raise IdentityError("login_failed") from None
    await WebLoginFailure.filter(login=login).delete()
    await activity.record("web.login", channel="web", actor=staff, object_type="staff", object_id=staff.id)
    return staff


async def create_login_link(staff: Staff, *, ttl_minutes: int = 10) -> str:
    token = secrets.token_urlsafe(24)
    await LoginLink.create(token_hash=_digest(token), staff=staff, expires_at=now() + timedelta(minutes=ttl_minutes))
    return token


async def consume_login_link(token: str) -> Staff:
    async with in_transaction():
        link = await LoginLink.get_or_none(token_hash=_digest(token)).select_related("staff")
        if link is None:
            raise IdentityError("link_unknown")
        if link.used_at is not None:
            raise IdentityError("link_used")
        if link.expires_at <= now():
            raise IdentityError("link_expired")
        if not await LoginLink.filter(id=link.id, used_at__isnull=True).update(used_at=now()):
            raise IdentityError("link_used")
        if not link.staff.active:
            raise IdentityError("staff_inactive")
        await activity.record("web.login_link", channel="web", actor=link.staff, object_type="staff",
                              object_id=link.staff_id)
        return link.staff
