"""Fixtures for the Telegram sandbox tests: a real aiohttp server on 127.0.0.1 with the sandbox mounted at
/sandbox (as in production), an aiogram Bot pointed at it, and an echo Dispatcher polling it."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from aiohttp import web

from bot.sandbox import DEFAULT_TOKEN, SandboxState, create_sandbox_app, sandbox_api_server
from bot.sandbox.client import SandboxClient
from tests.servers import served


def make_png(width: int = 24, height: int = 16, rgb: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A small valid PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@dataclass
class SandboxServer:
    base_url: str
    state: SandboxState
    parent: web.Application
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"{self.base_url}/sandbox/api"

    @property
    def botapi(self) -> str:
        return f"{self.base_url}/sandbox/botapi/bot{self.state.token}"


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    state = SandboxState()
    parent = web.Application()
    hook_calls: list[dict[str, Any]] = []
    hook_reply: dict[str, Any] = {}

    async def webhook(request: web.Request) -> web.StreamResponse:
        """A webhook target living in the parent app, used by the webhook test."""
        hook_calls.append({"headers": dict(request.headers), "body": await request.json()})
        if hook_reply.get("fail_times", 0) > 0:
            hook_reply["fail_times"] -= 1
            return web.Response(status=500)
        if hook_reply.get("method"):
            return web.json_response(hook_reply["method"])
        return web.json_response({})

    parent.router.add_post("/hook", webhook)
    parent.add_subapp("/sandbox", create_sandbox_app(state))
    async with served(parent, shutdown_timeout=2.0) as base_url:
        yield SandboxServer(base_url, state, parent, {"hook_calls": hook_calls, "hook_reply": hook_reply})


@pytest.fixture
async def bot(sandbox: SandboxServer) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=sandbox_api_server(sandbox.base_url))
    tg_bot = Bot(DEFAULT_TOKEN, session=session)
    try:
        yield tg_bot
    finally:
        await session.close()


@pytest.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(sandbox.base_url, timeout=5.0) as sandbox_client:
        yield sandbox_client


def echo_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text="Approve", callback_data="approve:1")],
                [InlineKeyboardButton(text="Docs", url="https://example.com/docs")],
            ]
        )
        name = message.from_user.first_name if message.from_user else "?"
        await message.answer(f"Hello, <b>{name}</b>! You said: {message.text}", reply_markup=keyboard)

    @router.callback_query(F.data.startswith("approve:"))
    async def approve(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"Approved ({query.data})")
        await query.answer("Done!")

    @router.message(F.photo)
    async def photo(message: Message) -> None:
        assert message.photo
        await message.answer(f"Got a photo {message.photo[-1].width}x{message.photo[-1].height}")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    return router


@pytest.fixture
async def echo_bot(sandbox: SandboxServer) -> AsyncIterator[tuple[Dispatcher, Bot]]:
    """An aiogram Dispatcher polling the sandbox; the sandbox learns from it which updates are done."""
    done: set[int] = set()

    async def track_done(handler, event: Update, data):  # type: ignore[no-untyped-def]
        try:
            return await handler(event, data)
        finally:
            done.add(event.update_id)

    async def is_update_done(update_id: int) -> bool:
        return update_id in done

    sandbox.state.is_update_done = is_update_done
    dp = Dispatcher()
    dp.update.outer_middleware(track_done)
    dp.include_router(echo_router())
    session = AiohttpSession(api=sandbox_api_server(sandbox.base_url))
    tg_bot = Bot(DEFAULT_TOKEN, session=session, default=_html_default())
    task = asyncio.create_task(dp.start_polling(tg_bot, polling_timeout=1, handle_signals=False))
    try:
        yield dp, tg_bot
    finally:
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
        await session.close()


def _html_default():  # type: ignore[no-untyped-def]
    from aiogram.client.default import DefaultBotProperties

    return DefaultBotProperties(parse_mode="HTML")
