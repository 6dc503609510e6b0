"""One dispatcher factory for every mode: sandbox, polling and webhook run the same handlers."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage

from bot import errors
from bot.middlewares import I18nMiddleware, IdentityMiddleware, InboxMiddleware
from core.config import Settings
from flows import cards, chat_member, customers, fallback, imports, search, staff_menu, start, tasks

SANDBOX_TOKEN = "100000:SANDBOX-token"


def create_storage(settings: Settings) -> BaseStorage:
    if settings.redis.url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis.url)
    return MemoryStorage()


def create_dispatcher(settings: Settings, storage: BaseStorage | None = None) -> Dispatcher:
    dp = Dispatcher(storage=storage or create_storage(settings), settings=settings)
    dp.update.outer_middleware(InboxMiddleware())
    dp.update.outer_middleware(IdentityMiddleware())
    dp.update.outer_middleware(I18nMiddleware(settings))
    # customer_start takes a stranger's /start before start does; cards, tasks and search come before start so that
    # a command typed in the middle of their conversations ends it (and is then handled as usual).
    dp.include_routers(
        errors.build_router(), chat_member.build_router(), customers.build_router(), cards.build_router(),
        tasks.build_router(), search.build_router(), start.build_router(), staff_menu.build_router(),
        imports.build_router(), fallback.build_router(),
    )
    return dp


def create_bot(settings: Settings, sandbox_url: str = "") -> Bot:
    """In sandbox mode the bot talks to the built-in Bot API server (at `sandbox_url`), as it would to Telegram."""
    if settings.sandbox:
        api = TelegramAPIServer.from_base(f"{sandbox_url or settings.public_url}/sandbox/botapi")
        return Bot(SANDBOX_TOKEN, session=AiohttpSession(api=api))
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram.api_base)) \
        if settings.telegram.api_base else AiohttpSession()
    return Bot(settings.telegram.token, session=session, default=DefaultBotProperties())
