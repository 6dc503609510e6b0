"""The dashboard: the widgets of the active modules (core.modules) the signed-in person may see."""

from __future__ import annotations

from aiohttp import web

from core import modules, pipelines
from core.permissions import Actor, can
from webadmin.guards import permission_required
from webadmin.render import render, render_fragment, set_nav


@permission_required("report.view")
async def dashboard_page(request: web.Request, actor: Actor) -> web.StreamResponse:
    set_nav(request, "dashboard")
    blocks = [(widget.key, await modules.resolve(widget.handler)(request, actor))
              for widget in modules.active().widgets if can(actor, widget.action)]
    return await render(request, "dashboard.html", {"blocks": blocks})


async def cards_by_stage(request: web.Request, actor: Actor) -> str:
    rows = await pipelines.open_cards_by_stage(actor)
    return await render_fragment(request, "widgets/cards_by_stage.html", {"rows": rows})
