"""Ties the sandbox to the staff base: demo staff become personas; a persona made with a role joins by invite."""

from __future__ import annotations

from typing import Any

from bot.sandbox.state import SandboxState
from core import identity
from core.config import Settings
from models import InboxUpdate, Role, Staff


async def connect_sandbox(state: SandboxState, settings: Settings) -> None:
    # Update ids must not repeat ones the inbox has seen, or a restarted sandbox's updates would be dropped.
    last = await InboxUpdate.all().order_by("-update_id").first()
    state.next_update_id = max(state.next_update_id, (last.update_id + 1) if last else 1)
    for staff in await Staff.filter(telegram_id__isnull=False, active=True).order_by("id"):
        if state.user(staff.telegram_id) is None:
            state.add_user(staff.name, language_code=staff.locale or settings.i18n.default_locale,
                           phone=staff.phone, user_id=staff.telegram_id)

    async def persona_factory(user: dict[str, Any], role: str) -> None:
        issued = await identity.create_invite(role, ttl_hours=settings.invites.ttl_hours, name=user["name"],
                                              channel="system")
        state.user_text(user["id"], f"/start {issued.start_parameter}")

    async def roles_provider() -> list[dict[str, str]]:
        return [{"key": role.key, "title": role.title(settings.i18n.default_locale)}
                for role in await Role.all().order_by("id")]

    state.persona_factory = persona_factory
    state.roles_provider = roles_provider
