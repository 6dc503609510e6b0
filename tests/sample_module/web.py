"""The sample module's panel page and dashboard widget."""

from __future__ import annotations

from aiohttp import web

from core.permissions import Actor
from webadmin.guards import permission_required
from webadmin.render import request_translator


@permission_required("sample.ping")
async def sample_page(request: web.Request, actor: Actor) -> web.Response:
    t = await request_translator(request)
    return web.Response(text=t("sample-page", name=actor.staff.name), content_type="text/html")


async def pings_widget(request: web.Request, actor: Actor) -> str:
    t = await request_translator(request)
    return f"<p class='sample-widget'>{t('sample-widget-text')}</p>"


def add_routes(router: web.UrlDispatcher) -> list[web.AbstractRoute]:
    return [router.add_get("/sample", sample_page, name="sample")]
