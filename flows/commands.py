"""The command list a user sees in Telegram's menu button, set per chat from their roles and language.

/menu and /start come often and the list rarely changes, so it is set only when it differs from what was last
set for the chat: a fingerprint per chat in `chat_state`, shared by every process.
"""

from __future__ import annotations

import hashlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat

from core import outbox
from core.i18n import translator
from core.permissions import Actor, command_items

log = logging.getLogger(__name__)


async def set_user_commands(bot: Bot, chat_id: int, actor: Actor, locale: str) -> None:
    t = translator(locale)
    commands = [BotCommand(command="menu", description=t("cmd-menu"))]
    commands += [BotCommand(command=item, description=t(f"cmd-{item}")) for item in command_items(actor)]
    key = hashlib.sha256(repr([(c.command, c.description) for c in commands]).encode()).hexdigest()
    if await outbox.commands_key(chat_id) == key:
        return
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError:
        # The menu button is a convenience; a failure here must not cost the user the answer itself.
        log.warning("setMyCommands failed for chat %s", chat_id, exc_info=True)
        return
    await outbox.set_commands_key(chat_id, key)
