"""A card as a person sees it, whole: what `pipelines.card_view` gives (moves, phone, reference rows) with its
lines, their totals and its links. The bot's card and the panel's card page both read it; renderers never query."""

from __future__ import annotations

from dataclasses import replace

from core import lines, links, pipelines
from core.permissions import Actor
from models import Card


async def card_view(actor: Actor, card: int | Card) -> pipelines.CardView:
    view = await pipelines.card_view(actor, card)
    card_lines = await lines.lines_of(view.card.id)
    return replace(view, lines=card_lines, totals=lines.totals(card_lines) if card_lines else None,
                   links=await links.links_of(actor, view.card))
