"""How updates reach the bot: posted to its webhook one by one, or handed to a long-polling getUpdates."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from .params import Params, read_form
from .state import ApiError, SandboxState

# Runs a Bot API method the webhook answered with, as if the bot had called it.
ReplyRunner = Callable[[str, Params], Awaitable[Any]]


class WebhookPusher:
    """Posts pending updates to the webhook in order; an update leaves the queue only when the bot answers 2xx."""

    def __init__(self, state: SandboxState, run_reply: ReplyRunner) -> None:
        self.state = state
        self._run_reply = run_reply
        self._http: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def ensure_running(self) -> None:
        if self.state.webhook.url and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._push_loop())

    async def _push_loop(self) -> None:
        state = self.state
        backoff = 0.05
        while not state.closing and state.webhook.url:
            if not state.pending_updates:
                await state.updates_changed.wait(1.0)
                continue
            update = state.pending_updates[0]
            url = state.webhook.url
            if await self._post_update(url, update):
                state.mark_delivered(update["update_id"])
                backoff = 0.05
            else:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    async def _post_update(self, url: str, update: dict[str, Any]) -> bool:
        state = self.state
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession()
        headers = {}
        if state.webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = state.webhook.secret_token
        try:
            async with self._http.post(
                url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=60)
            ) as resp:
                if not 200 <= resp.status < 300:
                    state.webhook.last_error_date = int(time.time())
                    state.webhook.last_error_message = f"Wrong response from the webhook: {resp.status} {resp.reason}"
                    return False
                reply = await self._read_webhook_reply(resp)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            state.webhook.last_error_date = int(time.time())
            state.webhook.last_error_message = f"Connection error: {type(exc).__name__}: {exc}"
            return False
        if reply is not None:
            method = reply.str("method") or ""
            with contextlib.suppress(Exception):
                await self._run_reply(method, reply)
        return True

    @staticmethod
    async def _read_webhook_reply(resp: aiohttp.ClientResponse) -> Params | None:
        """A webhook may answer with a method call (JSON or multipart with a ``method`` field)."""
        ctype = resp.content_type
        if ctype.startswith("multipart/"):
            form = await read_form(aiohttp.MultipartReader.from_response(resp))
            return form if form.values.get("method") else None
        if ctype == "application/json":
            try:
                body = await resp.json()
            except ValueError:
                return None
            if isinstance(body, dict) and body.get("method"):
                return Params(body)
        return None

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._http is not None:
            await self._http.close()


async def long_poll(state: SandboxState, offset: int | None, limit: int, seconds: int) -> list[dict[str, Any]]:
    """getUpdates' wait: the updates after ``offset`` as soon as there are any, or [] after ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    # Like Telegram, a newer getUpdates call terminates a waiting one (two pollers on one token = a bug).
    state.poll_generation += 1
    generation = state.poll_generation
    state.updates_changed.notify()
    while True:
        if state.poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            )
        updates = state.take_updates(offset, limit)
        remaining = deadline - loop.time()
        if updates or state.closing or remaining <= 0 or state.webhook.url:
            return updates
        await state.updates_changed.wait(remaining)
