"""Bot API call parameters, however they arrive: query string, JSON body, urlencoded form or multipart form."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

from .state import ApiError, bad_request

MAX_BODY = 60 * 1024 * 1024


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

    def _number(self, name: str, required: bool, type_name: str) -> Any:
        """The raw value, None when absent; a boolean is refused though Python would take it as 0 or 1."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type {type_name}')
        return value

    def int(self, name: str, *, required: bool = False) -> int | None:
        value = self._number(name, required, "Integer")
        if value is None:
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def float(self, name: str, *, required: bool = False) -> float | None:
        value = self._number(name, required, "Number")
        if value is None:
            return None
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


async def read_form(reader: aiohttp.MultipartReader, *, max_total: int | None = None) -> Params:
    """A multipart form's fields and files; ``max_total`` bounds the bytes of all parts together."""
    values: dict[str, Any] = {}
    files: dict[str, Upload] = {}
    total = 0
    async for part in reader:
        if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
            continue
        data = bytes(await part.read(decode=True))
        total += len(data)
        if max_total is not None and total > max_total:
            raise ApiError(413, "Request Entity Too Large")
        if part.filename is not None:
            files[part.name] = Upload(part.filename, part.headers.get("Content-Type"), data)
        else:
            values[part.name] = data.decode(part.get_charset("utf-8"), errors="replace")
    return Params(values, files)


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.body_exists:
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            form = await read_form(await request.multipart(), max_total=MAX_BODY)
            values.update(form.values)
            files = form.files
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
