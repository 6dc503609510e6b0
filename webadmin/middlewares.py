"""Panel middlewares. They act only on the panel's own routes (and on unmatched panel-looking paths),
never on /sandbox/..., /api/..., the Telegram webhook or other JSON endpoints mounted on the same app."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from webadmin.keys import PANEL_ROUTES, SETTINGS
from webadmin.render import render_error
from webadmin.session import csrf_valid

log = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FOREIGN_PREFIXES = ("/sandbox", "/api", "/telegram", "/static")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


class CsrfRejected(web.HTTPForbidden):
    """A form came without this session's CSRF token."""


def _own_route(request: web.Request) -> bool:
    return request.match_info.route in request.config_dict.get(PANEL_ROUTES, ())


def _foreign_path(request: web.Request) -> bool:
    webhook = request.config_dict[SETTINGS].telegram.webhook_path
    path = request.path
    return any(path == prefix or path.startswith(prefix + "/") for prefix in (*FOREIGN_PREFIXES, webhook))


def _wants_html(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return not accept or "text/html" in accept or "*/*" in accept


def is_panel_request(request: web.Request) -> bool:
    if _own_route(request):
        return True
    # Nothing matched (404/405): answer with the panel's page unless the path belongs to someone else.
    return request.match_info.http_exception is not None and not _foreign_path(request) and _wants_html(request)


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Localized 4xx/5xx pages for panel requests; unexpected errors are logged and shown as a 500 page."""
    if not is_panel_request(request):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        response = await render_error(request, exc.status, kind="csrf" if isinstance(exc, CsrfRejected) else None)
        if isinstance(exc, web.HTTPMethodNotAllowed):
            response.headers["Allow"] = exc.headers.get("Allow", "")
    except Exception:
        log.exception("panel request %s %s failed", request.method, request.path)
        response = await render_error(request, 500)
    if isinstance(response, web.Response) and response.content_type == "text/html":
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


@web.middleware
async def csrf_protect(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every state-changing request to a panel route must carry the session's CSRF token."""
    if request.method in UNSAFE_METHODS and _own_route(request) and not await csrf_valid(request):
        log.warning("CSRF token missing or wrong: %s %s from %s", request.method, request.path, request.remote)
        raise CsrfRejected()
    return await handler(request)
