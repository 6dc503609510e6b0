"""The persona API (``/api/...``): tests, judges and the browser chat act as Telegram users and read their chats.

Who may call it: see ``bot.sandbox.server``. Answers are JSON; errors are ``{"error": ...}`` with a status.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from .params import MAX_BODY, Upload
from .runtime import runtime_of, same_secret, sandbox_base_url
from .state import Chat, ChatMessage, Fault

log = logging.getLogger("estafeta.sandbox")

DEFAULT_WAIT_TIMEOUT = 10.0
QUIET_PERIOD = 0.05
DEFAULT_LOCATION = (50.4501, 30.5234)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Sent by the browser chat on every state-changing call it makes with the session cookie. Why a header: a page on
# another origin can send a cookie-carrying POST only as a "simple" request (a form: text/plain, urlencoded or
# multipart, no custom headers); adding this header needs a CORS preflight, which the sandbox never grants. The
# session cookie is SameSite=Lax, which does not stop another port of the same host (same site, other origin).
BROWSER_HEADER = "X-Requested-With"


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
    rt = runtime_of(request)
    if rt.access_token is None and rt.session_refusal is None:
        return None  # a bare sub-app: a test harness on its own port
    given = _bearer_token(request)
    if given is not None:
        if rt.access_token is not None and same_secret(given, rt.access_token):
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


def _files_url(request: web.Request) -> str:
    return sandbox_base_url(request) + "api/files"


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
    state = runtime_of(request).state
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
    rt = runtime_of(request)
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
    state = runtime_of(request).state
    return web.json_response([persona.public() for persona in state.users.values()])


@persona_handler
async def api_get_user(request: web.Request) -> web.StreamResponse:
    persona, _ = _user_from(request)
    return web.json_response(persona.public())


@persona_handler
async def api_roles(request: web.Request) -> web.StreamResponse:
    state = runtime_of(request).state
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
    rt = runtime_of(request)
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
    state = runtime_of(request).state
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
    rt = runtime_of(request)
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
    state = runtime_of(request).state
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
    rt = runtime_of(request)
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
    state = runtime_of(request).state
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


def _set_blocked(blocked: bool) -> PersonaHandler:
    @persona_handler
    async def handler(request: web.Request) -> web.StreamResponse:
        persona, _ = _user_from(request)
        update = runtime_of(request).state.set_blocked(persona.id, blocked)
        return web.json_response({"blocked": blocked, "update_id": update["update_id"] if update else None})

    return handler


api_block = _set_blocked(True)
api_unblock = _set_blocked(False)


@persona_handler
async def api_file(request: web.Request) -> web.StreamResponse:
    state = runtime_of(request).state
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
    state = runtime_of(request).state
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
    return web.json_response([f.public() for f in runtime_of(request).state.faults])


@persona_handler
async def api_clear_faults(request: web.Request) -> web.StreamResponse:
    runtime_of(request).state.faults = []
    return web.json_response({"ok": True})


@persona_handler
async def api_settings(request: web.Request) -> web.StreamResponse:
    state = runtime_of(request).state
    if request.method == "POST":
        body = await _json_body(request)
        if "flood_control" in body:
            if not isinstance(body["flood_control"], bool):
                raise PersonaError(422, "'flood_control' must be true or false")
            state.flood_control = body["flood_control"]
    return web.json_response({"flood_control": state.flood_control, "webhook_url": state.webhook.url or None})


@persona_handler
async def api_deliveries(request: web.Request) -> web.StreamResponse:
    state = runtime_of(request).state
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
    runtime_of(request).state.reset()
    return web.json_response({"ok": True})


@persona_handler
async def api_not_found(request: web.Request) -> web.StreamResponse:
    raise PersonaError(404, f"no such persona API route: {request.method} {request.path}")
