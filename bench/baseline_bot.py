"""The baseline for bench/updates.py: a plain aiogram 3 bot doing the least a CRM bot must do, in its own process.

Webhook through aiogram's SimpleRequestHandler (secret token checked, handled in the background); on each text it
reads the client row of the sender, inserts a log row and answers with sendMessage; a button press does the same
and answers the callback query. Tortoise on PostgreSQL, its own two tables (made with generate_schemas).

    python bench/baseline_bot.py --port 8091 --db postgres://... --api-base http://127.0.0.1:PORT \\
        --token 1:x --secret s

GET /healthz answers 200 once the database is open and the webhook is listening.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from tortoise import Tortoise, fields
from tortoise.models import Model


class BaselineClient(Model):
    id = fields.IntField(primary_key=True)
    telegram_id = fields.BigIntField(unique=True)
    name = fields.CharField(max_length=200)

    class Meta:
        table = "baseline_client"


class BaselineLog(Model):
    id = fields.BigIntField(primary_key=True)
    client = fields.ForeignKeyField("models.BaselineClient", related_name="logs")
    text = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "baseline_log"


async def client_of(user) -> BaselineClient:
    client = await BaselineClient.get_or_none(telegram_id=user.id)
    if client is None:  # the first message of a person; every later one only reads
        client, _ = await BaselineClient.get_or_create(telegram_id=user.id, defaults={"name": user.full_name})
    return client


def build_router() -> Router:
    router = Router()

    @router.message()
    async def on_message(message: Message) -> None:
        client = await client_of(message.from_user)
        await BaselineLog.create(client=client, text=message.text or "")
        await message.answer(f"{client.name}, записал: {(message.text or '')[:50]}")

    @router.callback_query()
    async def on_press(query: CallbackQuery) -> None:
        client = await client_of(query.from_user)
        await BaselineLog.create(client=client, text=query.data or "")
        await query.answer("OK")

    return router


async def serve(args) -> None:
    await Tortoise.init(db_url=args.db, modules={"models": [__name__]})
    await Tortoise.generate_schemas(safe=True)
    session = AiohttpSession(api=TelegramAPIServer.from_base(args.api_base))
    bot = Bot(args.token, session=session)
    dp = Dispatcher()
    dp.include_router(build_router())
    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token=args.secret, handle_in_background=True).register(app, args.path)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await bot.session.close()
        await Tortoise.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--path", default="/telegram/webhook")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
