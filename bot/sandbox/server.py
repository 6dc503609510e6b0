"""The sandbox web app: a Telegram Bot API look-alike, a persona API and the browser chat page.

Mount it as a sub-app::

    state = SandboxState()
    app.add_subapp("/sandbox", create_sandbox_app(state, is_update_done=...))
    bot = Bot(state.token, session=AiohttpSession(api=sandbox_api_server("http://127.0.0.1:8080")))

Routes inside the sub-app (prefix ``/sandbox`` in production):

* ``/botapi/bot{token}/{method}`` and ``/botapi/file/bot{token}/{file_path}`` — the Bot API subset
  (methods in ``botapi``, their parameters read by ``params``, updates delivered by ``pusher``);
* ``/api/...`` — the persona API (JSON) used by tests, judges and the browser chat (``persona_api``);
* ``/`` — the browser chat page (``/static/chat.js``, ``/static/chat.css`` beside it; ``chat_page``).

Who may call what: the Bot API needs the bot token in the URL (``state.token``; keep it secret). The persona API is
open in a bare sub-app (a test harness); given ``access_token`` it needs ``Authorization: Bearer <access_token>``,
and given ``session_refusal`` a signed-in session the hook accepts will do as well.
"""

from __future__ import annotations

import logging

from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from .chat_page import page, static_file
from .params import read_params
from .persona_api import (
    api_add_fault,
    api_block,
    api_chat,
    api_clear_faults,
    api_create_user,
    api_deliveries,
    api_file,
    api_get_user,
    api_list_faults,
    api_list_users,
    api_not_found,
    api_press,
    api_reset,
    api_roles,
    api_send,
    api_settings,
    api_unblock,
)
from .runtime import (
    PAGE_ROUTE,
    RUNTIME_KEY,
    IsUpdateDone,
    PageGuard,
    SandboxRuntime,
    SessionRefusal,
    runtime_of,
    same_secret,
)
from .state import ApiError, SandboxState, bad_request

log = logging.getLogger("estafeta.sandbox")


def sandbox_api_server(base_url: str, *, prefix: str = "/sandbox") -> TelegramAPIServer:
    """The aiogram server object for a sandbox mounted at ``{base_url}{prefix}``.

    ``base_url`` is the web app's root, e.g. ``http://127.0.0.1:8080``. Use it as
    ``Bot(token, session=AiohttpSession(api=sandbox_api_server(base_url)))``.
    aiogram then calls ``{base_url}/sandbox/botapi/bot{token}/{method}`` and downloads files from
    ``{base_url}/sandbox/botapi/file/bot{token}/{path}``.
    """
    return TelegramAPIServer.from_base(f"{base_url.rstrip('/')}{prefix.rstrip('/')}/botapi")


def _api_error(exc: ApiError) -> web.Response:
    return web.json_response(exc.payload(), status=exc.code)


async def handle_bot_api(request: web.Request) -> web.StreamResponse:
    rt = runtime_of(request)
    method = request.match_info["method"]
    try:
        if not same_secret(request.match_info["token"], rt.state.token):
            raise ApiError(401, "Unauthorized")
        if not rt.bot_api.has_method(method):
            raise ApiError(404, "Not Found")
        params = await read_params(request)
        result = await rt.bot_api.call(method, params)
    except ApiError as exc:
        return _api_error(exc)
    except Exception as exc:
        log.exception("sandbox: %s failed", method)
        return _api_error(bad_request(f"{type(exc).__name__}: {exc}"))
    return web.json_response({"ok": True, "result": result})


async def handle_bot_file(request: web.Request) -> web.StreamResponse:
    rt = runtime_of(request)
    if not same_secret(request.match_info["token"], rt.state.token):
        return _api_error(ApiError(401, "Unauthorized"))
    stored = rt.state.file_by_path(request.match_info["file_path"])
    if stored is None or stored.data is None:
        return _api_error(ApiError(404, "Not Found"))
    return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")


def create_sandbox_app(
    state: SandboxState,
    *,
    is_update_done: IsUpdateDone | None = None,
    chat_page_guard: PageGuard | None = None,
    access_token: str | None = None,
    session_refusal: SessionRefusal | None = None,
) -> web.Application:
    """Build the sandbox sub-app; mount it with ``app.add_subapp("/sandbox", create_sandbox_app(state))``.

    ``is_update_done(update_id)`` tells whether the bot has finished handling an update; the persona API waits
    for it before answering ``send``/``press``. It may also be set later as ``state.is_update_done``.
    ``chat_page_guard(request)`` may return a response (e.g. a redirect to login) served instead of the page.
    With ``access_token`` and/or ``session_refusal`` the persona API answers only callers with
    ``Authorization: Bearer <access_token>`` or a session ``session_refusal`` accepts (it returns None for those);
    everyone else gets 401/403 with ``{"ok": false, "description": ...}``. Without both it is open.
    """
    app = web.Application()
    runtime = SandboxRuntime(state, is_update_done, chat_page_guard, access_token, session_refusal)
    app[RUNTIME_KEY] = runtime

    async def on_startup(_: web.Application) -> None:
        state.reopen()
        runtime.bot_api.pusher.ensure_running()

    async def on_shutdown(_: web.Application) -> None:
        state.close()

    async def on_cleanup(_: web.Application) -> None:
        await runtime.close()

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)

    router = app.router
    router.add_route("*", "/botapi/bot{token}/{method}", handle_bot_api)
    router.add_get("/botapi/file/bot{token}/{file_path:.+}", handle_bot_file)

    router.add_post("/api/users", api_create_user)
    router.add_get("/api/users", api_list_users)
    router.add_get("/api/users/{user_id}", api_get_user)
    router.add_post("/api/users/{user_id}/send", api_send)
    router.add_post("/api/users/{user_id}/press", api_press)
    router.add_get("/api/users/{user_id}/chat", api_chat)
    router.add_post("/api/users/{user_id}/block", api_block)
    router.add_post("/api/users/{user_id}/unblock", api_unblock)
    router.add_get("/api/files/{file_id}", api_file, name="sandbox_file")
    router.add_get("/api/roles", api_roles)
    router.add_post("/api/faults", api_add_fault)
    router.add_get("/api/faults", api_list_faults)
    router.add_delete("/api/faults", api_clear_faults)
    router.add_get("/api/settings", api_settings)
    router.add_post("/api/settings", api_settings)
    router.add_get("/api/deliveries", api_deliveries)
    router.add_post("/api/reset", api_reset)
    router.add_route("*", "/api/{tail:.*}", api_not_found)

    router.add_get("/", page, name=PAGE_ROUTE)
    router.add_get("/static/{name}", static_file)
    return app


__all__ = ["create_sandbox_app", "sandbox_api_server"]
