"""What the end-to-end benches share: child processes that always die with the driver, a fake Telegram Bot API
that records every call, and simulated Telegram users who post updates to a webhook and wait for the bot's reply.

Everything listens and talks on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import json
import os
import signal
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
BOT_TOKEN = "424242:BENCH-token"
WEBHOOK_SECRET = "bench-webhook-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
REDIS_URL = "redis://127.0.0.1:6379/14"

# Bot API methods that a user sees as an answer in their chat. setMyCommands, sendChatAction, getMe … are not.
REPLY_PREFIXES = ("send", "edit", "answerCallbackQuery", "deleteMessage", "copyMessage", "forwardMessage")
NOT_REPLIES = {"sendChatAction"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


# --- child processes ------------------------------------------------------------------------------------------

_LIVE_PIDS: set[int] = set()


def _kill_leftovers() -> None:
    """Last resort at interpreter exit: whatever child is still alive gets SIGKILL (its whole process group)."""
    for pid in list(_LIVE_PIDS):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


atexit.register(_kill_leftovers)


class ChildDied(RuntimeError):
    pass


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGKILL it if the driver dies, even by SIGKILL, which no cleanup sees."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    """One OS process the bench started (a bot). Its output goes to a log file; `tail()` shows the end of it."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    health_url: str
    proc: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    killed: bool = False  # by the bench itself (crash.py), so its death is no error

    async def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        try:
            # Own session: a Ctrl+C in the terminal reaches only the driver, which then stops the children itself.
            self.proc = await asyncio.create_subprocess_exec(
                *self.argv, cwd=ROOT, env=self.env, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        finally:
            log.close()
        _LIVE_PIDS.add(self.proc.pid)
        self.started_at = time.perf_counter()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def died(self, what: str) -> ChildDied:
        code = self.proc.returncode if self.proc else None
        return ChildDied(f"{self.name} {what} (exit code {code}); last lines of {self.log_path}:\n{self.tail()}")

    async def wait_healthy(self, limit: float = 60.0) -> float:
        """Polls /healthz until 200; raises with the log's tail if the process dies or the time runs out."""
        deadline = time.perf_counter() + limit
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
            while True:
                if not self.alive:
                    if self.proc is not None:
                        await self.proc.wait()
                    raise self.died("exited before it was healthy")
                with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError, OSError):
                    async with http.get(self.health_url) as response:
                        if response.status == 200:
                            return time.perf_counter() - self.started_at
                if time.perf_counter() > deadline:
                    raise self.died(f"not healthy after {limit:.0f} s")
                await asyncio.sleep(0.1)

    def kill9(self) -> None:
        if self.alive:
            self.killed = True
            os.kill(self.proc.pid, signal.SIGKILL)

    async def stop(self, grace: float = 8.0) -> None:
        """SIGTERM (a clean stop), then SIGKILL to the whole group if it does not exit in time."""
        if self.proc is None:
            return
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), grace)
            except TimeoutError:
                print(f"  {self.name} did not stop in {grace:.0f} s; killed", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything it left behind
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        await self.proc.wait()
        _LIVE_PIDS.discard(self.proc.pid)


class Children:
    """Every child of a run; `async with` stops them all on the way out, whatever the exit (error, Ctrl+C)."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.items: list[Child] = []

    def add(self, name: str, argv: list[str], env: dict[str, str], health_url: str) -> Child:
        child = Child(name, argv, env, self.log_dir / f"{name}.log", health_url)
        self.items.append(child)
        return child

    def check_alive(self) -> None:
        for child in self.items:
            if child.proc is not None and not child.alive and not child.killed:
                raise child.died("died during the run")

    async def __aenter__(self) -> Children:
        return self

    async def __aexit__(self, *exc) -> None:
        # Shielded: a second Ctrl+C must not leave a bot running.
        await asyncio.shield(asyncio.gather(*(child.stop() for child in self.items), return_exceptions=True))


def estafeta_env(*, db_url: str, port: int, api_base: str, data_dir: Path, redis_url: str = REDIS_URL,
                 extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ESTAFETA")}
    env.update({
        "ESTAFETA__TELEGRAM__MODE": "webhook",
        "ESTAFETA__TELEGRAM__TOKEN": BOT_TOKEN,
        "ESTAFETA__TELEGRAM__WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ESTAFETA__TELEGRAM__API_BASE": api_base,
        "ESTAFETA__TELEGRAM__BOT_USERNAME": "bench_bot",
        "ESTAFETA__DATABASE__URL": db_url,
        "ESTAFETA__REDIS__URL": redis_url,
        "ESTAFETA__WEB__HOST": HOST,
        "ESTAFETA__WEB__PORT": str(port),
        "ESTAFETA__APP__DATA_DIR": str(data_dir),
        "ESTAFETA__APP__BASE_URL": f"http://{HOST}:{port}",
        # The fake Bot API has no flood limits, and the baseline paces nothing: neither does Estafeta here.
        "ESTAFETA__OUTBOX__GLOBAL_PER_SECOND": "100000",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra or {})
    return env


async def flush_redis(url: str = REDIS_URL) -> None:
    """The bench's own Redis db: FSM states and queued jobs of an earlier run must not leak into this one."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


# --- the fake Bot API ---------------------------------------------------------------------------------------

JSON_PARAMS = {"reply_markup", "entities", "caption_entities", "scope", "commands", "link_preview_options",
               "reply_parameters", "media", "allowed_updates"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    chat_id: int | None = None
    result: Any = None  # what the fake API answered (the Message for a send or an edit)

    @property
    def is_send_or_edit(self) -> bool:
        return self.method.startswith(("send", "edit", "copy", "forward"))

    def callback_data(self) -> list[str]:
        markup = self.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        return [button["callback_data"] for row in rows or [] for button in row if "callback_data" in button]


@dataclass
class ChatLog:
    """The replies the bot made to one chat, in arrival order; a waiter is woken on each new one."""

    calls: list[Call] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, call: Call) -> None:
        self.calls.append(call)
        self.changed.set()

    async def wait(self, done, start: int, deadline: float) -> bool:
        """Waits until `done(calls since start)` holds; False at the deadline."""
        while True:
            if done(self.calls[start:]):
                return True
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return False
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)


class FakeBotAPI:
    """An aiohttp server on 127.0.0.1 that answers the Bot API methods the bots use, Telegram-shaped, and records
    every call. Messages get increasing ids per chat (shared with the users' own messages, as in Telegram)."""

    def __init__(self, token: str = BOT_TOKEN):
        self.token = token
        self.me = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Bench bot",
                   "username": "bench_bot", "can_join_groups": False, "can_read_all_group_messages": False,
                   "supports_inline_queries": False}
        self.methods: Counter[str] = Counter()
        self.calls: list[Call] = []  # every call, in arrival order
        self.chats: dict[int, ChatLog] = {}
        self.chat_info: dict[int, dict[str, Any]] = {}
        self.callback_chats: dict[str, int] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_message_id: dict[int, itertools.count] = {}
        self.errors: Counter[str] = Counter()
        self.unaddressed_replies = 0  # replies to chats no simulated user owns (e.g. notices to demo staff)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # users and their messages

    def register_chat(self, chat: dict[str, Any]) -> ChatLog:
        self.chat_info[chat["id"]] = chat
        return self.chats.setdefault(chat["id"], ChatLog())

    def new_message_id(self, chat_id: int) -> int:
        return next(self._next_message_id.setdefault(chat_id, itertools.count(1)))

    # server

    async def start(self, port: int = 0) -> str:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, port)
        await site.start()
        self.base_url = f"http://{HOST}:{site._server.sockets[0].getsockname()[1]}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        at = time.perf_counter()
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        self.methods[method] += 1
        try:
            result = self._execute(method, params, at)
        except KeyError as error:
            self.errors[method] += 1
            return web.json_response({"ok": False, "error_code": 400, "description": f"Bad Request: {error}"},
                                     status=400)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        raw = await request.post()
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if not isinstance(value, str):
                params[key] = "<file>"
            elif key in JSON_PARAMS and value[:1] in "[{":
                params[key] = json.loads(value)
            else:
                params[key] = value
        return params

    def _chat_of(self, method: str, params: dict[str, Any]) -> int | None:
        if method == "answerCallbackQuery":
            return self.callback_chats.get(params.get("callback_query_id", ""))
        chat_id = params.get("chat_id")
        if chat_id is None:
            return None
        try:
            return int(chat_id)
        except ValueError:
            return None

    def _execute(self, method: str, params: dict[str, Any], at: float) -> Any:
        chat_id = self._chat_of(method, params)
        is_reply = method.startswith(REPLY_PREFIXES) and method not in NOT_REPLIES
        result = self._result(method, params, chat_id)
        call = Call(method, params, at, chat_id, result)
        self.calls.append(call)
        if is_reply:
            log = self.chats.get(chat_id) if chat_id is not None else None
            if log is None:
                self.unaddressed_replies += 1
            else:
                log.add(call)
        return result

    def _message(self, chat_id: int, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat = self.chat_info.get(chat_id) or {"id": chat_id, "type": "private", "first_name": "?"}
        message = {"message_id": self.new_message_id(chat_id), "date": int(time.time()), "chat": chat,
                   "from": self.me, **content}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        if chat_id in self.chats:  # only the simulated users' messages are kept (they may press their buttons)
            self.messages[(chat_id, message["message_id"])] = message
        return message

    def _edited(self, params: dict[str, Any], **changes: Any) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            return True
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        message = self.messages.get((chat_id, message_id)) or {
            "message_id": message_id, "date": int(time.time()), "from": self.me,
            "chat": self.chat_info.get(chat_id) or {"id": chat_id, "type": "private", "first_name": "?"}}
        message = {**message, **changes, "edit_date": int(time.time())}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)  # Telegram drops the inline keyboard when an edit sends none
        if chat_id in self.chats:
            self.messages[(chat_id, message_id)] = message
        return message

    def _result(self, method: str, params: dict[str, Any], chat_id: int | None) -> Any:
        file = {"file_id": f"f{time.monotonic_ns()}", "file_unique_id": f"u{time.monotonic_ns()}", "file_size": 1}
        if method == "getMe":
            return self.me
        if method == "sendMessage":
            return self._message(chat_id, params, text=params["text"])
        if method == "sendPhoto":
            return self._message(chat_id, params, photo=[{**file, "width": 1, "height": 1}],
                                 caption=params.get("caption") or None)
        if method in ("sendDocument", "sendVideo", "sendVoice", "sendAudio", "sendAnimation"):
            kind = method.removeprefix("send").lower()
            content = {**file, "duration": 1} if kind in ("video", "voice", "audio", "animation") else file
            if kind in ("video", "animation"):
                content = {**content, "width": 1, "height": 1}
            return self._message(chat_id, params, **{kind: content})
        if method == "sendLocation":
            return self._message(chat_id, params, location={"latitude": float(params["latitude"]),
                                                            "longitude": float(params["longitude"])})
        if method == "sendMediaGroup":
            return [self._message(chat_id, {}, photo=[{**file, "width": 1, "height": 1}])
                    for _ in params.get("media") or [None]]
        if method in ("copyMessage",):
            return {"message_id": self.new_message_id(chat_id)}
        if method.startswith("send"):
            return self._message(chat_id, params, text=params.get("text", ""))
        if method == "editMessageText":
            return self._edited(params, text=params["text"])
        if method == "editMessageCaption":
            return self._edited(params, caption=params.get("caption", ""))
        if method.startswith("edit"):
            return self._edited(params)
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if method in ("getMyCommands", "getUpdates"):
            return []
        if method == "getChat":
            return {**(self.chat_info.get(chat_id) or {"id": chat_id, "type": "private"}), "accent_color_id": 0}
        if method == "getFile":
            return {**file, "file_path": "documents/file.bin"}
        return True  # setWebhook, deleteWebhook, setMyCommands, answerCallbackQuery, deleteMessage, …


# --- simulated Telegram users -------------------------------------------------------------------------------

_update_ids = itertools.count(1)


def next_update_id() -> int:
    return next(_update_ids)


def reset_update_ids(start: int = 1) -> None:
    global _update_ids
    _update_ids = itertools.count(start)


@dataclass
class Exchange:
    """One update and the bot's answer: posted at `posted` (or scheduled at `scheduled`, open loop), first
    reply at `first_reply`, the step complete at `done` (see the rules in updates.py)."""

    kind: str
    scheduled: float
    posted: float
    status: int = 0
    first_reply: float | None = None
    done: float | None = None
    calls: list[Call] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.done is not None

    @property
    def latency_ms(self) -> float | None:
        return None if self.first_reply is None else (self.first_reply - self.scheduled) * 1000

    @property
    def done_ms(self) -> float | None:
        return None if self.done is None else (self.done - self.scheduled) * 1000


def reply_done(calls: list[Call]) -> bool:
    """A message's step: complete at the first message sent or edited."""
    return any(call.is_send_or_edit for call in calls)


def press_done(query_id: str):
    """A button press: complete once the query is answered and a message sent or edited — or the answer is an
    alert (a refusal, an outdated button), after which nothing more comes."""

    def done(calls: list[Call]) -> bool:
        answers = [c for c in calls if c.method == "answerCallbackQuery" and c.params.get("callback_query_id")
                   == query_id]
        if any(str(c.params.get("show_alert", "")).lower() == "true" for c in answers):
            return True
        return bool(answers) and any(c.is_send_or_edit for c in calls)

    return done


def keyboard_done(prefix: str):
    """Complete when a message with a button whose callback data starts with `prefix` arrives (e.g. the menu)."""
    return lambda calls: any(c.is_send_or_edit and any(d.startswith(prefix) for d in c.callback_data())
                             for c in calls)


class Person:
    """A Telegram user in a private chat with the bot, posting to one webhook endpoint."""

    def __init__(self, api: FakeBotAPI, user_id: int, name: str, endpoint: str, language_code: str = "ru"):
        self.api = api
        self.user_id = user_id
        self.endpoint = endpoint
        self.user = {"id": user_id, "is_bot": False, "first_name": name, "language_code": language_code}
        self.chat = {"id": user_id, "type": "private", "first_name": name}
        self.log = api.register_chat(self.chat)
        self._queries = itertools.count(1)

    def text_update(self, text: str) -> dict[str, Any]:
        message = {"message_id": self.api.new_message_id(self.user_id), "date": int(time.time()),
                   "chat": self.chat, "from": self.user, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next_update_id(), "message": message}

    def press_update(self, message: dict[str, Any], data: str) -> tuple[dict[str, Any], str]:
        query_id = f"{self.user_id}-{next(self._queries)}"
        self.api.callback_chats[query_id] = self.user_id
        query = {"id": query_id, "from": self.user, "chat_instance": f"ci{self.user_id}", "data": data,
                 "message": message}
        return {"update_id": next_update_id(), "callback_query": query}, query_id

    async def post(self, http: aiohttp.ClientSession, update: dict[str, Any]) -> int:
        async with http.post(self.endpoint, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET}) as response:
            await response.read()
            return response.status

    async def exchange(self, http: aiohttp.ClientSession, kind: str, update: dict[str, Any], done, *,
                       patience: float, scheduled: float | None = None, retries: int = 3) -> Exchange:
        """Posts the update (again on a non-2xx, as Telegram would) and waits until `done` holds for the replies
        that came after the post. The first reply is the first reply-method call to this chat after the post."""
        start = len(self.log.calls)
        posted = time.perf_counter()
        result = Exchange(kind, scheduled if scheduled is not None else posted, posted)
        for attempt in range(retries + 1):
            try:
                result.status = await self.post(http, update)
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                result.status, result.error = -1, f"{type(error).__name__}: {error}"
            if result.status == 200 or attempt == retries:
                break
            await asyncio.sleep(0.2 * (attempt + 1))
        if result.status != 200:
            result.error = result.error or f"webhook answered {result.status}"
            return result
        deadline = posted + patience
        finished = await self.log.wait(done, start, deadline)
        result.calls = self.log.calls[start:]
        if result.calls:
            result.first_reply = result.calls[0].at
        if finished:
            # The call that made the step complete (later ones, if any, belong to the same step's tail).
            result.done = next((result.calls[i].at for i in range(len(result.calls)) if done(result.calls[:i + 1])),
                               time.perf_counter())
        else:
            result.error = "timeout"
        return result

    def message(self, message_id: int) -> dict[str, Any] | None:
        return self.api.messages.get((self.user_id, message_id))
