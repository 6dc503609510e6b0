"""Python test client for the sandbox persona API.

sandbox = SandboxClient("http://127.0.0.1:8080", token=app.sandbox_token)
alice = await sandbox.user("Alice", language_code="ru", phone="+380501234567")
replies = await alice.send("/start")
replies = await alice.press("Approve")
print(alice.last_callback_answer)
"""

# ruff: noqa: ASYNC109  -- `timeout=` here is the sandbox's wait for the bot (sent to the server), not a local one

from __future__ import annotations

import asyncio
import mimetypes
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx


class SandboxError(AssertionError):
    """The sandbox refused an action or the bot did not react as expected.

    Subclasses AssertionError so that pytest shows it as a test failure with the message."""

    def __init__(self, message: str, *, status: int | None = None, payload: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.payload = payload


@dataclass
class BotMessage:
    message_id: int
    text: str | None = None
    caption: str | None = None
    buttons: list[str] = field(default_factory=list)
    inline_keyboard: list[list[dict[str, Any]]] = field(default_factory=list)
    reply_keyboard: list[list[dict[str, Any]]] = field(default_factory=list)
    photo: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    location: dict[str, Any] | None = None
    edited: bool = False
    silent: bool = False  # sent with disable_notification
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> BotMessage:
        inline = data.get("inline_keyboard") or []
        reply = (data.get("reply_keyboard") or {}).get("keyboard") or []
        buttons = [b["text"] for row in inline for b in row] + [b["text"] for row in reply for b in row]
        return cls(
            message_id=data["message_id"],
            text=data.get("text"),
            caption=data.get("caption"),
            buttons=buttons,
            inline_keyboard=inline,
            reply_keyboard=reply,
            photo=data.get("photo"),
            document=data.get("document"),
            location=data.get("location"),
            edited=bool(data.get("edited")),
            silent=bool(data.get("silent")),
            raw=data,
        )

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has ("" if none)."""
        return self.text if self.text is not None else (self.caption or "")

    def __str__(self) -> str:
        body = self.content or ("[photo]" if self.photo else "[document]" if self.document else "[message]")
        if self.buttons:
            body += f" {self.buttons}"
        return body


def _describe(messages: list[BotMessage]) -> str:
    if not messages:
        return "the bot said nothing"
    return "the bot said: " + " | ".join(repr(str(m)) for m in messages)


class SandboxClient:
    """Client of the persona API at ``{base_url}/sandbox/api``.

    ``base_url`` is the web app root (``http://127.0.0.1:8080``); a URL already ending in ``/sandbox`` or
    ``/sandbox/api`` is accepted too. ``token`` is the sandbox token, sent as ``Authorization: Bearer``; a bare
    test sandbox needs none. Pass ``http`` to reuse an ``httpx.AsyncClient`` (then ``base_url`` may be empty when
    that client has its own ``base_url``; the token is still sent with each request).
    """

    def __init__(
        self,
        base_url: str = "",
        *,
        token: str | None = None,
        http: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
    ) -> None:
        base = base_url.rstrip("/")
        if base.endswith("/sandbox/api"):
            self.api = base
        elif base.endswith("/sandbox"):
            self.api = base + "/api"
        else:
            self.api = base + "/sandbox/api"
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(timeout + 30.0))

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_http:
            await self.http.aclose()

    # ---- raw requests -------------------------------------------------------------------------------------

    async def request(self, method: str, path: str, *, expect: tuple[int, ...] = (200, 201), **kwargs: Any) -> Any:
        response = await self.http.request(method, f"{self.api}{path}", headers=self.headers, **kwargs)
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        if response.status_code not in expect:
            message = (payload.get("error") or payload.get("description")) if isinstance(payload, dict) else payload
            raise SandboxError(
                f"{method} {path} -> {response.status_code}: {message}", status=response.status_code, payload=payload
            )
        return payload

    # ---- personas & settings ------------------------------------------------------------------------------

    async def user(
        self,
        name: str,
        *,
        language_code: str = "ru",
        phone: str | None = None,
        username: str | None = None,
        user_id: int | None = None,
        role: str | None = None,
    ) -> SandboxUser:
        body: dict[str, Any] = {"name": name, "language_code": language_code}
        for key, value in (("phone", phone), ("username", username), ("id", user_id), ("role", role)):
            if value is not None:
                body[key] = value
        data = await self.request("POST", "/users", json=body)
        return SandboxUser(self, data)

    async def users(self) -> list[dict[str, Any]]:
        return await self.request("GET", "/users")

    async def existing_user(self, user_id: int) -> SandboxUser:
        return SandboxUser(self, await self.request("GET", f"/users/{user_id}"))

    async def fault(
        self,
        method: str,
        *,
        error_code: int = 429,
        retry_after: int | None = None,
        chat_id: int | None = None,
        description: str | None = None,
        count: int = 1,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"method": method, "error_code": error_code, "count": count}
        for key, value in (("retry_after", retry_after), ("chat_id", chat_id), ("description", description)):
            if value is not None:
                body[key] = value
        return await self.request("POST", "/faults", json=body)

    async def settings(self, *, flood_control: bool | None = None) -> dict[str, Any]:
        if flood_control is None:
            return await self.request("GET", "/settings")
        return await self.request("POST", "/settings", json={"flood_control": flood_control})

    async def deliveries(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        params = {"chat_id": chat_id} if chat_id is not None else None
        return (await self.request("GET", "/deliveries", params=params))["deliveries"]

    async def reset(self) -> None:
        await self.request("POST", "/reset")

    async def roles(self) -> list[Any]:
        return await self.request("GET", "/roles")

    async def download(self, file_id: str) -> bytes:
        response = await self.http.get(f"{self.api}/files/{file_id}", headers=self.headers, follow_redirects=True)
        if response.status_code != 200:
            raise SandboxError(f"file {file_id}: HTTP {response.status_code}", status=response.status_code)
        return response.content


class SandboxUser:
    """A persona: acts in its private chat with the bot."""

    def __init__(self, sandbox: SandboxClient, data: dict[str, Any]) -> None:
        self.sandbox = sandbox
        self.id: int = data["id"]
        self.name: str = data.get("name", "")
        self.language_code: str = data.get("language_code", "ru")
        self.phone: str | None = data.get("phone")
        self.data = data
        self.last_callback_answer: dict[str, Any] | None = None
        self.last_update_id: int | None = None

    def __repr__(self) -> str:
        return f"<SandboxUser {self.id} {self.name!r}>"

    @property
    def chat_id(self) -> int:
        return self.id

    def _params(self, timeout: float | None, wait: bool) -> dict[str, str]:
        params = {"timeout": str(self.sandbox.timeout if timeout is None else timeout)}
        if not wait:
            params["wait"] = "0"
        return params

    async def _act(self, path: str, *, timeout: float | None, wait: bool, what: str, **kwargs: Any) -> Any:
        try:
            data = await self.sandbox.request(
                "POST", f"/users/{self.id}/{path}", params=self._params(timeout, wait), **kwargs
            )
        except SandboxError as exc:
            payload = exc.payload if isinstance(exc.payload, dict) else {}
            detail = str(exc)
            if exc.status == 504:
                said = [BotMessage.from_api(m) for m in payload.get("messages") or []]
                delivered = payload.get("update_delivered")
                hint = "" if delivered else " (the update was never fetched: is the bot polling/webhook running?)"
                detail = f"{self.name}: {what}: {payload.get('error')}{hint}; {_describe(said)}"
            elif exc.status == 404 and "buttons" in payload:
                last = await self._last_bot_message_or_none()
                detail = (
                    f"{self.name}: {what}: {payload.get('error')}; last bot message: {str(last)!r}"
                    if last
                    else f"{self.name}: {what}: {payload.get('error')}"
                )
            else:
                detail = f"{self.name}: {what}: {detail}"
            raise SandboxError(detail, status=exc.status, payload=exc.payload) from None
        self.last_update_id = data.get("update_id")
        return data

    # ---- actions ------------------------------------------------------------------------------------------

    async def send(
        self, text: str, *, timeout: float | None = None, wait: bool = True, reply_to: int | None = None
    ) -> list[BotMessage]:
        body: dict[str, Any] = {"text": text}
        if reply_to is not None:
            body["reply_to_message_id"] = reply_to
        data = await self._act("send", timeout=timeout, wait=wait, what=f"send {text!r}", json=body)
        return [BotMessage.from_api(m) for m in data["messages"]]

    async def press(
        self,
        text: str,
        *,
        timeout: float | None = None,
        wait: bool = True,
        latitude: float | None = None,
        longitude: float | None = None,
        message_id: int | None = None,
    ) -> list[BotMessage]:
        """Press the button with this text on the newest bot message that has one (`message_id`: on that one)."""
        body: dict[str, Any] = {"text": text}
        if message_id is not None:
            body["message_id"] = message_id
        if latitude is not None and longitude is not None:
            body.update(latitude=latitude, longitude=longitude)
        data = await self._act("press", timeout=timeout, wait=wait, what=f"press {text!r}", json=body)
        self.last_callback_answer = data.get("callback_answer")
        return [BotMessage.from_api(m) for m in data["messages"]]

    async def _send_file(
        self,
        field_name: str,
        file: str | Path | bytes,
        caption: str | None,
        filename: str | None,
        mime_type: str | None,
        timeout: float | None,
        wait: bool,
    ) -> list[BotMessage]:
        if isinstance(file, bytes):
            content = file
            filename = filename or ("photo.jpg" if field_name == "photo" else "file.bin")
        else:
            path = Path(file)
            content = await asyncio.to_thread(path.read_bytes)
            filename = filename or path.name
        mime_type = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        data = {"caption": caption} if caption else None
        result = await self._act(
            "send",
            timeout=timeout,
            wait=wait,
            what=f"send {field_name} {filename!r}",
            files={field_name: (filename, content, mime_type)},
            data=data,
        )
        return [BotMessage.from_api(m) for m in result["messages"]]

    async def send_photo(
        self,
        file: str | Path | bytes,
        caption: str | None = None,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        timeout: float | None = None,
        wait: bool = True,
    ) -> list[BotMessage]:
        return await self._send_file("photo", file, caption, filename, mime_type, timeout, wait)

    async def send_document(
        self,
        file: str | Path | bytes,
        caption: str | None = None,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        timeout: float | None = None,
        wait: bool = True,
    ) -> list[BotMessage]:
        return await self._send_file("document", file, caption, filename, mime_type, timeout, wait)

    async def share_location(
        self, latitude: float, longitude: float, *, timeout: float | None = None, wait: bool = True
    ) -> list[BotMessage]:
        body = {"location": {"latitude": latitude, "longitude": longitude}}
        data = await self._act("send", timeout=timeout, wait=wait, what="share location", json=body)
        return [BotMessage.from_api(m) for m in data["messages"]]

    async def share_contact(
        self,
        phone: str | None = None,
        *,
        first_name: str | None = None,
        timeout: float | None = None,
        wait: bool = True,
    ) -> list[BotMessage]:
        contact: dict[str, Any] = {}
        if phone is not None:
            contact["phone_number"] = phone
        if first_name is not None:
            contact["first_name"] = first_name
        data = await self._act("send", timeout=timeout, wait=wait, what="share contact", json={"contact": contact})
        return [BotMessage.from_api(m) for m in data["messages"]]

    async def block(self) -> None:
        await self.sandbox.request("POST", f"/users/{self.id}/block")

    async def unblock(self) -> None:
        await self.sandbox.request("POST", f"/users/{self.id}/unblock")

    # ---- reading ------------------------------------------------------------------------------------------

    async def chat(self, after: int = 0) -> dict[str, Any]:
        """The raw chat view: {"messages", "seq", "reply_keyboard", "commands", ...}."""
        return await self.sandbox.request("GET", f"/users/{self.id}/chat", params={"after": after})

    async def messages(self) -> list[BotMessage]:
        """All bot messages in the chat (oldest first)."""
        data = await self.chat()
        return [BotMessage.from_api(m) for m in data["messages"] if m["from"] == "bot" and not m["deleted"]]

    async def _last_bot_message_or_none(self) -> BotMessage | None:
        try:
            messages = await self.messages()
        except SandboxError:
            return None
        return messages[-1] if messages else None

    async def last_message(self, *, timeout: float | None = None) -> BotMessage:
        """The newest bot message; waits up to ``timeout`` seconds for one to exist."""
        deadline = time.monotonic() + (self.sandbox.timeout if timeout is None else timeout)
        while True:
            message = await self._last_bot_message_or_none()
            if message is not None:
                return message
            if time.monotonic() >= deadline:
                raise SandboxError(f"{self.name}: the bot has not written anything in this chat")
            await asyncio.sleep(0.05)

    async def reply_keyboard(self) -> list[str]:
        """Visible texts of the chat's current reply keyboard."""
        data = await self.chat()
        keyboard = (data.get("reply_keyboard") or {}).get("keyboard") or []
        return [button["text"] for row in keyboard for button in row]

    async def commands(self) -> list[dict[str, str]]:
        return (await self.chat())["commands"]

    def buttons(self, message: BotMessage) -> list[str]:
        return list(message.buttons)


__all__ = ["BotMessage", "SandboxClient", "SandboxError", "SandboxUser"]
