"""The composition root: builds the web app and starts the bot, the worker and the sandbox in one process
or in separate ones (`estafeta run | web | bot | worker`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiohttp import web

from bot import sandbox_store
from bot.dispatcher import create_bot, create_dispatcher, sandbox_bot_token
from bot.runtime import UpdateProcessor
from bot.webhook import make_webhook_handler
from core import inbox, liveness, modules, outbox
from core.config import Settings, sandbox_token
from core.db import close_db, open_db
from jobs.outbox_sender import OutboxSender

log = logging.getLogger("estafeta")

ALL_PARTS = frozenset({"web", "bot", "worker"})


async def _to_sandbox_page(request: web.Request) -> web.Response:
    raise web.HTTPFound("/sandbox/")


@dataclass
class Estafeta:
    settings: Settings
    parts: frozenset[str] = ALL_PARTS
    app: web.Application = field(init=False)
    bot: Bot | None = None
    dispatcher: Dispatcher | None = None
    processor: UpdateProcessor | None = None
    sender: OutboxSender | None = None
    sandbox: object | None = None
    # The persona API's bearer token (sandbox mode only): `SandboxClient(app.base_url, token=app.sandbox_token)`.
    sandbox_token: str = ""
    base_url: str = ""
    _runner: web.AppRunner | None = None
    _tasks: list[asyncio.Task] = field(default_factory=list)
    _stoppers: list = field(default_factory=list)

    def __post_init__(self) -> None:
        # The composition root switches the modules on once; the bot, the panel and the worker read them.
        modules.activate(self.settings)
        self.app = self._build_web_app()

    # --- web -----------------------------------------------------------------------------------

    def _build_web_app(self) -> web.Application:
        from webadmin.app import setup_webadmin

        app = web.Application(client_max_size=20 * 1024 * 1024)
        setup_webadmin(app, self.settings)
        telegram = self.settings.telegram
        # Only for real Telegram: in sandbox mode the bot polls, and a webhook there would let anyone who reaches
        # the port inject updates as any user.
        if telegram.mode == "webhook":
            app.router.add_post(
                telegram.webhook_path, make_webhook_handler(telegram.webhook_secret, lambda: self.processor)
            )
        if self.settings.sandbox:
            self._mount_sandbox(app)
        return app

    def _mount_sandbox(self, app: web.Application) -> None:
        from bot.sandbox.server import create_sandbox_app
        from bot.sandbox.state import SandboxState
        from webadmin.app import admin_refusal, require_admin_page

        self.sandbox = SandboxState(token=sandbox_bot_token(self.settings))
        self.sandbox_token = sandbox_token(self.settings)
        sandbox_store.load(self.sandbox, self._sandbox_file)
        app.router.add_get("/sandbox", _to_sandbox_page)
        app.add_subapp(
            "/sandbox",
            create_sandbox_app(
                self.sandbox, is_update_done=inbox.is_settled, chat_page_guard=require_admin_page,
                access_token=self.sandbox_token, session_refusal=admin_refusal,
            ),
        )

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> str:
        self.settings.check_runtime()
        await open_db(self.settings)
        await liveness.start(self.settings.database.url)
        web_settings = self.settings.web
        serve_http = "web" in self.parts or self.settings.sandbox
        if serve_http:
            self._runner = web.AppRunner(self.app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, web_settings.host, web_settings.port)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]
            host = "127.0.0.1" if web_settings.host in ("0.0.0.0", "::", "") else web_settings.host
            self.base_url = f"http://{host}:{port}"
            if not self.settings.app.base_url:
                # Links the bot sends must point at the port actually bound (0 in config means "any").
                self.settings.app.base_url = self.base_url
        if "bot" in self.parts or "web" in self.parts:
            await self._start_bot()
        if "worker" in self.parts:
            await self._start_worker()
        return self.base_url

    async def _start_bot(self) -> None:
        from jobs.broker import get_broker, setup_broker
        from jobs.worker import make_sender

        try:  # the bot's conversations send background jobs (an import's run) even where no worker runs
            get_broker()
        except RuntimeError:
            setup_broker(self.settings)

        self.bot = create_bot(self.settings, sandbox_url=self.base_url)
        self.dispatcher = create_dispatcher(self.settings)
        self.sender, redis_client = make_sender(self.settings, self.bot)
        if redis_client is not None:
            self._stoppers.append(redis_client.aclose)
            # What this process commits to the outbox wakes the sender wherever it runs (estafeta worker).
            announce = self.sender.announce
            outbox.add_listener(announce)

            async def stop_announcing() -> None:
                outbox.remove_listener(announce)

            self._stoppers.append(stop_announcing)
        self.processor = UpdateProcessor(self.bot, self.dispatcher, deliver=self.sender.deliver_now)
        if self.sandbox is not None:
            await self._seed_sandbox()
        # Whatever a dead process left (a previous run of this one, killed) is taken at once.
        self._spawn(self.processor.recover_forever())
        if "bot" not in self.parts:
            return  # a web-only replica stores and processes webhook updates; the bot part polls
        mode = self.settings.telegram.mode
        if mode == "webhook":
            await self.bot.set_webhook(
                f"{self.settings.public_url}{self.settings.telegram.webhook_path}",
                secret_token=self.settings.telegram.webhook_secret,
                drop_pending_updates=False,
            )
        else:
            await self.bot.delete_webhook(drop_pending_updates=False)
            self._spawn(self.processor.poll_forever(poll_seconds=10 if self.settings.sandbox else 25))

    async def _seed_sandbox(self) -> None:
        from bot.sandbox_personas import connect_sandbox

        await connect_sandbox(self.sandbox, self.settings)
        self._tasks.append(sandbox_store.persist(self.sandbox, self._sandbox_file))

    @property
    def _sandbox_file(self):
        return self.settings.app.data_dir / "sandbox.pickle"

    async def _start_worker(self) -> None:
        from jobs.worker import start_jobs

        if self.bot is None:
            self.bot = create_bot(self.settings, sandbox_url=self.base_url)
        jobs = await start_jobs(self.settings, self.bot, outbox_sender=self.sender)
        self._stoppers.append(jobs.stop)

    def _spawn(self, coro) -> None:
        self._tasks.append(asyncio.create_task(coro))

    async def stop(self) -> None:
        for stop in reversed(self._stoppers):
            with contextlib.suppress(Exception):
                await stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.processor:
            await self.processor.close()
        if self.dispatcher:
            await self.dispatcher.storage.close()
        if self.bot:
            await self.bot.session.close()
        if self.sandbox is not None:
            sandbox_store.save(self.sandbox, self._sandbox_file)
        if self._runner:
            await self._runner.cleanup()
        await liveness.stop()
        await close_db()
