"""The main menu's entries for staff: invite a colleague, open the web panel, language, help."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message

from core import identity, modules, staff_admin
from core.config import Settings
from core.i18n import Translator, translator
from core.identity import IdentityError
from core.modules import MenuEntry
from core.permissions import Actor, can, command_items, load_actor, menu_items
from flows.callbacks import InviteRoleCb, LanguageCb, MenuCb
from flows.commands import set_user_commands
from flows.keyboards import InlineButtons, languages
from flows.start import show_menu
from models import Role, Staff


def _role_picker(roles: list[Role], locale: str) -> InlineKeyboardMarkup:
    builder = InlineButtons()
    for role in roles:
        builder.button(text=role.title(locale), callback_data=InviteRoleCb(role=role.key))
    builder.adjust(2)
    return builder.as_markup()


async def _refuse(target: Message, t: Translator) -> None:
    await target.answer(t("forbidden"))


# Each entry works from a command and from the menu button alike; the reply goes to `target`.

async def open_invite(target: Message, actor: Actor, t: Translator, **_) -> None:
    if not can(actor, "staff.manage"):
        await _refuse(target, t)
        return
    roles = await staff_admin.assignable_roles(actor.staff)
    await target.answer(t("invite-pick-role"), reply_markup=_role_picker(roles, t.locale))


async def open_web(target: Message, staff: Staff, t: Translator, settings: Settings, **_) -> None:
    token = await identity.create_login_link(staff)
    # No preview: Telegram would fetch the link to build one, and that fetch would use it up.
    await target.answer(t("panel-link", url=f"{settings.public_url}/auth/link/{token}", minutes=10),
                        link_preview_options=LinkPreviewOptions(is_disabled=True))


async def open_language(target: Message, t: Translator, **_) -> None:
    await target.answer(t("language-pick"), reply_markup=languages())


async def open_help(target: Message, actor: Actor, t: Translator, **_) -> None:
    await target.answer(t("help-admin" if can(actor, "staff.manage") else "help-staff"))


def _entries() -> dict[str, MenuEntry]:
    return {entry.key: entry for entry in modules.active().menu}


async def entry_by_command(message: Message, staff: Staff | None, actor: Actor, t: Translator, **data) -> None:
    if staff is None:
        await message.answer(t("unknown-user"))
        return
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    if command not in command_items(actor):
        await message.answer(t("forbidden"))
        return
    await modules.resolve(_entries()[command].handler)(message, staff=staff, actor=actor, t=t, **data)


async def entry_by_button(query: CallbackQuery, callback_data: MenuCb, staff: Staff | None, actor: Actor,
                          t: Translator, **data) -> None:
    if staff is None or callback_data.item not in menu_items(actor):
        await query.answer(t("forbidden"), show_alert=True)
        return
    await query.answer()
    await modules.resolve(_entries()[callback_data.item].handler)(query.message, staff=staff, actor=actor, t=t,
                                                                  **data)


async def invite_for_role(query: CallbackQuery, callback_data: InviteRoleCb, staff: Staff | None, bot: Bot,
                          t: Translator, settings: Settings) -> None:
    if staff is None:
        await query.answer(t("forbidden"), show_alert=True)
        return
    try:
        issued = await identity.create_invite(callback_data.role, ttl_hours=settings.invites.ttl_hours,
                                              created_by=staff, channel="bot")
    except IdentityError as error:
        await query.answer(t("forbidden" if error.reason == "forbidden" else "invite-role-unknown"),
                           show_alert=True)
        return
    await query.answer()
    me = await bot.me()
    role = await Role.get(key=callback_data.role)
    await query.message.answer(t(
        "invite-created",
        role=role.title(t.locale),
        link=f"https://t.me/{me.username}?start={issued.start_parameter}",
        command=f"/start {issued.start_parameter}",
        hours=int(settings.invites.ttl_hours),
    ))


async def choose_language(query: CallbackQuery, callback_data: LanguageCb, staff: Staff | None,
                          actor: Actor, bot: Bot, t: Translator) -> None:
    if staff is None or callback_data.code not in ("ru", "uk", "en"):
        await query.answer(t("forbidden"), show_alert=True)
        return
    await identity.set_locale(staff, callback_data.code)
    t = translator(callback_data.code)
    await query.answer(t("language-set"))
    actor = await load_actor(staff, channel="bot")
    await set_user_commands(bot, query.message.chat.id, actor, t.locale)
    await query.message.edit_text(t("language-set"))
    await show_menu(query.message, actor, t)


def build_router() -> Router:
    """A fresh router per dispatcher: aiogram attaches a router to one parent only."""
    router = Router(name="staff_menu")
    commands = [entry.key for entry in modules.active().menu if entry.command]
    if commands:
        router.message.register(entry_by_command, Command(*commands))
    router.callback_query.register(entry_by_button, MenuCb.filter())
    router.callback_query.register(invite_for_role, InviteRoleCb.filter())
    router.callback_query.register(choose_language, LanguageCb.filter())
    return router
