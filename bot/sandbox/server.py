"""The sandbox web app: a Telegram Bot API look-alike, a persona API and the browser chat page.

Mount it as a sub-app::

    state = SandboxState()
    app.add_subapp("/sandbox", create_sandbox_app(state, is_update_done=...))
    bot = Bot(state.token, session=AiohttpSession(api=sandbox_api_server("http://127.0.0.1:8080")))

Routes inside the sub-app (prefix ``/sandbox`` in production):

* ``/botapi/bot{token}/{method}`` and ``/botapi/file/bot{token}/{file_path}`` — the Bot API subset;
* ``/api/...`` — the persona API (JSON) used by tests, judges and the browser chat;
* ``/`` — the browser chat page (``/static/chat.js``, ``/static/chat.css`` beside it).

Who may call what: the Bot API needs the bot token in the URL (``state.token``; keep it secret). The persona API is
open in a bare sub-app (a test harness); given ``access_token`` it needs ``Authorization: Bearer <access_token>``,
and given ``session_refusal`` a signed-in session the hook accepts will do as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import inspect
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from .state import (
    SEND_METHODS,
    ApiError,
    Chat,
    ChatMessage,
    Fault,
    SandboxState,
    StoredFile,
    bad_request,
    parse_text,
)

log = logging.getLogger("estafeta.sandbox")

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_BODY = 60 * 1024 * 1024
DEFAULT_WAIT_TIMEOUT = 10.0
QUIET_PERIOD = 0.05
DEFAULT_LOCATION = (50.4501, 30.5234)

IsUpdateDone = Callable[[int], Awaitable[bool]]
PageGuard = Callable[[web.Request], Awaitable[web.StreamResponse | None]]
# None when the request's signed-in session may use the persona API, else the status to refuse it with (401/403).
SessionRefusal = Callable[[web.Request], Awaitable[int | None]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Sent by the browser chat on every state-changing call it makes with the session cookie. Why a header: a page on
# another origin can send a cookie-carrying POST only as a "simple" request (a form: text/plain, urlencoded or
# multipart, no custom headers); adding this header needs a CORS preflight, which the sandbox never grants. The
# session cookie is SameSite=Lax, which does not stop another port of the same host (same site, other origin).
BROWSER_HEADER = "X-Requested-With"


def sandbox_api_server(base_url: str, *, prefix: str = "/sandbox") -> TelegramAPIServer:
    """The aiogram server object for a sandbox mounted at ``{base_url}{prefix}``.

    ``base_url`` is the web app's root, e.g. ``http://127.0.0.1:8080``. Use it as
    ``Bot(token, session=AiohttpSession(api=sandbox_api_server(base_url)))``.
    aiogram then calls ``{base_url}/sandbox/botapi/bot{token}/{method}`` and downloads files from
    ``{base_url}/sandbox/botapi/file/bot{token}/{path}``.
    """
    return TelegramAPIServer.from_base(f"{base_url.rstrip('/')}{prefix.rstrip('/')}/botapi")


# --------------------------------------------------------------------------------------------------------------
# Bot API parameters
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Upload:
    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Bot API parameters from a query string, JSON body, urlencoded form or multipart form.

    Form values are strings (aiogram JSON-encodes nested objects, numbers and booleans); JSON bodies carry
    native values. The typed accessors accept both.
    """

    def __init__(self, values: dict[str, Any] | None = None, files: dict[str, Upload] | None = None) -> None:
        self.values = values or {}
        self.files = files or {}

    def raw(self, name: str) -> Any:
        value = self.values.get(name)
        if value is None and name in self.files:
            return self.files[name]
        return value

    def str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def int(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def float(self, name: str, *, required: bool = False) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Number')
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Number') from None

    def bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        return str(value).strip().lower() in ("true", "1", "yes", "on")

    def json(self, name: str, what: str | None = None) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {what or name} JSON object") from None
        return value


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.body_exists:
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            total = 0
            async for part in reader:
                if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
                    continue
                data = await part.read(decode=True)
                total += len(data)
                if total > MAX_BODY:
                    raise ApiError(413, "Request Entity Too Large")
                if part.filename is not None:
                    files[part.name] = Upload(part.filename, part.headers.get("Content-Type"), bytes(data))
                else:
                    values[part.name] = bytes(data).decode(part.get_charset("utf-8"), errors="replace")
        else:
            raw = await request.content.read(MAX_BODY + 1)
            if len(raw) > MAX_BODY:
                raise ApiError(413, "Request Entity Too Large")
            if ctype == "application/json" or (raw[:1] == b"{" and ctype in ("", "application/octet-stream")):
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    raise bad_request("can't parse JSON body") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON body must be an object")
                values.update(body)
            else:
                values.update(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    return Params(values, files)


# --------------------------------------------------------------------------------------------------------------
# Runtime (state + hooks + webhook pusher)
# --------------------------------------------------------------------------------------------------------------


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
        self._is_update_done = is_update_done
        self.chat_page_guard = chat_page_guard
        self.access_token = access_token
        self.session_refusal = session_refusal
        self.http: aiohttp.ClientSession | None = None
        self.webhook_task: asyncio.Task[None] | None = None

    @property
    def is_update_done(self) -> IsUpdateDone | None:
        return self._is_update_done or self.state.is_update_done

    # ---- webhook delivery ---------------------------------------------------------------------------------

    def ensure_webhook_task(self) -> None:
        if self.state.webhook.url and (self.webhook_task is None or self.webhook_task.done()):
            self.webhook_task = asyncio.get_running_loop().create_task(self._push_loop())

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
        if self.http is None or self.http.closed:
            self.http = aiohttp.ClientSession()
        headers = {}
        if state.webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = state.webhook.secret_token
        try:
            async with self.http.post(
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
                await execute_method(self, method, reply)
        return True

    @staticmethod
    async def _read_webhook_reply(resp: aiohttp.ClientResponse) -> Params | None:
        """A webhook may answer with a method call (JSON or multipart with a ``method`` field)."""
        ctype = resp.content_type
        if ctype.startswith("multipart/"):
            reader = aiohttp.MultipartReader.from_response(resp)
            values: dict[str, Any] = {}
            files: dict[str, Upload] = {}
            async for part in reader:
                if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
                    continue
                data = await part.read(decode=True)
                if part.filename is not None:
                    files[part.name] = Upload(part.filename, part.headers.get("Content-Type"), bytes(data))
                else:
                    values[part.name] = bytes(data).decode("utf-8", errors="replace")
            return Params(values, files) if values.get("method") else None
        if ctype == "application/json":
            try:
                body = await resp.json()
            except ValueError:
                return None
            if isinstance(body, dict) and body.get("method"):
                return Params(body)
        return None

    async def close(self) -> None:
        self.state.close()
        if self.webhook_task is not None:
            self.webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.webhook_task
        if self.http is not None:
            await self.http.close()


RUNTIME_KEY = web.AppKey("sandbox_runtime", SandboxRuntime)


def _runtime(request: web.Request) -> SandboxRuntime:
    return request.app[RUNTIME_KEY]


# --------------------------------------------------------------------------------------------------------------
# Bot API methods
# --------------------------------------------------------------------------------------------------------------

BotMethod = Callable[[SandboxRuntime, Params], Awaitable[Any]]
BOT_METHODS: dict[str, BotMethod] = {}


def bot_method(*names: str) -> Callable[[BotMethod], BotMethod]:
    def register(func: BotMethod) -> BotMethod:
        for name in names:
            BOT_METHODS[name.lower()] = func
        return func

    return register


def _chat_id_of(params: Params) -> int | None:
    try:
        return params.int("chat_id")
    except ApiError:
        return None


async def execute_method(rt: SandboxRuntime, method: str, params: Params) -> Any:
    """Run one Bot API method; raises ApiError. Faults, flood control and recording happen here."""
    state = rt.state
    handler = BOT_METHODS.get(method.lower())
    if handler is None:
        raise ApiError(404, "Not Found")
    chat_id = _chat_id_of(params)
    status = 200
    try:
        fault = state.take_fault(method, chat_id)
        if fault is not None:
            raise fault
        if method.lower() in SEND_METHODS:
            flood = state.check_flood(chat_id)
            if flood is not None:
                raise flood
        result = await handler(rt, params)
        if method.lower() in SEND_METHODS:
            state.record_delivery(method, chat_id)
        return result
    except ApiError as exc:
        status = exc.code
        raise
    finally:
        state.record_call(method, chat_id, status)


def _resolve_chat(rt: SandboxRuntime, params: Params, *, check_blocked: bool = True) -> Chat:
    raw = params.values.get("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    try:
        chat_id = params.int("chat_id")
    except ApiError:
        raise bad_request("chat not found") from None
    chat = rt.state.chat(chat_id) if chat_id is not None else None
    if chat is None:
        raise bad_request("chat not found")
    if check_blocked and rt.state.users[chat.user_id].blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat


def _resolve_message(rt: SandboxRuntime, params: Params, not_found: str) -> tuple[Chat, ChatMessage]:
    if params.values.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = _resolve_chat(rt, params)
    message_id = params.int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request(not_found)
    return chat, message


_URL_SCHEMES = re.compile(r"^(https?|tg)://\S+$", re.I)
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _parse_inline_keyboard(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    result = []
    for row in rows:
        out_row = []
        for button in row:
            if not isinstance(button, dict):
                raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            text = button.get("text")
            if not isinstance(text, str):
                raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
            actions = [key for key in _INLINE_ACTIONS if button.get(key) is not None]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in actions:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in actions:
                if not isinstance(button["url"], str) or not _URL_SCHEMES.match(button["url"]):
                    raise bad_request("BUTTON_URL_INVALID")
            if not text.strip():
                raise bad_request("BUTTON_TEXT_INVALID" if "callback_data" not in actions else "BUTTON_TYPE_INVALID")
            out_row.append({"text": text, **{key: button[key] for key in actions}})
        if out_row:
            result.append(out_row)
    return result


def _parse_reply_keyboard(markup: dict[str, Any]) -> dict[str, Any]:
    rows = markup.get("keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
    keyboard = []
    for row in rows:
        out_row = []
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
            if not button["text"].strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            out_row.append({k: v for k, v in button.items() if v not in (None, False)})
        if out_row:
            keyboard.append(out_row)
    if not keyboard:
        raise bad_request("keyboard must be non-empty")
    result: dict[str, Any] = {"keyboard": keyboard}
    for key in ("is_persistent", "resize_keyboard", "one_time_keyboard", "selective"):
        if markup.get(key) in (True, "true"):
            result[key] = True
    if isinstance(markup.get("input_field_placeholder"), str):
        result["input_field_placeholder"] = markup["input_field_placeholder"]
    return result


def _parse_markup(params: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
    markup = params.json("reply_markup", "reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = _parse_inline_keyboard(markup["inline_keyboard"])
        return {"inline_keyboard": rows} if rows else None
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        return _parse_reply_keyboard(markup)
    if markup.get("remove_keyboard") in (True, "true"):
        return {"remove_keyboard": True}
    if markup.get("force_reply") in (True, "true"):
        result: dict[str, Any] = {"force_reply": True}
        if isinstance(markup.get("input_field_placeholder"), str):
            result["input_field_placeholder"] = markup["input_field_placeholder"]
        return result
    raise bad_request("can't parse reply keyboard markup JSON object")


def _parse_formatted(
    params: Params, text_key: str, entities_key: str, *, allow_empty: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    source = params.str(text_key)
    if source is None or source == "":
        if allow_empty:
            return "", []
        raise bad_request("message text is empty")
    parse_mode = params.str("parse_mode")
    if parse_mode:
        return parse_text(source, parse_mode)
    entities = params.json(entities_key) or []
    if not isinstance(entities, list):
        raise bad_request(f"can't parse {entities_key} JSON object")
    return source, entities


def _text_content(params: Params) -> dict[str, Any]:
    text, entities = _parse_formatted(params, "text", "entities")
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > 4096:
        raise bad_request("message is too long")
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    return content


def _caption_content(params: Params, caption_key: str = "caption") -> dict[str, Any]:
    caption, entities = _parse_formatted(params, caption_key, "caption_entities", allow_empty=True)
    if len(caption) > 1024:
        raise bad_request("message caption is too long")
    content: dict[str, Any] = {}
    if caption:
        content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
    return content


def _reply_target(chat: Chat, params: Params) -> dict[str, Any]:
    reply_to = params.int("reply_to_message_id") if params.values.get("reply_to_message_id") else None
    allow_without = params.bool("allow_sending_without_reply")
    reply_parameters = params.json("reply_parameters")
    if isinstance(reply_parameters, dict) and reply_parameters.get("message_id") is not None:
        try:
            reply_to = int(reply_parameters["message_id"])
        except (TypeError, ValueError):
            raise bad_request("message to be replied not found") from None
        allow_without = allow_without or bool(reply_parameters.get("allow_sending_without_reply"))
    if reply_to is None:
        return {}
    target = chat.messages.get(reply_to)
    if target is None or target.deleted:
        if allow_without:
            return {}
        raise bad_request("message to be replied not found")
    return {"reply_to_message": dict(target.tg)}


def _resolve_input_file(rt: SandboxRuntime, params: Params, value: Any, kind: str) -> StoredFile:
    state = rt.state
    if isinstance(value, Upload):
        return state.add_file(kind, data=value.data, file_name=value.filename, mime_type=value.content_type)
    if not isinstance(value, str) or not value:
        raise bad_request("there is no file in the request")
    if value.startswith("attach://"):
        upload = params.files.get(value.removeprefix("attach://"))
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return state.add_file(kind, data=upload.data, file_name=upload.filename, mime_type=upload.content_type)
    if re.match(r"^https?://", value, re.I):
        name = value.rsplit("/", 1)[-1].split("?", 1)[0] or None
        return state.add_file(kind, url=value, file_name=name)
    stored = state.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


def _media_content(stored: StoredFile, kind: str) -> dict[str, Any]:
    if kind == "photo":
        return {"photo": stored.photo_sizes()}
    doc = stored.tg_document()
    return {kind: doc}


def _bot_message(rt: SandboxRuntime, chat: Chat, content: dict[str, Any], markup: dict | None) -> dict:
    message = rt.state.add_message(chat, "bot", content, markup)
    return message.tg


@bot_method("getMe")
async def m_get_me(rt: SandboxRuntime, params: Params) -> Any:
    return rt.state.get_me()


@bot_method("logOut", "close")
async def m_true(rt: SandboxRuntime, params: Params) -> Any:
    return True


@bot_method(
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
    "setMyDefaultAdministratorRights",
)
async def m_accepted(rt: SandboxRuntime, params: Params) -> Any:
    return True


@bot_method("getMyDescription")
async def m_get_description(rt: SandboxRuntime, params: Params) -> Any:
    return {"description": ""}


@bot_method("getMyShortDescription")
async def m_get_short_description(rt: SandboxRuntime, params: Params) -> Any:
    return {"short_description": ""}


@bot_method("getMyName")
async def m_get_name(rt: SandboxRuntime, params: Params) -> Any:
    return {"name": rt.state.bot_first_name}


@bot_method("getChatMenuButton")
async def m_get_menu_button(rt: SandboxRuntime, params: Params) -> Any:
    return {"type": "commands"}


@bot_method("getUpdates")
async def m_get_updates(rt: SandboxRuntime, params: Params) -> Any:
    state = rt.state
    if state.webhook.url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = params.int("offset")
    limit = params.int("limit") or 100
    limit = max(1, min(100, limit))
    timeout = max(0, min(params.int("timeout") or 0, 60))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
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


@bot_method("setWebhook")
async def m_set_webhook(rt: SandboxRuntime, params: Params) -> Any:
    state = rt.state
    url = (params.str("url") or "").strip()
    if url and not re.match(r"^https?://", url, re.I):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.str("secret_token")
    if secret is not None and secret != "" and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    if params.bool("drop_pending_updates"):
        state.drop_pending_updates()
    state.webhook.url = url
    state.webhook.secret_token = secret or None
    state.webhook.max_connections = params.int("max_connections") or 40
    allowed = params.json("allowed_updates")
    state.webhook.allowed_updates = allowed if isinstance(allowed, list) else None
    state.webhook.ip_address = params.str("ip_address")
    state.webhook.last_error_date = None
    state.webhook.last_error_message = None
    state.updates_changed.notify()
    if url:
        rt.ensure_webhook_task()
    return True


@bot_method("deleteWebhook")
async def m_delete_webhook(rt: SandboxRuntime, params: Params) -> Any:
    state = rt.state
    if params.bool("drop_pending_updates"):
        state.drop_pending_updates()
    state.webhook.url = ""
    state.webhook.secret_token = None
    state.updates_changed.notify()
    return True


@bot_method("getWebhookInfo")
async def m_get_webhook_info(rt: SandboxRuntime, params: Params) -> Any:
    hook = rt.state.webhook
    info: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(rt.state.pending_updates),
    }
    if hook.url:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.ip_address:
            info["ip_address"] = hook.ip_address
    if hook.last_error_date:
        info["last_error_date"] = hook.last_error_date
        info["last_error_message"] = hook.last_error_message
    return info


@bot_method("sendMessage")
async def m_send_message(rt: SandboxRuntime, params: Params) -> Any:
    chat = _resolve_chat(rt, params)
    content = _text_content(params)
    markup = _parse_markup(params)
    content.update(_reply_target(chat, params))
    return _bot_message(rt, chat, content, markup)


def _media_sender(kind: str) -> BotMethod:
    async def send(rt: SandboxRuntime, params: Params) -> Any:
        chat = _resolve_chat(rt, params)
        value = params.raw(kind)
        if value is None:
            raise bad_request(f"there is no {kind} in the request")
        content = _caption_content(params)
        markup = _parse_markup(params)
        stored = _resolve_input_file(rt, params, value, kind)
        content = {**_media_content(stored, kind), **content, **_reply_target(chat, params)}
        return _bot_message(rt, chat, content, markup)

    return send


bot_method("sendPhoto")(_media_sender("photo"))
bot_method("sendVideo")(_media_sender("video"))
bot_method("sendDocument")(_media_sender("document"))
bot_method("sendAudio")(_media_sender("audio"))


@bot_method("sendLocation")
async def m_send_location(rt: SandboxRuntime, params: Params) -> Any:
    chat = _resolve_chat(rt, params)
    latitude = params.float("latitude", required=True)
    longitude = params.float("longitude", required=True)
    assert latitude is not None and longitude is not None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong latitude or longitude")
    markup = _parse_markup(params)
    content = {"location": {"latitude": latitude, "longitude": longitude}, **_reply_target(chat, params)}
    return _bot_message(rt, chat, content, markup)


@bot_method("sendMediaGroup")
async def m_send_media_group(rt: SandboxRuntime, params: Params) -> Any:
    chat = _resolve_chat(rt, params)
    media = params.json("media")
    if not media:
        raise bad_request("media is empty")
    if not isinstance(media, list):
        raise bad_request("can't parse media JSON object")
    if not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media in the media group (2-10 expected)")
    prepared = []
    for item in media:
        if not isinstance(item, dict) or item.get("type") not in ("photo", "video", "document", "audio"):
            raise bad_request("can't parse InputMedia: unsupported media type")
        kind = item["type"]
        stored = _resolve_input_file(rt, params, item.get("media"), kind)
        item_params = Params(
            {
                "caption": item.get("caption"),
                "parse_mode": item.get("parse_mode"),
                "caption_entities": item.get("caption_entities"),
            }
        )
        prepared.append((kind, stored, _caption_content(item_params)))
    group_id = str(secrets.randbits(60))
    reply = _reply_target(chat, params)
    results = []
    for kind, stored, caption in prepared:
        content = {**_media_content(stored, kind), **caption, "media_group_id": group_id, **reply}
        results.append(_bot_message(rt, chat, content, None))
    return results


def _editable_message(rt: SandboxRuntime, params: Params) -> tuple[Any, Any]:
    chat, message = _resolve_message(rt, params, "message to edit not found")
    if message.sender != "bot":
        raise bad_request("message can't be edited")
    return chat, message


@bot_method("editMessageText")
async def m_edit_message_text(rt: SandboxRuntime, params: Params) -> Any:
    chat, message = _editable_message(rt, params)
    if "text" not in message.tg:
        raise bad_request("there is no text in the message to edit")
    content = _text_content(params)
    markup = _parse_markup(params, inline_only=True)
    _apply_edit(rt, chat, message, content, markup, ("text", "entities"))
    return message.tg


@bot_method("editMessageCaption")
async def m_edit_message_caption(rt: SandboxRuntime, params: Params) -> Any:
    chat, message = _editable_message(rt, params)
    if not any(k in message.tg for k in ("photo", "video", "document", "audio")):
        raise bad_request("there is no caption in the message to edit")
    content = _caption_content(params)
    markup = _parse_markup(params, inline_only=True)
    _apply_edit(rt, chat, message, content, markup, ("caption", "caption_entities"))
    return message.tg


@bot_method("editMessageReplyMarkup")
async def m_edit_message_reply_markup(rt: SandboxRuntime, params: Params) -> Any:
    chat, message = _editable_message(rt, params)
    markup = _parse_markup(params, inline_only=True)
    _apply_edit(rt, chat, message, {}, markup, ())
    return message.tg


def _apply_edit(
    rt: SandboxRuntime,
    chat: Chat,
    message: ChatMessage,
    content: dict[str, Any],
    markup: dict[str, Any] | None,
    keys: tuple[str, ...],
) -> None:
    tg = message.tg
    same_content = all(tg.get(key) == content.get(key) for key in keys)
    if same_content and tg.get("reply_markup") == markup:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are exactly the same "
            "as a current content and reply markup of the message"
        )
    for key in keys:
        if content.get(key) is None:
            tg.pop(key, None)
        else:
            tg[key] = content[key]
    if markup:
        tg["reply_markup"] = markup
    else:
        tg.pop("reply_markup", None)
    message.markup = markup
    rt.state.touch_message(chat, message)


@bot_method("deleteMessage")
async def m_delete_message(rt: SandboxRuntime, params: Params) -> Any:
    chat, message = _resolve_message(rt, params, "message to delete not found")
    rt.state.delete_message(chat, message)
    return True


@bot_method("deleteMessages")
async def m_delete_messages(rt: SandboxRuntime, params: Params) -> Any:
    chat = _resolve_chat(rt, params)
    ids = params.json("message_ids")
    if not isinstance(ids, list) or not ids:
        raise bad_request("message_ids is empty")
    for message_id in ids:
        message = chat.messages.get(int(message_id))
        if message is not None and not message.deleted:
            rt.state.delete_message(chat, message)
    return True


@bot_method("answerCallbackQuery")
async def m_answer_callback_query(rt: SandboxRuntime, params: Params) -> Any:
    query_id = params.str("callback_query_id")
    record = rt.state.callback_queries.get(query_id or "")
    if record is None or record.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answer = {"text": text, "show_alert": params.bool("show_alert"), "url": params.str("url")}
    rt.state.activity.notify()
    return True


@bot_method("getFile")
async def m_get_file(rt: SandboxRuntime, params: Params) -> Any:
    stored = rt.state.files.get(params.str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.tg_file()


_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def _commands_key(rt: SandboxRuntime, params: Params) -> tuple[str, int | None, str]:
    scope = params.json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    allowed = {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
    if kind not in allowed:
        raise bad_request("wrong BotCommandScope type specified")
    chat_id = None
    if kind in ("chat", "chat_administrators", "chat_member"):
        try:
            chat_id = int(scope.get("chat_id"))
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if rt.state.chat(chat_id) is None:
            raise bad_request("chat not found")
    language = params.str("language_code") or ""
    return kind, chat_id, language


@bot_method("setMyCommands")
async def m_set_my_commands(rt: SandboxRuntime, params: Params) -> Any:
    commands = params.json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands")
    result = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command") or "").removeprefix("/")
        description = str(command.get("description") or "")
        if not _COMMAND_RE.match(name.lower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        result.append({"command": name.lower(), "description": description})
    key = _commands_key(rt, params)
    if result:
        rt.state.commands[key] = result
    else:
        rt.state.commands.pop(key, None)
    rt.state.activity.notify()
    return True


@bot_method("getMyCommands")
async def m_get_my_commands(rt: SandboxRuntime, params: Params) -> Any:
    return list(rt.state.commands.get(_commands_key(rt, params), []))


@bot_method("deleteMyCommands")
async def m_delete_my_commands(rt: SandboxRuntime, params: Params) -> Any:
    rt.state.commands.pop(_commands_key(rt, params), None)
    rt.state.activity.notify()
    return True


@bot_method("sendChatAction")
async def m_send_chat_action(rt: SandboxRuntime, params: Params) -> Any:
    _resolve_chat(rt, params)
    if not params.str("action"):
        raise bad_request("action is empty")
    return True


@bot_method("getChat")
async def m_get_chat(rt: SandboxRuntime, params: Params) -> Any:
    chat = _resolve_chat(rt, params, check_blocked=False)
    info = rt.state.tg_chat(chat)
    info.update(
        {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    return info


# --------------------------------------------------------------------------------------------------------------
# Bot API HTTP handlers
# --------------------------------------------------------------------------------------------------------------


def _api_error(exc: ApiError) -> web.Response:
    return web.json_response(exc.payload(), status=exc.code)


def _same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


async def handle_bot_api(request: web.Request) -> web.StreamResponse:
    rt = _runtime(request)
    method = request.match_info["method"]
    try:
        if not _same_secret(request.match_info["token"], rt.state.token):
            raise ApiError(401, "Unauthorized")
        if method.lower() not in BOT_METHODS:
            raise ApiError(404, "Not Found")
        params = await read_params(request)
        result = await execute_method(rt, method, params)
    except ApiError as exc:
        return _api_error(exc)
    except Exception as exc:
        log.exception("sandbox: %s failed", method)
        return _api_error(bad_request(f"{type(exc).__name__}: {exc}"))
    return web.json_response({"ok": True, "result": result})


async def handle_bot_file(request: web.Request) -> web.StreamResponse:
    rt = _runtime(request)
    if not _same_secret(request.match_info["token"], rt.state.token):
        return _api_error(ApiError(401, "Unauthorized"))
    stored = rt.state.file_by_path(request.match_info["file_path"])
    if stored is None or stored.data is None:
        return _api_error(ApiError(404, "Not Found"))
    return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")


# --------------------------------------------------------------------------------------------------------------
# Persona API
# --------------------------------------------------------------------------------------------------------------


class PersonaError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


PersonaHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _refusal(status: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "description": description}, status=status)


def _bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def _access_refusal(request: web.Request) -> web.Response | None:
    """None when the caller may use the persona API: by the sandbox token, or by a session the app accepts."""
    rt = _runtime(request)
    if rt.access_token is None and rt.session_refusal is None:
        return None  # a bare sub-app: a test harness on its own port
    given = _bearer_token(request)
    if given is not None:
        if rt.access_token is not None and _same_secret(given, rt.access_token):
            return None
        return _refusal(401, "wrong sandbox token")
    if rt.session_refusal is None:
        return _refusal(401, "send 'Authorization: Bearer <sandbox token>'")
    status = await rt.session_refusal(request)
    if status == 403:
        return _refusal(403, "only a web panel admin may use the sandbox")
    if status is not None:
        return _refusal(401, "sign in to the web panel as an admin, or send 'Authorization: Bearer <sandbox token>'")
    if request.method not in SAFE_METHODS and not request.headers.get(BROWSER_HEADER):
        return _refusal(403, f"a request made with the session cookie needs the {BROWSER_HEADER} header")
    return None


def _content_type_refusal(request: web.Request, accepts_multipart: bool) -> web.Response | None:
    """JSON only: a cross-site form can post text/plain or urlencoded bodies, never application/json."""
    if not request.body_exists:
        return None
    content_type = request.content_type
    if content_type == "application/json" or (accepts_multipart and content_type == "multipart/form-data"):
        return None
    expected = "application/json or multipart/form-data" if accepts_multipart else "application/json"
    return _refusal(415, f"the body must be {expected}, not {content_type or 'untyped'}")


def _persona_route(func: PersonaHandler, *, accepts_multipart: bool) -> PersonaHandler:
    async def wrapper(request: web.Request) -> web.StreamResponse:
        refusal = await _access_refusal(request) or _content_type_refusal(request, accepts_multipart)
        if refusal is not None:
            return refusal
        try:
            return await func(request)
        except PersonaError as exc:
            return web.json_response({"error": exc.message, **exc.extra}, status=exc.status)
        except web.HTTPException:
            raise
        except Exception as exc:
            log.exception("sandbox persona API %s failed", request.path)
            return web.json_response({"error": f"{type(exc).__name__}: {exc}"}, status=400)

    wrapper.__name__ = func.__name__
    return wrapper


def persona_handler(func: PersonaHandler) -> PersonaHandler:
    """A persona API handler: access and content type checked first (JSON bodies only), errors answered as JSON."""
    return _persona_route(func, accepts_multipart=False)


def upload_handler(func: PersonaHandler) -> PersonaHandler:
    """A persona API handler that also takes multipart bodies (files a persona sends)."""
    return _persona_route(func, accepts_multipart=True)


def _base_url(request: web.Request) -> str:
    return str(request.app.router["sandbox_page"].url_for())


def _files_url(request: web.Request) -> str:
    return _base_url(request) + "api/files"


async def _json_body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise PersonaError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise PersonaError(400, "the body must be a JSON object")
    return body


def _user_from(request: web.Request) -> tuple[Any, Chat]:
    state = _runtime(request).state
    try:
        user_id = int(request.match_info["user_id"])
    except ValueError:
        raise PersonaError(404, f"no user {request.match_info['user_id']!r}") from None
    persona = state.user(user_id)
    if persona is None:
        raise PersonaError(404, f"no user {user_id}")
    return persona, state.chats[user_id]


def _opt_str(body: dict[str, Any], key: str, *, max_len: int = 256) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PersonaError(422, f"'{key}' must be a string")
    if len(value) > max_len:
        raise PersonaError(422, f"'{key}' is too long")
    return value


async def _call_maybe_async(func: Callable[..., Any], *args: Any) -> Any:
    result = func(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


@persona_handler
async def api_create_user(request: web.Request) -> web.StreamResponse:
    rt = _runtime(request)
    body = await _json_body(request)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PersonaError(422, "'name' is required")
    if len(name) > 64:
        raise PersonaError(422, "'name' is too long (64 characters at most)")
    language = body.get("language_code") or "ru"
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]{2,4})?", language):
        raise PersonaError(422, "'language_code' must be a language code such as 'ru', 'uk' or 'en'")
    user_id = body.get("id")
    if user_id is not None and (not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0):
        raise PersonaError(422, "'id' must be a positive integer")
    if user_id is not None and rt.state.user(user_id) is not None:
        raise PersonaError(409, f"user {user_id} already exists")
    phone = _opt_str(body, "phone", max_len=32)
    username = _opt_str(body, "username", max_len=32)
    role = _opt_str(body, "role", max_len=64)
    if role is not None and rt.state.persona_factory is None:
        raise PersonaError(422, "roles are not available in this sandbox")
    persona = rt.state.add_user(name.strip(), language_code=language, phone=phone, username=username, user_id=user_id)
    if role is not None and rt.state.persona_factory is not None:
        persona.role = role
        try:
            await rt.state.persona_factory(persona.public(), role)
        except Exception as exc:
            log.exception("sandbox persona_factory failed")
            raise PersonaError(422, f"could not create a {role}: {exc}") from exc
    return web.json_response(persona.public(), status=201)


@persona_handler
async def api_list_users(request: web.Request) -> web.StreamResponse:
    state = _runtime(request).state
    return web.json_response([persona.public() for persona in state.users.values()])


@persona_handler
async def api_get_user(request: web.Request) -> web.StreamResponse:
    persona, _ = _user_from(request)
    return web.json_response(persona.public())


@persona_handler
async def api_roles(request: web.Request) -> web.StreamResponse:
    state = _runtime(request).state
    roles: Any = []
    if state.roles_provider is not None:
        roles = await _call_maybe_async(state.roles_provider)
    return web.json_response(list(roles or []))


def _wait_options(request: web.Request) -> tuple[bool, float]:
    wait = request.query.get("wait", "1").lower() not in ("0", "false", "no")
    raw = request.query.get("timeout")
    try:
        timeout = float(raw) if raw is not None else DEFAULT_WAIT_TIMEOUT
    except ValueError:
        raise PersonaError(400, "'timeout' must be a number of seconds") from None
    return wait, max(0.0, min(timeout, 300.0))


async def _await_reaction(request: web.Request, chat: Chat, update_id: int, seq_before: int) -> list[dict[str, Any]]:
    """Wait until the bot processed the update and went quiet; return its new or edited messages."""
    rt = _runtime(request)
    state = rt.state
    wait, timeout = _wait_options(request)
    if not wait:
        return []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delivered_at: float | None = None
    pause = 0.005
    while True:
        check = rt.is_update_done
        if check is not None:
            done = bool(await check(update_id))
        else:
            # Without a hook: the update was fetched and the bot has been quiet for a while since.
            done = False
            if update_id in state.delivered_update_ids:
                now = time.monotonic()
                delivered_at = delivered_at or now
                done = now - max(delivered_at, state.last_bot_call_at) >= 0.3
        if done:
            break
        if state.closing or loop.time() >= deadline:
            messages = _bot_messages_since(request, chat, seq_before)
            raise PersonaError(
                504,
                f"the bot did not process update {update_id} within {timeout:g} s",
                update_id=update_id,
                update_delivered=update_id in state.delivered_update_ids,
                messages=messages,
            )
        await asyncio.sleep(pause)
        pause = min(pause * 1.5, 0.05)  # is_update_done may be costly (e.g. a Redis look-up)
    # The handler finished; let trailing calls (background sends, callback answers) land too.
    while True:
        quiet_for = time.monotonic() - state.last_bot_call_at
        if quiet_for >= QUIET_PERIOD or loop.time() >= deadline + 1 or state.closing:
            break
        await state.activity.wait(QUIET_PERIOD - quiet_for)
    return _bot_messages_since(request, chat, seq_before)


def _bot_messages_since(request: web.Request, chat: Chat, seq_before: int) -> list[dict[str, Any]]:
    state = _runtime(request).state
    files_url = _files_url(request)
    changed = [m for m in chat.messages.values() if m.sender == "bot" and m.seq > seq_before and not m.deleted]
    changed.sort(key=lambda m: m.message_id)
    return [state.message_view(m, files_url) for m in changed]


def _check_can_send(persona: Any) -> None:
    if persona.blocked:
        raise PersonaError(409, f"user {persona.id} has blocked the bot; unblock first")


def _coordinates(source: dict[str, Any], default: tuple[float, float] | None = None) -> tuple[float, float]:
    lat, lon = source.get("latitude"), source.get("longitude")
    if lat is None and lon is None and default is not None:
        return default
    try:
        latitude, longitude = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise PersonaError(422, "'latitude' and 'longitude' must be numbers") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise PersonaError(422, "latitude must be within -90..90 and longitude within -180..180")
    return latitude, longitude


@upload_handler
async def api_send(request: web.Request) -> web.StreamResponse:
    rt = _runtime(request)
    state = rt.state
    persona, chat = _user_from(request)
    _wait_options(request)  # validate before acting
    _check_can_send(persona)
    seq_before = chat.seq
    if request.content_type.startswith("multipart/"):
        update, message = await _send_multipart(request, persona.id)
    else:
        body = await _json_body(request)
        reply_to = body.get("reply_to_message_id")
        if reply_to is not None and not isinstance(reply_to, int):
            raise PersonaError(422, "'reply_to_message_id' must be an integer")
        if "text" in body:
            text = body["text"]
            if not isinstance(text, str) or not text:
                raise PersonaError(422, "'text' must be a non-empty string")
            if len(text) > 4096:
                raise PersonaError(422, "'text' is too long (4096 characters at most)")
            update, message = state.user_text(persona.id, text, reply_to=reply_to)
        elif "location" in body:
            location = body["location"]
            if not isinstance(location, dict):
                raise PersonaError(422, "'location' must be an object with latitude and longitude")
            latitude, longitude = _coordinates(location)
            update, message = state.user_location(persona.id, latitude, longitude)
        elif "contact" in body:
            contact = body["contact"]
            if not isinstance(contact, dict):
                raise PersonaError(422, "'contact' must be an object")
            phone = contact.get("phone_number") or persona.phone
            if not isinstance(phone, str) or not phone:
                raise PersonaError(422, "the persona has no phone; give contact.phone_number")
            first_name = contact.get("first_name")
            if first_name is not None and not isinstance(first_name, str):
                raise PersonaError(422, "'contact.first_name' must be a string")
            contact_user = contact.get("user_id")
            if contact_user is not None and (not isinstance(contact_user, int) or isinstance(contact_user, bool)):
                raise PersonaError(422, "'contact.user_id' must be an integer")
            if contact_user is None and phone == persona.phone:
                contact_user = persona.id  # sharing one's own contact, as the Telegram button does
            update, message = state.user_contact(persona.id, phone, first_name, contact_user)
        else:
            raise PersonaError(
                400, "give 'text', 'location' or 'contact' (or a multipart body with 'photo' or 'document')"
            )
    messages = await _await_reaction(request, chat, update["update_id"], seq_before)
    return web.json_response({"update_id": update["update_id"], "message_id": message.message_id, "messages": messages})


async def _send_multipart(request: web.Request, user_id: int) -> tuple[dict[str, Any], ChatMessage]:
    state = _runtime(request).state
    reader = await request.multipart()
    fields: dict[str, str] = {}
    upload: tuple[str, Upload] | None = None
    async for part in reader:
        if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
            continue
        data = bytes(await part.read(decode=True))
        if len(data) > MAX_BODY:
            raise PersonaError(413, "the file is too big")
        if part.name in ("photo", "document", "video") and (part.filename is not None or data):
            upload = (part.name, Upload(part.filename, part.headers.get("Content-Type"), data))
        else:
            fields[part.name] = data.decode("utf-8", errors="replace")
    if upload is None:
        raise PersonaError(400, "a multipart send needs a 'photo', 'document' or 'video' file field")
    kind, file = upload
    if not file.data:
        raise PersonaError(422, "the file is empty")
    caption = fields.get("caption") or None
    if caption is not None and len(caption) > 1024:
        raise PersonaError(422, "'caption' is too long (1024 characters at most)")
    mime = file.content_type
    if mime in (None, "application/octet-stream") and kind == "photo":
        mime = None
    return state.user_file(user_id, kind, file.data, file_name=file.filename, mime_type=mime, caption=caption)


def _visible_buttons(chat: Chat) -> list[str]:
    names: list[str] = []
    for message in sorted(chat.visible(), key=lambda m: -m.message_id):
        if message.sender != "bot":
            continue
        for row in (message.tg.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] not in names:
                    names.append(button["text"])
    if chat.reply_keyboard:
        for row in chat.reply_keyboard.get("keyboard", []):
            for button in row:
                if button["text"] not in names:
                    names.append(button["text"])
    return names


def _find_inline(chat: Chat, text: str, message_id: int | None = None) -> tuple[ChatMessage, dict[str, Any]] | None:
    for message in sorted(chat.visible(), key=lambda m: -m.message_id):
        if message.sender != "bot" or (message_id is not None and message.message_id != message_id):
            continue
        for row in (message.tg.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") == text:
                    return message, button
    return None


@persona_handler
async def api_press(request: web.Request) -> web.StreamResponse:
    rt = _runtime(request)
    state = rt.state
    persona, chat = _user_from(request)
    _wait_options(request)
    body = await _json_body(request)
    text = body.get("text")
    if not isinstance(text, str) or not text:
        raise PersonaError(400, "give the button's visible 'text'")
    target_id = body.get("message_id")
    if target_id is not None and (not isinstance(target_id, int) or isinstance(target_id, bool)):
        raise PersonaError(422, "'message_id' must be an integer")
    _check_can_send(persona)
    seq_before = chat.seq
    found = _find_inline(chat, text, target_id)
    if found is not None:
        message, button = found
        if "url" in button:
            raise PersonaError(400, f"button '{text}' is a link to URL", url=button["url"])
        if "callback_data" not in button:
            kind = next((k for k in button if k != "text"), "unknown")
            raise PersonaError(400, f"button '{text}' is a {kind} button; the sandbox cannot press it")
        update, record = state.user_callback(persona.id, message, button["callback_data"])
        messages = await _await_reaction(request, chat, update["update_id"], seq_before)
        return web.json_response(
            {
                "update_id": update["update_id"],
                "message_id": message.message_id,
                "messages": messages,
                "callback_answer": record.answer,
            }
        )
    keyboard = chat.reply_keyboard
    reply_button = None
    if keyboard:
        for row in keyboard.get("keyboard", []):
            for button in row:
                if button.get("text") == text:
                    reply_button = button
                    break
            if reply_button:
                break
    if reply_button is None:
        buttons = _visible_buttons(chat)
        raise PersonaError(404, f"no button '{text}' in the chat; buttons: {buttons}", buttons=buttons)
    if reply_button.get("request_contact"):
        if not persona.phone:
            raise PersonaError(422, "the persona has no phone to share; create it with 'phone'")
        update, user_message = state.user_contact(persona.id, persona.phone, None, persona.id)
    elif reply_button.get("request_location"):
        latitude, longitude = _coordinates(body, DEFAULT_LOCATION)
        update, user_message = state.user_location(persona.id, latitude, longitude)
    else:
        special = [k for k in reply_button if k.startswith("request_") or k == "web_app"]
        if special:
            raise PersonaError(400, f"button '{text}' is a {special[0]} button; the sandbox cannot press it")
        update, user_message = state.user_text(persona.id, text)
    if keyboard and keyboard.get("one_time_keyboard"):
        chat.reply_keyboard = None
    messages = await _await_reaction(request, chat, update["update_id"], seq_before)
    return web.json_response(
        {
            "update_id": update["update_id"],
            "message_id": user_message.message_id,
            "messages": messages,
            "callback_answer": None,
        }
    )


@persona_handler
async def api_chat(request: web.Request) -> web.StreamResponse:
    state = _runtime(request).state
    persona, chat = _user_from(request)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        raise PersonaError(400, "'after' must be an integer") from None
    files_url = _files_url(request)
    changed = [m for m in chat.messages.values() if m.seq > after and (after > 0 or not m.deleted)]
    changed.sort(key=lambda m: m.message_id)
    answers = [
        {"id": q.id, "message_id": q.message_id, "data": q.data, **q.answer}
        for q in state.callback_queries.values()
        if q.chat_id == chat.id and q.answer is not None
    ]
    return web.json_response(
        {
            "messages": [state.message_view(m, files_url) for m in changed],
            "seq": chat.seq,
            "reply_keyboard": chat.reply_keyboard,
            "commands": state.effective_commands(persona.id),
            "blocked": persona.blocked,
            "callback_answers": answers[-20:],
        }
    )


def _set_blocked(blocked: bool):
    @persona_handler
    async def handler(request: web.Request) -> web.StreamResponse:
        persona, _ = _user_from(request)
        update = _runtime(request).state.set_blocked(persona.id, blocked)
        return web.json_response({"blocked": blocked, "update_id": update["update_id"] if update else None})

    return handler


@persona_handler
async def api_file(request: web.Request) -> web.StreamResponse:
    state = _runtime(request).state
    stored = state.files.get(request.match_info["file_id"])
    if stored is None:
        raise PersonaError(404, "no such file")
    if stored.data is None:
        if stored.url:
            raise web.HTTPFound(stored.url)
        raise PersonaError(404, "the file has no content")
    headers = {"Cache-Control": "private, max-age=3600"}
    if stored.file_name:
        safe = re.sub(r"[^\w.\- ]", "_", stored.file_name)
        headers["Content-Disposition"] = f'inline; filename="{safe}"'
    return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream", headers=headers)


@persona_handler
async def api_add_fault(request: web.Request) -> web.StreamResponse:
    state = _runtime(request).state
    body = await _json_body(request)
    method = body.get("method")
    if not isinstance(method, str) or not method:
        raise PersonaError(422, "'method' is required (a Bot API method name or '*')")

    def opt_int(key: str, default: int | None) -> int | None:
        value = body.get(key, default)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise PersonaError(422, f"'{key}' must be an integer")
        return value

    error_code = opt_int("error_code", 429) or 429
    if not 400 <= error_code <= 599:
        raise PersonaError(422, "'error_code' must be an HTTP error status (400..599)")
    count = opt_int("count", 1) or 1
    if count < 1:
        raise PersonaError(422, "'count' must be at least 1")
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise PersonaError(422, "'description' must be a string")
    fault = Fault(
        method=method,
        error_code=error_code,
        chat_id=opt_int("chat_id", None),
        retry_after=opt_int("retry_after", None),
        description=description,
        count=count,
    )
    state.add_fault(fault)
    return web.json_response(fault.public(), status=201)


@persona_handler
async def api_list_faults(request: web.Request) -> web.StreamResponse:
    return web.json_response([f.public() for f in _runtime(request).state.faults])


@persona_handler
async def api_clear_faults(request: web.Request) -> web.StreamResponse:
    _runtime(request).state.faults = []
    return web.json_response({"ok": True})


@persona_handler
async def api_settings(request: web.Request) -> web.StreamResponse:
    state = _runtime(request).state
    if request.method == "POST":
        body = await _json_body(request)
        if "flood_control" in body:
            if not isinstance(body["flood_control"], bool):
                raise PersonaError(422, "'flood_control' must be true or false")
            state.flood_control = body["flood_control"]
    return web.json_response({"flood_control": state.flood_control, "webhook_url": state.webhook.url or None})


@persona_handler
async def api_deliveries(request: web.Request) -> web.StreamResponse:
    state = _runtime(request).state
    chat_filter = request.query.get("chat_id")
    items = state.deliveries
    if chat_filter is not None:
        try:
            chat_id = int(chat_filter)
        except ValueError:
            raise PersonaError(400, "'chat_id' must be an integer") from None
        items = [d for d in items if d.chat_id == chat_id]
    return web.json_response({"deliveries": [d.public() for d in items]})


@persona_handler
async def api_reset(request: web.Request) -> web.StreamResponse:
    _runtime(request).state.reset()
    return web.json_response({"ok": True})


@persona_handler
async def api_not_found(request: web.Request) -> web.StreamResponse:
    raise PersonaError(404, f"no such persona API route: {request.method} {request.path}")


# --------------------------------------------------------------------------------------------------------------
# Browser chat page
# --------------------------------------------------------------------------------------------------------------

_STATIC_TYPES = {"chat.js": "text/javascript", "chat.css": "text/css"}


async def page(request: web.Request) -> web.StreamResponse:
    rt = _runtime(request)
    if rt.chat_page_guard is not None:
        response = await rt.chat_page_guard(request)
        if response is not None:
            return response
    html = (STATIC_DIR / "chat.html").read_text(encoding="utf-8")
    base = _base_url(request)
    html = html.replace("__SANDBOX_BASE__", base)
    return web.Response(
        text=html, content_type="text/html", headers={"Cache-Control": "no-store", "X-Frame-Options": "SAMEORIGIN"}
    )


async def static_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in _STATIC_TYPES:
        raise web.HTTPNotFound()
    return web.Response(
        body=(STATIC_DIR / name).read_bytes(),
        content_type=_STATIC_TYPES[name],
        headers={"Cache-Control": "no-cache"},
    )


# --------------------------------------------------------------------------------------------------------------
# App factory
# --------------------------------------------------------------------------------------------------------------


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
        runtime.ensure_webhook_task()

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
    router.add_post("/api/users/{user_id}/block", _set_blocked(True))
    router.add_post("/api/users/{user_id}/unblock", _set_blocked(False))
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

    router.add_get("/", page, name="sandbox_page")
    router.add_get("/static/{name}", static_file)
    return app


__all__ = [
    "BOT_METHODS",
    "Params",
    "SandboxRuntime",
    "create_sandbox_app",
    "sandbox_api_server",
]
