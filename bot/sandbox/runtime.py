"""What one mounted sandbox app holds (state, Bot API, the application's hooks) and how its handlers reach it."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from .botapi import BotApi
from .state import SandboxState

IsUpdateDone = Callable[[int], Awaitable[bool]]
PageGuard = Callable[[web.Request], Awaitable[web.StreamResponse | None]]
# None when the request's signed-in session may use the persona API, else the status to refuse it with (401/403).
SessionRefusal = Callable[[web.Request], Awaitable[int | None]]

# The page sits at the sandbox's root, so its URL is the prefix the sub-app is mounted under.
PAGE_ROUTE = "sandbox_page"


class SandboxRuntime:
    def __init__(
        self,
        state: SandboxState,
        is_update_done: IsUpdateDone | None,
        chat_page_guard: PageGuard | None,
        access_token: str | None = None,
        session_refusal: SessionRefusal | None = None,
    ) -> None:
        self.state = state
        self.bot_api = BotApi(state)
        self._is_update_done = is_update_done
        self.chat_page_guard = chat_page_guard
        self.access_token = access_token
        self.session_refusal = session_refusal

    @property
    def is_update_done(self) -> IsUpdateDone | None:
        return self._is_update_done or self.state.is_update_done

    async def close(self) -> None:
        self.state.close()
        await self.bot_api.pusher.close()


RUNTIME_KEY = web.AppKey("sandbox_runtime", SandboxRuntime)


def runtime_of(request: web.Request) -> SandboxRuntime:
    return request.app[RUNTIME_KEY]


def sandbox_base_url(request: web.Request) -> str:
    return str(request.app.router[PAGE_ROUTE].url_for())


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
