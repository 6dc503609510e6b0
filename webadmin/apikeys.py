"""API keys of lead sources (website forms, landing pages): list, create (the key is shown once), revoke.
The keys themselves are core.intake's business; this page needs `api_key.manage`."""

from __future__ import annotations

import json
import shlex

from aiohttp import web
from aiohttp_session import get_session

from core import intake
from core.i18n import translator
from core.permissions import Actor
from models import ApiKey, Pipeline
from webadmin.guards import permission_required
from webadmin.keys import SETTINGS
from webadmin.render import render, request_locale, see_other, set_nav
from webadmin.session import flash

LEADS_PATH = "/api/v1/leads"
# Session key: the plain key just created, shown on the next page once and then forgotten.
ISSUED_KEY = "issued_api_key"
# core.intake refusal reason -> (Fluent message id, HTTP status of the re-rendered form)
KEY_ERRORS = {
    "source_required": ("web-apikey-error-source-required", 400),
    "source_too_long": ("web-apikey-error-source-too-long", 400),
    "unknown_pipeline": ("web-apikey-error-pipeline", 400),
    "source_exists": ("web-apikey-error-source-exists", 409),
}


def _base_url(request: web.Request) -> str:
    settings = request.config_dict[SETTINGS]
    return (settings.app.base_url or str(request.url.origin())).rstrip("/")


def curl_example(base_url: str, key: str, example_name: str) -> str:
    body = json.dumps({"name": example_name, "phone": "+380671234567", "email": "client@example.com",
                       "message": "…"}, ensure_ascii=False)
    return "\n".join([
        f"curl -X POST {shlex.quote(base_url + LEADS_PATH)} \\",
        f"  -H {shlex.quote('Authorization: Bearer ' + key)} \\",
        "  -H 'Content-Type: application/json' \\",
        "  -H 'Idempotency-Key: form-0001' \\",
        f"  -d {shlex.quote(body)}",
    ])


async def _page(request: web.Request, *, error: tuple[str, dict] | None = None,
                form: dict[str, str] | None = None, status: int = 200) -> web.StreamResponse:
    set_nav(request, "apikeys")
    locale = await request_locale(request)
    pipelines = list(await Pipeline.filter(active=True).order_by("id"))
    titles = {pipeline.key: pipeline.title(locale) for pipeline in await Pipeline.all()}
    keys = list(await ApiKey.all().order_by("-active", "source"))
    return await render(request, "apikeys.html", {
        "keys": [{"key": key, "pipeline": titles.get(key.pipeline_key, key.pipeline_key)} for key in keys],
        "pipelines": [(pipeline.key, pipeline.title(locale)) for pipeline in pipelines],
        "form": form or {"source": "", "pipeline": pipelines[0].key if pipelines else ""},
        "form_error": error,
        "source_max": intake.SOURCE_MAX_LENGTH,
    }, status=status)


@permission_required("api_key.manage")
async def apikeys_page(request: web.Request, actor: Actor) -> web.StreamResponse:
    return await _page(request)


@permission_required("api_key.manage")
async def create_key(request: web.Request, actor: Actor) -> web.StreamResponse:
    form = await request.post()
    values = {"source": str(form.get("source", "")).strip(), "pipeline": str(form.get("pipeline", ""))}
    try:
        plain = await intake.create_api_key(values["source"], values["pipeline"])
    except intake.IntakeError as exc:
        key, status = KEY_ERRORS.get(exc.reason, ("web-form-bad-input", 400))
        return await _page(request, error=(key, {"max": intake.SOURCE_MAX_LENGTH}), form=values, status=status)
    api_key = await ApiKey.get(source=values["source"])
    # The key exists only here (the database keeps its hash): shown once, after a redirect.
    session = await get_session(request)
    session[ISSUED_KEY] = {"id": api_key.id, "key": plain}
    return see_other(f"/apikeys/{api_key.id}")


@permission_required("api_key.manage")
async def key_page(request: web.Request, actor: Actor) -> web.StreamResponse:
    set_nav(request, "apikeys")
    api_key = await ApiKey.get_or_none(id=int(request.match_info["id"]))
    if api_key is None:
        raise web.HTTPNotFound()
    session = await get_session(request)
    issued = session.get(ISSUED_KEY) or {}
    plain = None
    if issued.get("id") == api_key.id and api_key.active:
        plain = issued.get("key")
        session.pop(ISSUED_KEY, None)
    locale = await request_locale(request)
    pipeline = await Pipeline.get_or_none(key=api_key.pipeline_key)
    return await render(request, "apikey.html", {
        "api_key": api_key,
        "pipeline": pipeline.title(locale) if pipeline else api_key.pipeline_key,
        "plain": plain,
        "curl": curl_example(_base_url(request), plain, translator(locale)("web-apikey-example-name"))
        if plain else None,
        "endpoint": _base_url(request) + LEADS_PATH,
    })


@permission_required("api_key.manage")
async def revoke_key(request: web.Request, actor: Actor) -> web.StreamResponse:
    api_key = await ApiKey.get_or_none(id=int(request.match_info["id"]))
    if api_key is None:
        raise web.HTTPNotFound()
    if await intake.revoke_api_key(api_key.source):
        await flash(request, "ok", "web-apikey-revoked", name=api_key.source)
    else:
        await flash(request, "error", "web-apikey-already-revoked", name=api_key.source)
    return see_other("/apikeys")
