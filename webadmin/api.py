"""The HTTP API for websites and landing pages: `POST /api/v1/leads` and its OpenAPI document.

Handlers only read the request and render JSON; what a lead is and what happens to it is core.intake's business.
Every refusal is a 4xx with a stable `error` code (and `fields` naming each bad field); the texts in `message` are
for the developer wiring a form, so they are English like the rest of the HTTP contract.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from aiohttp import web

from core import intake
from webadmin.keys import SETTINGS

LEADS_PATH = "/api/v1/leads"
OPENAPI_PATH = "/api/v1/openapi.json"
MAX_BODY_BYTES = 64 * 1024
JSON_TYPES = ("application/json",)
# Sorted keys: a replayed answer is byte for byte the first one, though PostgreSQL's jsonb kept it in its own order.
_dumps = partial(json.dumps, sort_keys=True, ensure_ascii=False)


def setup_api(app: web.Application) -> None:
    """Adds the API routes. They sit outside the panel's routes, so no session, CSRF or HTML error pages apply."""
    app.router.add_post(LEADS_PATH, post_lead, name="api_leads")
    app.router.add_get(OPENAPI_PATH, openapi_document, name="api_openapi")


def _error(status: int, error: str, message: str | None = None, **extra: Any) -> web.Response:
    body: dict[str, Any] = {"error": error, **extra}
    if message:
        body["message"] = message
    headers = {"WWW-Authenticate": 'Bearer realm="estafeta"'} if status == 401 else None
    return web.json_response(body, status=status, headers=headers, dumps=_dumps)


def _presented_key(request: web.Request) -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.headers.get("X-Api-Key", "").strip() or None


async def _read_body(request: web.Request) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY_BYTES (read no further than that)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(MAX_BODY_BYTES + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
    return b"".join(chunks)


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _parse_json(raw: bytes) -> Any:
    """Raises ValueError for anything that is not strict JSON (NaN and Infinity included)."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error


async def post_lead(request: web.Request) -> web.Response:
    settings = request.config_dict[SETTINGS]
    api_key = await intake.authenticate(_presented_key(request))
    if api_key is None:
        return _error(401, "unauthorized", "Send a valid API key as 'Authorization: Bearer <key>' or 'X-Api-Key'.")
    if request.content_type not in JSON_TYPES:
        return _error(415, "unsupported_media_type", "The body must be JSON sent as 'Content-Type: application/json'.")
    raw = await _read_body(request)
    if raw is None:
        return _error(413, "body_too_large", f"The body must not exceed {MAX_BODY_BYTES} bytes.")
    try:
        body = _parse_json(raw)
    except ValueError:
        return _error(400, "invalid_json", "The body is not valid UTF-8 JSON.")
    if not isinstance(body, dict):
        return _error(422, "not_an_object", "The body must be a JSON object.")
    idempotency_key = request.headers.get("Idempotency-Key")
    if idempotency_key is not None and not intake.valid_idempotency_key(idempotency_key):
        return _error(400, "invalid_idempotency_key",
                      f"Idempotency-Key must be 1-{intake.IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters.")
    region, locale = settings.i18n.default_region, settings.i18n.default_locale
    try:
        lead = await intake.validate_lead(body, pipeline_key=api_key.pipeline_key, region=region,
                                          zone=settings.i18n.zone)
        result = await intake.submit_lead(api_key, lead, idempotency_key, intake.body_hash(body), region=region,
                                          default_locale=locale)
    except intake.LeadInvalid as invalid:
        return _error(422, "invalid", fields=invalid.errors)
    except intake.PipelineUnavailable:
        return _error(503, "pipeline_unavailable", "Leads of this source cannot be accepted now; try again later.")
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return web.json_response(result.body, status=result.status_code, headers=headers, dumps=_dumps)


async def openapi_document(request: web.Request) -> web.Response:
    return web.json_response(OPENAPI, dumps=_dumps)


# --- the OpenAPI document ----------------------------------------------------------------------------------------

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "A stable code."},
        "message": {"type": "string", "description": "What to fix, for the developer."},
    },
}

_INVALID = {
    "type": "object",
    "required": ["error", "fields"],
    "properties": {
        "error": {"type": "string", "enum": ["invalid"]},
        "fields": {
            "type": "object",
            "description": (
                "Each bad field and why. Keys: name, phone, email, message, source, utm, fields, "
                "`fields.<key>` for a custom field, or an unknown top-level key. Reasons: required, invalid_type, "
                "too_long, too_many, invalid_phone, invalid_email, phone_or_email_required, unknown_field, "
                "invalid_characters, not_accepted, not_editable, unknown_choice, invalid."
            ),
            "additionalProperties": {"type": "string"},
        },
    },
}

_LEAD = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "description": "A lead needs a name and at least one of phone and email.",
    "anyOf": [{"required": ["phone"]}, {"required": ["email"]}],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": intake.NAME_MAX_LENGTH,
                 "description": "The customer's name as they typed it."},
        "phone": {"type": "string", "maxLength": intake.PHONE_MAX_LENGTH,
                  "description": "Any common format; numbers without a country code are read as in the server's "
                                 "default region. Stored as E.164. The customer is matched by it."},
        "email": {"type": "string", "maxLength": intake.EMAIL_MAX_LENGTH,
                  "description": "Matched case-insensitively when there is no phone match."},
        "message": {"type": "string", "maxLength": intake.MESSAGE_MAX_LENGTH,
                    "description": "What the customer wrote; the manager sees it in the Telegram message."},
        "source": {"type": "string", "maxLength": intake.SOURCE_MAX_LENGTH,
                   "description": "Where on the site the form is (defaults to the API key's source)."},
        "utm": {"type": "object", "maxProperties": intake.UTM_MAX_ITEMS,
                "additionalProperties": {"type": "string", "maxLength": intake.UTM_VALUE_MAX_LENGTH},
                "description": "Campaign tags (utm_source, utm_campaign …), kept in the lead's audit record."},
        "fields": {"type": "object", "maxProperties": intake.CUSTOM_FIELDS_MAX_ITEMS,
                   "additionalProperties": {"nullable": True,
                                            "anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]},
                   "description": "Custom card fields of the pipeline the key feeds, by key (e.g. budget, seats, "
                                  "wants_demo in the generic pack), checked against the pipeline's field schema. "
                                  "File fields are not accepted."},
    },
}

_CREATED = {
    "type": "object",
    "required": ["card", "card_id", "customer_id", "customer_created", "assigned_to"],
    "properties": {
        "card": {"type": "string", "description": "The card's human number."},
        "card_id": {"type": "integer"},
        "customer_id": {"type": "integer"},
        "customer_created": {"type": "boolean", "description": "False when matched by phone or e-mail."},
        "assigned_to": {"type": "string", "nullable": True,
                        "description": "The manager the lead went to; null when the pipeline does not distribute "
                                       "or nobody is available."},
    },
}


def _json_content(schema: dict, example: Any) -> dict:
    return {"application/json": {"schema": schema, "example": example}}


OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Estafeta lead intake API",
        "version": "1.0.0",
        "description": (
            "Send leads from website forms and landing pages. Each source has its own API key (ask an admin: "
            "`estafeta apikey create <source>`). A lead becomes a customer (found by phone or e-mail, or created) "
            "and a card in the key's pipeline, handed to a manager who is told in Telegram."
        ),
    },
    "servers": [{"url": "/"}],
    "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
    "paths": {
        LEADS_PATH: {
            "post": {
                "operationId": "createLead",
                "summary": "Create a lead",
                "parameters": [{
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": (
                        "Any unique string per lead (a UUID). Repeating a request with the same key and body "
                        "returns the first answer again (same status and body, header `Idempotent-Replayed: true`) "
                        "without creating anything; the same key with another body is refused with 422; while the "
                        "first request is still running, 409."
                    ),
                    "schema": {"type": "string", "minLength": 1, "maxLength": intake.IDEMPOTENCY_KEY_MAX_LENGTH,
                               "pattern": "^[\\x21-\\x7e][\\x20-\\x7e]*$"},
                    "example": "4f1c2a9e-7d1b-4c55-9d2e-0a6b3f8e1c77",
                }],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {
                        "schema": _LEAD,
                        "examples": {
                            "website_form": {"value": {
                                "name": "Олена Коваль", "phone": "067 123 45 67", "email": "olena@example.com",
                                "message": "Нужна консультация по тарифам", "source": "site",
                                "utm": {"utm_source": "google", "utm_campaign": "spring"},
                                "fields": {"budget": "15000", "wants_demo": True},
                            }},
                            "email_only": {"value": {"name": "John Smith", "email": "john@example.com"}},
                        },
                    }},
                },
                "responses": {
                    "201": {
                        "description": "The lead was created (or, with a repeated Idempotency-Key, this is the "
                                       "first request's answer again).",
                        "headers": {"Idempotent-Replayed": {
                            "description": "`true` when this is a repeated request's stored answer.",
                            "schema": {"type": "string", "enum": ["true"]}}},
                        "content": _json_content(_CREATED, {
                            "card": "S-0001", "card_id": 1, "customer_id": 1, "customer_created": True,
                            "assigned_to": "Борис Мельник"}),
                    },
                    "400": {"description": "The body is not valid JSON (`invalid_json`) or the Idempotency-Key "
                                           "header is malformed (`invalid_idempotency_key`).",
                            "content": _json_content(_ERROR, {"error": "invalid_json",
                                                              "message": "The body is not valid UTF-8 JSON."})},
                    "401": {"description": "No API key, or a wrong or revoked one.",
                            "content": _json_content(_ERROR, {"error": "unauthorized"})},
                    "409": {"description": "A request with this Idempotency-Key is still being processed.",
                            "content": _json_content(_ERROR, {"error": "idempotency_key_in_flight"})},
                    "413": {"description": f"The body is larger than {MAX_BODY_BYTES} bytes.",
                            "content": _json_content(_ERROR, {"error": "body_too_large"})},
                    "415": {"description": "The body is not sent as application/json.",
                            "content": _json_content(_ERROR, {"error": "unsupported_media_type"})},
                    "422": {
                        "description": "The lead is invalid (`invalid`, with `fields` naming each bad field), the "
                                       "body is not a JSON object (`not_an_object`), or the Idempotency-Key was "
                                       "already used with another body (`idempotency_key_reused`).",
                        "content": {"application/json": {
                            "schema": {"oneOf": [_INVALID, _ERROR]},
                            "examples": {
                                "invalid": {"value": {"error": "invalid", "fields": {
                                    "phone": "invalid_phone", "fields.seats": "invalid"}}},
                                "reused": {"value": {"error": "idempotency_key_reused"}},
                            },
                        }},
                    },
                    "503": {"description": "The pipeline this key feeds was switched off; try again later.",
                            "content": _json_content(_ERROR, {"error": "pipeline_unavailable"})},
                },
            },
        },
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer est_…`"},
            "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
        },
    },
}
