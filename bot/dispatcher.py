"""One dispatcher factory for every mode: sandbox, polling and webhook run the same handlers."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import timedelta

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.storage.base import BaseStorage
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import Response

from bot.draft_storage import DatabaseStorage
from bot.effects import CaptureReplies
from bot.middlewares import CallbackWithMessage, I18nMiddleware, IdentityMiddleware, InboxMiddleware
from bot.sandbox.state import BOT_ID
from core import modules
from core.config import Settings, sandbox_token
from flows import (
    cards,
    chat_member,
    customers,
    drafts,
    fallback,
    imports,
    lines,
    search,
    staff_menu,
    start,
    tasks,
)

log = logging.getLogger(__name__)


def sandbox_bot_token(settings: Settings) -> str:
    """The sandbox bot's token. Whoever holds it acts as the bot, so it is as secret as a real one; it is derived
    from the sandbox token so that every process sharing the data dir (web, bot, worker) agrees on it."""
    secret = hmac.new(sandbox_token(settings).encode(), b"estafeta sandbox bot", hashlib.sha256).hexdigest()
    return f"{BOT_ID}:{secret}"


def create_storage(settings: Settings) -> BaseStorage:
    """Where a conversation in progress is kept: Redis when configured, else the database — either way it survives
    a restart and expires after `telegram.draft_days`."""
    ttl = timedelta(days=settings.telegram.draft_days)
    if settings.redis.url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis.url, state_ttl=ttl, data_ttl=ttl)
    return DatabaseStorage(ttl)


def create_dispatcher(settings: Settings, storage: BaseStorage | None = None) -> Dispatcher:
    dp = Dispatcher(storage=storage or create_storage(settings), settings=settings)
    dp.update.outer_middleware(InboxMiddleware())
    dp.update.outer_middleware(IdentityMiddleware())
    dp.update.outer_middleware(I18nMiddleware(settings))
    dp.callback_query.outer_middleware(CallbackWithMessage())
    # customer_start takes a stranger's /start before start does; cards, tasks and search come before start so that
    # a command typed in the middle of their conversations ends it (and is then handled as usual).
    active = modules.active()
    # Modules' conversations sit with the platform's, before start: a command typed in one of them ends it too.
    routers = (
        chat_member.build_router(), drafts.build_router(), customers.build_router(), cards.build_router(),
        lines.build_router(),
        tasks.build_router(), search.build_router(),
        *(modules.resolve(ref)() for ref in active.refs("routers")),
        start.build_router(), staff_menu.build_router(), imports.build_router(), fallback.build_router(),
    )
    dp.include_routers(*routers)
    run_sync_callables_inline(dp)
    return dp


def run_sync_callables_inline(router: Router) -> None:
    """aiogram runs every synchronous filter (magic F filters included) and handler through asyncio.to_thread: a
    thread hop per filter per update, measured at a large share of the bot's CPU. Ours are all quick and pure, so
    they run on the loop instead."""
    for observer in router.observers.values():
        for handler in [*observer.handlers, observer._handler]:
            for callable_object in [handler, *(handler.filters or [])]:
                if not callable_object.awaitable:
                    callable_object.callback = _on_the_loop(callable_object.callback)
                    callable_object.awaitable = True
    for sub_router in router.sub_routers:
        run_sync_callables_inline(sub_router)


def _on_the_loop(function):
    async def call(*args, **kwargs):
        return function(*args, **kwargs)

    return call


class LateCallbackAnswers(BaseRequestMiddleware):
    """Answering a callback query Telegram no longer knows (older than ~15 s: an update taken again after a
    crash, a slow handler) fails with "query is too old". The answer only stops the button's spinner, so that
    failure must not cost the user the work the button asked for."""

    async def __call__(self, make_request: NextRequestMiddlewareType, bot: Bot, method: TelegramMethod):
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as error:
            if isinstance(method, AnswerCallbackQuery) and "query" in error.message.lower():
                log.info("callback query %s answered too late: %s", method.callback_query_id, error.message)
                return True
            raise


class TelegramSession(AiohttpSession):
    """aiogram parses every answer through `Response[ReturnType]`. pydantic caches such generic classes only weakly,
    so each call built the class anew (a tenth of the bot's CPU under load); holding them here keeps them built."""

    _response_types: dict = {}

    def check_response(self, bot, method, status_code, content):
        returning = method.__returning__
        if returning not in self._response_types:
            self._response_types[returning] = Response[returning]
        return super().check_response(bot, method, status_code, content)


def create_bot(settings: Settings, sandbox_url: str = "") -> Bot:
    """In sandbox mode the bot talks to the built-in Bot API server (at `sandbox_url`), as it would to Telegram."""
    if settings.sandbox:
        api = TelegramAPIServer.from_base(f"{sandbox_url or settings.public_url}/sandbox/botapi")
        bot = Bot(sandbox_bot_token(settings), session=TelegramSession(api=api))
    else:
        session = TelegramSession(api=TelegramAPIServer.from_base(settings.telegram.api_base)) \
            if settings.telegram.api_base else TelegramSession()
        bot = Bot(settings.telegram.token, session=session, default=DefaultBotProperties())
    # Outermost: while an update is handled its replies become outbox rows (bot.effects) instead of requests.
    bot.session.middleware(CaptureReplies())
    bot.session.middleware(LateCallbackAnswers())
    return bot
