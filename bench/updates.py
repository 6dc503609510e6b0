"""Webhook throughput and latency: Estafeta's full path vs a bare aiogram echo bot, on the same feed.

Both bots run in this process against the sandbox Bot API on its own 127.0.0.1 port, standing in for Telegram
(Estafeta in webhook mode, as in production); updates are POSTed to their webhooks with a fixed concurrency.
Latency is from the POST until the handler has finished.

    .venv/bin/python bench/updates.py [--updates 2000] [--concurrency 32]

Database and Redis come from ESTAFETA__DATABASE__URL / ESTAFETA__REDIS__URL (defaults: a fresh PostgreSQL
database `estafeta_bench` and Redis db 14 on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot, Dispatcher, Router  # noqa: E402
from aiogram.types import Message  # noqa: E402
from aiogram.webhook.aiohttp_server import SimpleRequestHandler  # noqa: E402
from aiohttp import web  # noqa: E402

from bench.databases import fresh_database  # noqa: E402
from bot.sandbox.server import create_sandbox_app, sandbox_api_server  # noqa: E402
from bot.sandbox.state import SandboxState  # noqa: E402
from bot.sandbox_personas import connect_sandbox  # noqa: E402
from core.config import load_settings  # noqa: E402
from core.packs import load_pack  # noqa: E402
from estafeta.app import Estafeta  # noqa: E402

WEBHOOK_SECRET = "bench-webhook-secret"


@contextlib.asynccontextmanager
async def fake_telegram():
    """The sandbox Bot API alone on a 127.0.0.1 port: Telegram for both bots."""
    state = SandboxState()
    app = web.Application()
    app.add_subapp("/sandbox", create_sandbox_app(state))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield state, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def build_feed(state, users: list[int], count: int) -> list[dict]:
    """A realistic mix: /start (menu), menu presses, free text."""
    feed = []
    for index in range(count):
        user_id = users[index % len(users)]
        kind = index % 4
        if kind == 0:
            update, _ = state.user_text(user_id, "/start")
        elif kind == 1:
            update, _ = state.user_text(user_id, "/help")
        elif kind == 2:
            update, _ = state.user_text(user_id, "привет, когда будет готово?")
        else:
            chat = state.chat(user_id)
            anchor = chat.messages.get(1) or state.add_message(chat, "bot", {"text": "menu"})
            update, _ = state.user_callback(user_id, anchor, "m1:help")
        state.pending_updates.remove(update)  # fed through the webhook, not getUpdates
        feed.append(update)
    return feed


async def drive(url: str, feed: list[dict], concurrency: int, finished: dict[int, float]) -> dict:
    sent: dict[int, float] = {}
    queue: asyncio.Queue = asyncio.Queue()
    for update in feed:
        queue.put_nowait(update)

    async def poster(http: aiohttp.ClientSession) -> None:
        while not queue.empty():
            update = queue.get_nowait()
            sent[update["update_id"]] = time.perf_counter()
            async with http.post(url, json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}) as response:
                assert response.status == 200, await response.text()

    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(poster(http) for _ in range(concurrency)))
    while len(finished) < len(feed):  # noqa: ASYNC110 - handlers finish in another task
        await asyncio.sleep(0.01)
    elapsed = max(finished.values()) - started
    latencies = sorted((finished[uid] - sent[uid]) * 1000 for uid in sent)
    return {
        "rate": len(feed) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
    }


async def bench_estafeta(environ: dict[str, str], state: SandboxState, telegram_url: str, count: int,
                         concurrency: int) -> dict:
    settings = load_settings("config.toml", environ={
        **environ, "ESTAFETA__TELEGRAM__MODE": "webhook", "ESTAFETA__TELEGRAM__TOKEN": state.token,
        "ESTAFETA__TELEGRAM__API_BASE": f"{telegram_url}/sandbox/botapi",
        "ESTAFETA__TELEGRAM__WEBHOOK_SECRET": WEBHOOK_SECRET,
    })
    app = Estafeta(settings, parts=frozenset({"web", "bot"}))
    await app.start()
    await load_pack("generic", with_demo=True)
    await connect_sandbox(state, settings)
    users = [state.add_user(f"Bench {i}", language_code="ru").id for i in range(50)]
    issued = []
    from core import identity

    for user_id in users:
        invite = await identity.create_invite("manager", ttl_hours=1, name=f"Bench {user_id}")
        issued.append(await identity.accept_invite(invite.token, telegram_id=user_id, name="b", locale="ru"))
    finished: dict[int, float] = {}
    original = app.processor.process

    async def timed(update, claimed=False):
        await original(update, claimed=claimed)
        finished[update.update_id] = time.perf_counter()

    app.processor.process = timed
    feed = build_feed(state, users, count)
    try:
        return await drive(f"{app.base_url}{settings.telegram.webhook_path}", feed, concurrency, finished)
    finally:
        await app.stop()


async def bench_echo(state: SandboxState, telegram_url: str, count: int, concurrency: int) -> dict:
    """A bare aiogram echo bot on its own webhook, using the same sandbox for its replies."""
    users = [state.add_user(f"Echo {i}", language_code="ru").id for i in range(50)]
    finished: dict[int, float] = {}
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "…")

    @router.callback_query()
    async def press(query) -> None:
        await query.answer()

    dp = Dispatcher()
    dp.include_router(router)

    @dp.update.outer_middleware()
    async def stamp(handler, event, data):
        try:
            return await handler(event, data)
        finally:
            finished[event.update_id] = time.perf_counter()

    bot = Bot(state.token, session=__import__("aiogram.client.session.aiohttp", fromlist=["x"]).AiohttpSession(
        api=sandbox_api_server(telegram_url)))
    echo_app = web.Application()
    SimpleRequestHandler(dp, bot, handle_in_background=True).register(echo_app, "/hook")
    runner = web.AppRunner(echo_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    feed = build_feed(state, users, count)
    try:
        return await drive(f"http://127.0.0.1:{port}/hook", feed, concurrency, finished)
    finally:
        await runner.cleanup()
        await bot.session.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    db_url = os.environ.get("ESTAFETA__DATABASE__URL") or await fresh_database("estafeta_bench")
    environ = {
        "ESTAFETA__DATABASE__URL": db_url,
        "ESTAFETA__REDIS__URL": os.environ.get("ESTAFETA__REDIS__URL", "redis://127.0.0.1:6379/14"),
        "ESTAFETA__WEB__PORT": "0",
        "ESTAFETA__APP__DATA_DIR": "data/bench",
    }
    async with fake_telegram() as (state, telegram_url):
        ours = await bench_estafeta(environ, state, telegram_url, args.updates, args.concurrency)
    async with fake_telegram() as (state, telegram_url):
        echo = await bench_echo(state, telegram_url, args.updates, args.concurrency)
    print(f"{args.updates} updates, concurrency {args.concurrency}, {db_url.split('@')[-1]} + Redis")
    print(f"{'':10} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for name, result in (("estafeta", ours), ("echo", echo)):
        print(f"{name:10} {result['rate']:10.0f} {result['p50']:8.1f} {result['p99']:8.1f}")
    print(f"ratio estafeta/echo throughput: {ours['rate'] / echo['rate']:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
