"""In-memory state of the Telegram sandbox: personas, chats, messages, updates, files, faults, commands.

Everything lives in one :class:`SandboxState` object shared by the Bot API side (the bot talks to it as if it
were Telegram) and the persona side (tests, judges and the browser chat act as Telegram users). The state is
single-threaded: it is only touched from the event loop that runs the sandbox web app.

The module also holds the text-formatting helpers (``parse_mode`` HTML/MarkdownV2 parsing into Telegram
entities and safe HTML rendering of entities for the browser chat).
"""

from __future__ import annotations

import asyncio
import html
import itertools
import mimetypes
import re
import secrets
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

BOT_ID = 100000
DEFAULT_TOKEN = "100000:SANDBOX-token"
DEFAULT_BOT_USERNAME = "estafeta_sandbox_bot"
FIRST_USER_ID = 1000001


class ApiError(Exception):
    """A Bot API error: becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


# --------------------------------------------------------------------------------------------------------------
# Text formatting
# --------------------------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class _TelegramHTMLParser(HTMLParser):
    """Parses Telegram's HTML flavour into plain text + entities, refusing tags Telegram refuses."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.parts: list[str] = []
        self.length = 0  # in UTF-16 code units
        self.stack: list[tuple[str, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def _byte_offset(self) -> int:
        line, col = self.getpos()
        lines = self.source.split("\n")
        prefix = "\n".join(lines[: line - 1]) + ("\n" if line > 1 else "") + lines[line - 1][:col]
        return len(prefix.encode("utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        kind = _HTML_TAGS.get(tag)
        if kind is None or (tag == "span" and attributes.get("class") != "tg-spoiler"):
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{tag}" at byte offset {self._byte_offset()}'
            )
        entity: dict[str, Any] = {"type": kind, "offset": self.length}
        if tag == "a":
            href = attributes.get("href") or ""
            if not href:
                entity["type"] = "_plain"
            else:
                entity["url"] = href
        if tag == "code" and self.stack and self.stack[-1][0] == "pre":
            language = (attributes.get("class") or "").removeprefix("language-")
            if language:
                self.stack[-1][1]["language"] = language
            entity["type"] = "_plain"
        if tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        if tag == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id") or ""
        self.stack.append((tag, entity))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            expected = self.stack[-1][0] if self.stack else None
            if expected is None:
                raise bad_request(f"can't parse entities: Unexpected end tag at byte offset {self._byte_offset()}")
            raise bad_request(f"can't parse entities: Can't find end tag corresponding to start tag \"{expected}\"")
        _, entity = self.stack.pop()
        length = self.length - entity["offset"]
        if entity["type"] != "_plain" and length > 0:
            entity["length"] = length
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += utf16_len(data)

    def finish(self) -> tuple[str, list[dict[str, Any]]]:
        self.close()
        if self.stack:
            raise bad_request(
                f"can't parse entities: Can't find end tag corresponding to start tag \"{self.stack[-1][0]}\""
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    parser = _TelegramHTMLParser(source)
    parser.feed(source)
    return parser.finish()


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!\\")


def parse_markdown_v2(source: str) -> tuple[str, list[dict[str, Any]]]:
    """A compact MarkdownV2 parser: escapes, *bold*, _italic_, __underline__, ~strike~, ||spoiler||,
    `code`, ```pre```, [text](url). Unescaped reserved characters are refused like Telegram does."""
    out: list[str] = []
    length = 0
    entities: list[dict[str, Any]] = []
    open_marks: list[tuple[str, int]] = []
    i = 0
    n = len(source)

    def emit(text: str) -> None:
        nonlocal length
        out.append(text)
        length += utf16_len(text)

    def toggle(mark: str, kind: str) -> None:
        if open_marks and open_marks[-1][0] == mark:
            _, start = open_marks.pop()
            if length > start:
                entities.append({"type": kind, "offset": start, "length": length - start})
        elif any(m == mark for m, _ in open_marks):
            raise bad_request(f"can't parse entities: Can't find end of {kind} entity at byte offset {i}")
        else:
            open_marks.append((mark, length))

    while i < n:
        ch = source[i]
        if ch == "\\":
            if i + 1 < n and 0 < ord(source[i + 1]) < 127:
                emit(source[i + 1])
                i += 2
                continue
            raise bad_request(
                "can't parse entities: Character '\\' is reserved and must be escaped with the preceding '\\'"
            )
        if source.startswith("```", i):
            end = source.find("```", i + 3)
            if end < 0:
                raise bad_request(f"can't parse entities: Can't find end of pre entity at byte offset {i}")
            body = source[i + 3 : end]
            language = ""
            if "\n" in body:
                first, rest = body.split("\n", 1)
                if first and " " not in first:
                    language, body = first, rest
            body = re.sub(r"\\(.)", r"\1", body)
            start = length
            emit(body)
            entity: dict[str, Any] = {"type": "pre", "offset": start, "length": length - start}
            if language:
                entity["language"] = language
            entities.append(entity)
            i = end + 3
            continue
        if ch == "`":
            end = source.find("`", i + 1)
            if end < 0:
                raise bad_request(f"can't parse entities: Can't find end of code entity at byte offset {i}")
            body = re.sub(r"\\(.)", r"\1", source[i + 1 : end])
            start = length
            emit(body)
            if body:
                entities.append({"type": "code", "offset": start, "length": length - start})
            i = end + 1
            continue
        if source.startswith("__", i):
            toggle("__", "underline")
            i += 2
            continue
        if source.startswith("||", i):
            toggle("||", "spoiler")
            i += 2
            continue
        if ch in "*_~":
            toggle(ch, {"*": "bold", "_": "italic", "~": "strikethrough"}[ch])
            i += 1
            continue
        if ch == "[":
            close = source.find("](", i)
            end = source.find(")", close + 2) if close >= 0 else -1
            if close < 0 or end < 0:
                raise bad_request(
                    "can't parse entities: Character '[' is reserved and must be escaped with the preceding '\\'"
                )
            inner, _ = parse_markdown_v2(source[i + 1 : close])
            url = re.sub(r"\\(.)", r"\1", source[close + 2 : end])
            start = length
            emit(inner)
            entities.append({"type": "text_link", "offset": start, "length": length - start, "url": url})
            i = end + 1
            continue
        if ch in _MDV2_RESERVED:
            raise bad_request(
                f"can't parse entities: Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        emit(ch)
        i += 1
    if open_marks:
        mark = open_marks[-1][0]
        kind = {"*": "bold", "_": "italic", "~": "strikethrough", "__": "underline", "||": "spoiler"}[mark]
        raise bad_request(f"can't parse entities: Can't find end of {kind} entity at byte offset {n}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def parse_markdown_legacy(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Legacy ``Markdown``: *bold*, _italic_, `code`, ```pre```, [text](url); no reserved-character checks."""
    out: list[str] = []
    length = 0
    entities: list[dict[str, Any]] = []
    pattern = re.compile(r"```(.*?)```|`([^`]*)`|\*([^*]*)\*|_([^_]*)_|\[([^\]]*)\]\(([^)]*)\)", re.S)
    pos = 0
    for match in pattern.finditer(source):
        plain = source[pos : match.start()]
        out.append(plain)
        length += utf16_len(plain)
        groups = match.groups()
        if groups[0] is not None:
            body, kind, extra = groups[0], "pre", {}
        elif groups[1] is not None:
            body, kind, extra = groups[1], "code", {}
        elif groups[2] is not None:
            body, kind, extra = groups[2], "bold", {}
        elif groups[3] is not None:
            body, kind, extra = groups[3], "italic", {}
        else:
            body, kind, extra = groups[4], "text_link", {"url": groups[5]}
        out.append(body)
        if body:
            entities.append({"type": kind, "offset": length, "length": utf16_len(body), **extra})
        length += utf16_len(body)
        pos = match.end()
    out.append(source[pos:])
    return "".join(out), entities


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    mode = (parse_mode or "").strip().lower()
    if not mode:
        return text, []
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown_legacy(text)
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


_SAFE_URL = re.compile(r"^(https?://|tg://|mailto:)", re.I)


def entities_to_html(text: str | None, entities: list[dict[str, Any]] | None) -> str:
    """Render text + Telegram entities as safe HTML (whitelisted tags only, everything else escaped)."""
    if not text:
        return ""
    units = text.encode("utf-16-le")
    total = len(units) // 2

    def chunk(a: int, b: int) -> str:
        return html.escape(units[a * 2 : b * 2].decode("utf-16-le", errors="replace"))

    def tags(entity: dict[str, Any]) -> tuple[str, str]:
        kind = entity.get("type")
        simple = {
            "bold": "b",
            "italic": "i",
            "underline": "u",
            "strikethrough": "s",
            "code": "code",
            "spoiler": "span",
            "blockquote": "blockquote",
            "expandable_blockquote": "blockquote",
        }
        if kind in simple:
            tag = simple[kind]
            attr = ' class="spoiler"' if kind == "spoiler" else ""
            return f"<{tag}{attr}>", f"</{tag}>"
        if kind == "pre":
            return "<pre>", "</pre>"
        if kind == "text_link":
            url = str(entity.get("url") or "")
            if _SAFE_URL.match(url):
                return (
                    f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">',
                    "</a>",
                )
        return "", ""

    valid = []
    for entity in entities or []:
        try:
            start = int(entity["offset"])
            end = start + int(entity["length"])
        except (KeyError, TypeError, ValueError):
            continue
        if 0 <= start < end <= total:
            valid.append((start, end, entity))
    valid.sort(key=lambda item: (item[0], -item[1]))
    points = sorted({0, total, *(s for s, _, _ in valid), *(e for _, e, _ in valid)})
    result: list[str] = []
    stack: list[tuple[int, str]] = []  # (end, closing tag)
    pending = list(valid)
    for a, b in itertools.pairwise(points):
        # close entities ending at a
        while stack and stack[-1][0] <= a:
            result.append(stack.pop()[1])
        opened = [item for item in pending if item[0] == a]
        for item in opened:
            pending.remove(item)
            start, end, entity = item
            if stack and end > stack[-1][0]:
                end = stack[-1][0]  # clip badly nested entities
            open_tag, close_tag = tags(entity)
            result.append(open_tag)
            stack.append((end, close_tag))
        result.append(chunk(a, b))
    while stack:
        result.append(stack.pop()[1])
    return "".join(result)


def command_entities(text: str) -> list[dict[str, Any]]:
    """Entities a Telegram client would attach to a user's text: bot commands, URLs, mentions."""
    entities: list[dict[str, Any]] = []
    for match in re.finditer(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?", text):
        if match.start() == 0 or text[match.start() - 1].isspace():
            entities.append(
                {
                    "type": "bot_command",
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group(0)),
                }
            )
    for match in re.finditer(r"https?://[^\s]+", text):
        entities.append(
            {"type": "url", "offset": utf16_len(text[: match.start()]), "length": utf16_len(match.group(0))}
        )
    entities.sort(key=lambda e: e["offset"])
    return entities


def image_size(data: bytes) -> tuple[int, int]:
    """Width/height of a PNG, GIF or JPEG image; (0, 0) when unknown."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack("<HH", data[6:10])
            return int(width), int(height)
        if data.startswith(b"\xff\xd8"):
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                    i += 2
                    continue
                size = struct.unpack(">H", data[i + 2 : i + 4])[0]
                if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                    height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                    return int(width), int(height)
                i += 2 + size
    except (struct.error, IndexError):
        pass
    return 0, 0


# --------------------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Persona:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str = "ru"
    phone: str | None = None
    blocked: bool = False
    role: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def tg(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["language_code"] = self.language_code
        return data

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
            "phone": self.phone,
            "blocked": self.blocked,
            "role": self.role,
        }


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # photo | document | video | audio
    file_path: str
    data: bytes | None = None
    url: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0

    def photo_sizes(self) -> list[dict[str, Any]]:
        width, height = self.width or 320, self.height or 320
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": width,
                "height": height,
                "file_size": self.size,
            }
        ]

    def tg_document(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        data["file_size"] = self.size
        if self.kind == "video":
            data.update({"width": self.width or 640, "height": self.height or 360, "duration": 0})
        if self.kind == "audio":
            data["duration"] = 0
        return data

    def tg_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


@dataclass
class ChatMessage:
    chat_id: int
    message_id: int
    sender: str  # "user" | "bot"
    tg: dict[str, Any]
    seq: int
    edited: bool = False
    deleted: bool = False
    #: The reply_markup the message was sent with (any kind); ``tg`` only carries inline keyboards,
    #: as in Telegram, where Message.reply_markup is always an InlineKeyboardMarkup.
    markup: dict[str, Any] | None = None
    #: Sent with disable_notification: the person's phone would not ring for it.
    silent: bool = False


@dataclass
class Chat:
    id: int
    user_id: int
    type: str = "private"
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    next_message_id: int = 1
    seq: int = 0
    reply_keyboard: dict[str, Any] | None = None
    chat_instance: str = field(default_factory=lambda: str(secrets.randbits(62)))

    def visible(self) -> list[ChatMessage]:
        return [m for m in self.messages.values() if not m.deleted]


@dataclass
class Delivery:
    method: str
    chat_id: int | None
    at: float

    def public(self) -> dict[str, Any]:
        return {"method": self.method, "chat_id": self.chat_id, "at": self.at}


@dataclass
class Call:
    method: str
    chat_id: int | None
    at: float
    status: int = 200


@dataclass
class Fault:
    method: str  # Bot API method name, case-insensitive; "*" matches all
    error_code: int = 429
    chat_id: int | None = None
    retry_after: int | None = None
    description: str | None = None
    count: int = 1

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.count <= 0:
            return False
        if self.method != "*" and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def to_error(self) -> ApiError:
        parameters = None
        if self.error_code == 429:
            retry = self.retry_after if self.retry_after is not None else 1
            parameters = {"retry_after": retry}
            description = self.description or f"Too Many Requests: retry after {retry}"
        else:
            defaults = {
                400: "Bad Request: injected fault",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                404: "Not Found",
                409: "Conflict: injected fault",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }
            description = self.description or defaults.get(self.error_code, "Injected fault")
            if self.retry_after is not None:
                parameters = {"retry_after": self.retry_after}
        return ApiError(self.error_code, description, parameters)

    def public(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "chat_id": self.chat_id,
            "error_code": self.error_code,
            "retry_after": self.retry_after,
            "description": self.description,
            "count": self.count,
        }


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answer: dict[str, Any] | None = None


@dataclass
class Webhook:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class Notifier:
    """Wake-up-all primitive: ``await wait(timeout)`` returns when ``notify()`` is called (or on timeout)."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def _current(self) -> asyncio.Event:
        if self._event is None:
            self._event = asyncio.Event()
        return self._event

    def notify(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, seconds: float | None) -> bool:
        event = self._current()
        try:
            await asyncio.wait_for(event.wait(), seconds)
            return True
        except TimeoutError:
            return False


PersonaFactory = Callable[[dict[str, Any], str], Awaitable[None]]


class SandboxState:
    """All sandbox data. Create one, pass it to ``create_sandbox_app`` and keep it to inspect or drive it."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = "Estafeta Sandbox",
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else BOT_ID
        #: Optional hooks the application registers.
        self.persona_factory: PersonaFactory | None = None
        self.roles_provider: Callable[[], Any] | None = None
        self.is_update_done: Callable[[int], Awaitable[bool]] | None = None
        self.flood_control = False
        self.closing = False
        self.poll_generation = 0
        self.updates_changed = Notifier()
        self.activity = Notifier()
        self._reset_data()

    # ---- lifecycle ----------------------------------------------------------------------------------------

    def _reset_data(self) -> None:
        self.users: dict[int, Persona] = {}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.pending_updates: list[dict[str, Any]] = []
        self.delivered_update_ids: set[int] = set()
        # update ids keep growing across reset(): a polling bot's offset must never hide new updates
        self.next_update_id = getattr(self, "next_update_id", 1)
        self.next_user_id = FIRST_USER_ID
        self.deliveries: list[Delivery] = []
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.commands: dict[tuple[str, int | None, str], list[dict[str, str]]] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.webhook = Webhook()
        self.last_bot_call_at = 0.0
        self._file_counter = itertools.count(1)

    def reset(self) -> None:
        """Forget users, chats, updates, files, faults and recordings (hooks and token stay)."""
        self._reset_data()
        self.flood_control = False
        self.updates_changed.notify()
        self.activity.notify()

    def reopen(self) -> None:
        """Called when an app serving this state starts (fresh wake-up primitives for the running loop)."""
        self.closing = False
        self.updates_changed = Notifier()
        self.activity = Notifier()

    def close(self) -> None:
        self.closing = True
        self.updates_changed.notify()
        self.activity.notify()

    # ---- bot ----------------------------------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name, "username": self.bot_username}

    def get_me(self) -> dict[str, Any]:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # ---- users & chats ------------------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        *,
        language_code: str = "ru",
        phone: str | None = None,
        username: str | None = None,
        user_id: int | None = None,
        last_name: str | None = None,
    ) -> Persona:
        if user_id is None:
            while self.next_user_id in self.users:
                self.next_user_id += 1
            user_id = self.next_user_id
            self.next_user_id += 1
        elif user_id in self.users:
            raise ValueError(f"user {user_id} already exists")
        first, _, last = name.strip().partition(" ")
        persona = Persona(
            id=user_id,
            first_name=first or name,
            last_name=last_name or (last or None),
            username=username,
            language_code=language_code,
            phone=phone,
        )
        self.users[user_id] = persona
        self.chats[user_id] = Chat(id=user_id, user_id=user_id)
        return persona

    def user(self, user_id: int) -> Persona | None:
        return self.users.get(user_id)

    def chat(self, chat_id: int) -> Chat | None:
        return self.chats.get(chat_id)

    def tg_chat(self, chat: Chat) -> dict[str, Any]:
        persona = self.users[chat.user_id]
        data: dict[str, Any] = {"id": chat.id, "type": chat.type, "first_name": persona.first_name}
        if persona.last_name:
            data["last_name"] = persona.last_name
        if persona.username:
            data["username"] = persona.username
        return data

    # ---- messages -----------------------------------------------------------------------------------------

    def add_message(
        self, chat: Chat, sender: str, content: dict[str, Any], markup: dict[str, Any] | None = None
    ) -> ChatMessage:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        chat.seq += 1
        persona = self.users[chat.user_id]
        tg: dict[str, Any] = {
            "message_id": message_id,
            "from": self.bot_user() if sender == "bot" else persona.tg(),
            "chat": self.tg_chat(chat),
            "date": int(time.time()),
            **content,
        }
        if markup and markup.get("inline_keyboard"):
            tg["reply_markup"] = markup
        message = ChatMessage(chat_id=chat.id, message_id=message_id, sender=sender, tg=tg, seq=chat.seq, markup=markup)
        chat.messages[message_id] = message
        if sender == "bot":
            self._track_reply_keyboard(chat, markup)
        self.activity.notify()
        return message

    def _track_reply_keyboard(self, chat: Chat, markup: dict[str, Any] | None) -> None:
        if not markup:
            return
        if "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None

    def touch_message(self, chat: Chat, message: ChatMessage, *, edited: bool = True) -> None:
        chat.seq += 1
        message.seq = chat.seq
        if edited:
            message.edited = True
            message.tg["edit_date"] = int(time.time())
        self.activity.notify()

    def delete_message(self, chat: Chat, message: ChatMessage) -> None:
        message.deleted = True
        chat.seq += 1
        message.seq = chat.seq
        self.activity.notify()

    # ---- files --------------------------------------------------------------------------------------------

    def add_file(
        self,
        kind: str,
        *,
        data: bytes | None = None,
        url: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        number = next(self._file_counter)
        prefix = {"photo": "AgAC", "document": "BQAC", "video": "BAAC", "audio": "CQAC"}.get(kind, "BQAC")
        file_id = f"{prefix}{secrets.token_urlsafe(18)}_{number}"
        if mime_type:
            mime_type = mime_type.split(";", 1)[0].strip().lower() or None
        if mime_type in (None, "application/octet-stream") and file_name:
            mime_type = mimetypes.guess_type(file_name)[0] or mime_type
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        if kind == "photo":
            mime_type = mime_type or "image/jpeg"
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1][:8]
        elif mime_type:
            ext = mimetypes.guess_extension(mime_type) or ""
        folder = {"photo": "photos", "video": "videos", "audio": "music"}.get(kind, "documents")
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"AQAD{secrets.token_urlsafe(6)}{number}",
            kind=kind,
            file_path=f"{folder}/file_{number}{ext}",
            data=data,
            url=url,
            file_name=file_name,
            mime_type=mime_type,
        )
        if data is not None and kind in ("photo", "video", "document"):
            stored.width, stored.height = image_size(data)
        self.files[file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        for stored in self.files.values():
            if stored.file_path == path:
                return stored
        return None

    # ---- updates ------------------------------------------------------------------------------------------

    def enqueue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.pending_updates.append(update)
        self.updates_changed.notify()
        return update

    def confirm_updates(self, offset: int) -> None:
        """getUpdates ``offset``: every update with an id lower than offset is confirmed and forgotten."""
        if offset < 0:
            return
        kept = []
        for update in self.pending_updates:
            if update["update_id"] < offset:
                self.delivered_update_ids.add(update["update_id"])
            else:
                kept.append(update)
        self.pending_updates = kept

    def take_updates(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        if offset is not None and offset < 0:
            chosen = self.pending_updates[offset:]
        else:
            if offset is not None:
                self.confirm_updates(offset)
            chosen = self.pending_updates
        chosen = chosen[:limit]
        for update in chosen:
            self.delivered_update_ids.add(update["update_id"])
        return list(chosen)

    def mark_delivered(self, update_id: int) -> None:
        self.delivered_update_ids.add(update_id)
        self.pending_updates = [u for u in self.pending_updates if u["update_id"] != update_id]

    def drop_pending_updates(self) -> None:
        for update in self.pending_updates:
            self.delivered_update_ids.add(update["update_id"])
        self.pending_updates = []

    # ---- persona actions (each creates the user's message and an update) -----------------------------------

    def _user_chat(self, user_id: int) -> tuple[Persona, Chat]:
        persona = self.users.get(user_id)
        if persona is None:
            raise KeyError(user_id)
        return persona, self.chats[user_id]

    def _force_reply_target(self, chat: Chat) -> ChatMessage | None:
        visible = chat.visible()
        if not visible:
            return None
        last = max(visible, key=lambda m: m.message_id)
        markup = last.markup or {}
        if last.sender == "bot" and markup.get("force_reply"):
            return last
        return None

    def user_message(
        self, user_id: int, content: dict[str, Any], *, reply_to: int | None = None
    ) -> tuple[dict[str, Any], ChatMessage]:
        """Add a message from the persona and queue the ``message`` update. Returns (update, message)."""
        persona, chat = self._user_chat(user_id)
        target: ChatMessage | None = None
        if reply_to is not None:
            target = chat.messages.get(reply_to)
        else:
            target = self._force_reply_target(chat)
        if target is not None and not target.deleted:
            content = {**content, "reply_to_message": dict(target.tg)}
        message = self.add_message(chat, "user", content)
        update = self.enqueue_update("message", message.tg)
        return update, message

    def user_text(self, user_id: int, text: str, *, reply_to: int | None = None) -> tuple[dict, ChatMessage]:
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self.user_message(user_id, content, reply_to=reply_to)

    def user_location(self, user_id: int, latitude: float, longitude: float) -> tuple[dict, ChatMessage]:
        return self.user_message(user_id, {"location": {"latitude": latitude, "longitude": longitude}})

    def user_contact(
        self, user_id: int, phone_number: str, first_name: str | None = None, contact_user_id: int | None = None
    ) -> tuple[dict, ChatMessage]:
        persona = self.users[user_id]
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name or persona.first_name}
        if persona.last_name and first_name is None:
            contact["last_name"] = persona.last_name
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return self.user_message(user_id, {"contact": contact})

    def user_file(
        self,
        user_id: int,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> tuple[dict, ChatMessage]:
        stored = self.add_file(kind, data=data, file_name=file_name, mime_type=mime_type)
        content: dict[str, Any] = {}
        if kind == "photo":
            content["photo"] = stored.photo_sizes()
        else:
            content[kind] = stored.tg_document()
        if caption:
            content["caption"] = caption
            entities = command_entities(caption)
            if entities:
                content["caption_entities"] = entities
        return self.user_message(user_id, content)

    def user_callback(self, user_id: int, message: ChatMessage, data: str) -> tuple[dict, CallbackQuery]:
        persona, chat = self._user_chat(user_id)
        query_id = str(secrets.randbits(63))
        record = CallbackQuery(
            id=query_id,
            user_id=user_id,
            chat_id=chat.id,
            message_id=message.message_id,
            data=data,
            created=time.monotonic(),
        )
        self.callback_queries[query_id] = record
        update = self.enqueue_update(
            "callback_query",
            {
                "id": query_id,
                "from": persona.tg(),
                "message": dict(message.tg),
                "chat_instance": chat.chat_instance,
                "data": data,
            },
        )
        return update, record

    def set_blocked(self, user_id: int, blocked: bool) -> dict[str, Any] | None:
        persona, chat = self._user_chat(user_id)
        if persona.blocked == blocked:
            return None
        persona.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        now = int(time.time())
        bot = self.bot_user()
        member_new: dict[str, Any] = {"status": new, "user": bot}
        if blocked:
            member_new["until_date"] = 0
        member_old: dict[str, Any] = {"status": old, "user": bot}
        if not blocked:
            member_old["until_date"] = 0
        return self.enqueue_update(
            "my_chat_member",
            {
                "chat": self.tg_chat(chat),
                "from": persona.tg(),
                "date": now,
                "old_chat_member": member_old,
                "new_chat_member": member_new,
            },
        )

    # ---- commands -----------------------------------------------------------------------------------------

    def effective_commands(self, user_id: int) -> list[dict[str, str]]:
        persona = self.users.get(user_id)
        lang = persona.language_code if persona else ""
        for key in (
            ("chat", user_id, lang),
            ("chat", user_id, ""),
            ("all_private_chats", None, lang),
            ("all_private_chats", None, ""),
            ("default", None, lang),
            ("default", None, ""),
        ):
            if key in self.commands:
                return self.commands[key]
        return []

    # ---- faults & recording -------------------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        self.faults.append(fault)

    def take_fault(self, method: str, chat_id: int | None) -> ApiError | None:
        for fault in self.faults:
            if fault.matches(method, chat_id):
                fault.count -= 1
                error = fault.to_error()
                self.faults = [f for f in self.faults if f.count > 0]
                return error
        return None

    def check_flood(self, chat_id: int | None) -> ApiError | None:
        if not self.flood_control:
            return None
        now = time.monotonic()
        recent = [d for d in self.deliveries if now - d.at < 1.0]
        same_chat = [d for d in recent if d.chat_id == chat_id]
        if same_chat or len(recent) >= 30:
            oldest = min(d.at for d in (same_chat or recent))
            retry = max(1, int(round(1.0 - (now - oldest) + 0.4999)))
            return ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        return None

    def record_call(self, method: str, chat_id: int | None, status: int) -> None:
        now = time.monotonic()
        self.calls.append(Call(method, chat_id, now, status))
        if len(self.calls) > 10000:
            del self.calls[:5000]
        if method.lower() not in ("getupdates", "getme", "getwebhookinfo", "getmycommands", "getfile"):
            self.last_bot_call_at = now
            self.activity.notify()

    def record_delivery(self, method: str, chat_id: int | None) -> None:
        self.deliveries.append(Delivery(method, chat_id, time.monotonic()))

    # ---- persona view -------------------------------------------------------------------------------------

    def mark_silent(self, chat_id: int, message_id: int) -> None:
        chat = self.chat(chat_id)
        message = chat.messages.get(message_id) if chat is not None else None
        if message is not None:
            message.silent = True

    def message_view(self, message: ChatMessage, files_url: str) -> dict[str, Any]:
        """The persona-API shape of a message; ``files_url`` is the URL prefix of the file download route."""
        tg = message.tg
        view: dict[str, Any] = {
            "message_id": message.message_id,
            "seq": message.seq,
            "from": message.sender,
            "date": tg.get("date"),
            "text": tg.get("text"),
            "caption": tg.get("caption"),
            "edited": message.edited,
            "deleted": message.deleted,
            "silent": message.silent,
        }
        if tg.get("text") is not None:
            view["html"] = entities_to_html(tg.get("text"), tg.get("entities"))
        elif tg.get("caption") is not None:
            view["html"] = entities_to_html(tg.get("caption"), tg.get("caption_entities"))
        if tg.get("photo"):
            biggest = tg["photo"][-1]
            view["photo"] = {
                "file_id": biggest["file_id"],
                "url": f"{files_url}/{biggest['file_id']}",
                "width": biggest.get("width"),
                "height": biggest.get("height"),
            }
        for kind in ("document", "video", "audio"):
            if tg.get(kind):
                item = dict(tg[kind])
                item["url"] = f"{files_url}/{item['file_id']}"
                view[kind] = item
        for key in ("location", "contact", "media_group_id"):
            if tg.get(key) is not None:
                view[key] = tg[key]
        if tg.get("reply_to_message"):
            view["reply_to_message_id"] = tg["reply_to_message"].get("message_id")
        markup = message.markup or {}
        if tg.get("reply_markup", {}).get("inline_keyboard"):
            view["inline_keyboard"] = tg["reply_markup"]["inline_keyboard"]
        if markup.get("keyboard"):
            view["reply_keyboard"] = markup
        if markup.get("remove_keyboard"):
            view["remove_keyboard"] = True
        if markup.get("force_reply"):
            view["force_reply"] = True
        return view
