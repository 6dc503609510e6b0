"""The Telegram webhook: authenticate, store the update, answer 200 at once, process in the background."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable

from aiohttp import web

from bot.runtime import BadUpdate, UpdateProcessor

log = logging.getLogger(__name__)
MAX_UPDATE_BYTES = 1 << 20


def make_webhook_handler(secret: str, get_processor: Callable[[], UpdateProcessor | None]):
    async def telegram_webhook(request: web.Request) -> web.Response:
        if secret:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                return web.json_response({"ok": False, "description": "wrong secret token"}, status=401)
        if request.content_length and request.content_length > MAX_UPDATE_BYTES:
            return web.json_response({"ok": False, "description": "update too large"}, status=413)
        body = await request.read()
        if len(body) > MAX_UPDATE_BYTES:
            return web.json_response({"ok": False, "description": "update too large"}, status=413)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"ok": False, "description": "body is not JSON"}, status=400)
        except RecursionError:
            return web.json_response({"ok": False, "description": "JSON nested too deeply"}, status=400)
        processor = get_processor()
        if processor is None:
            return web.json_response({"ok": False, "description": "starting up, retry later"}, status=503)
        try:
            await processor.accept(payload)
        except BadUpdate as exc:
            return web.json_response({"ok": False, "description": str(exc)}, status=400)
        except Exception:
            # Not stored, so not acknowledged: Telegram will deliver it again.
            log.exception("could not store a webhook update")
            return web.json_response({"ok": False, "description": "temporarily unavailable"}, status=503)
        return web.json_response({"ok": True})

    return telegram_webhook
