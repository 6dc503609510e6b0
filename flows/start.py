"""/start: joining by invite, the role-aware main menu, and the polite answer to strangers."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from core import identity
from core.i18n import Translator, pick_locale, translator
from core.identity import INVITE_PREFIX, IdentityError
from core.permissions import Actor, load_actor, menu_items
from flows.commands import set_user_commands
from flows.keyboards import main_menu

INVITE_ERRORS = {
    "invite_unknown": "invite-unknown",
    "invite_used": "invite-used",
    "invite_expired": "invite-expired",
    "staff_inactive": "staff-inactive",
}


async def show_menu(message: Message, actor: Actor, t: Translator) -> None:
    titles = ", ".join(role.title(t.locale) for role in actor.roles)
    await message.answer(t("menu-title", name=actor.staff.name, roles=titles),
                         reply_markup=main_menu(menu_items(actor), t))


async def start_with_invite(message: Message, command: CommandObject, bot: Bot, t: Translator) -> None:
    user = message.from_user
    try:
        staff = await identity.accept_invite(command.args, telegram_id=user.id, name=user.full_name,
                                             locale=pick_locale(user.language_code, default=t.locale))
    except IdentityError as error:
        await message.answer(t(INVITE_ERRORS.get(error.reason, "invite-unknown")))
        return
    actor = await load_actor(staff, channel="bot")
    t = translator(pick_locale(staff.locale, default=t.locale))
    await message.answer(t("invite-accepted", name=staff.name))
    await set_user_commands(bot, message.chat.id, actor, t.locale)
    await show_menu(message, actor, t)


async def start(message: Message, actor: Actor, t: Translator, bot: Bot, **_) -> None:
    if actor.staff is None:
        await message.answer(t("unknown-user"))
        return
    await set_user_commands(bot, message.chat.id, actor, t.locale)
    await show_menu(message, actor, t)


def build_router() -> Router:
    """A fresh router per dispatcher: aiogram attaches a router to one parent only."""
    router = Router(name="start")
    router.message.register(start_with_invite, CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIX)))
    router.message.register(start, Command("menu"))
    router.message.register(start, CommandStart())
    return router
