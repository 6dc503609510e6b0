"""What a manager does with a lead handed to him (the intake API's message buttons): take it, call back later,
reject it with a reason. The same rules hold whichever entry point calls them.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo

from tortoise.transactions import in_transaction

from core import activity, events, tasks
from core.clock import now
from core.fields import DEFAULT_ZONE
from core.i18n import pick_locale, translator
from core.permissions import Actor, can
from core.pipelines import ENGINE_CARD, CardError, MoveError, allowed_transitions, get_card, move_card
from models import Card, Stage, Task

CALL_BACK_HOURS = 2


async def take_lead(actor: Actor, card_id: int) -> Card:
    """The lead becomes the actor's: it must be unassigned (then it is assigned to him) or his already.

    Anyone who could pick up an unassigned lead may take it: admins, holders of "card.assign", and staff with the
    pipeline's distribution role. A lead someone else holds: CardError("taken") if the actor may see it, else
    CardError("not_found") — a card he may not see is never revealed. A closed lead: CardError("closed").
    """
    card = await Card.get_or_none(id=card_id).select_related(*ENGINE_CARD)
    me = actor.staff_id
    if card is None or me is None:
        raise CardError("not_found")
    if card.assignee_id != me:
        if card.assignee_id is not None:
            await get_card(actor, card_id)  # not_found unless he may see it
            raise CardError("taken")
        if not (actor.is_admin or can(actor, "card.assign")
                or card.pipeline.distribution_role in actor.role_keys):
            raise CardError("not_found")
        if card.stage.kind != "open":
            raise CardError("closed")
        async with in_transaction():
            # Compare-and-set: of two managers pressing "take" at once exactly one gets the lead.
            taken = await Card.filter(id=card.id, assignee_id__isnull=True, version=card.version).update(
                assignee_id=me, owner_id=card.owner_id or me, version=card.version + 1, updated_at=now())
            if not taken:
                raise CardError("taken")
            await activity.record_by(actor, "lead.take", object_type="card",
                                  object_id=card.id, before={"assignee": None}, after={"assignee": me})
        events.publish("card.changed", card_id=card.id)
    elif card.stage.kind != "open":
        raise CardError("closed")
    return await get_card(actor, card_id)


async def postpone_lead(actor: Actor, card_id: int, hours: float = CALL_BACK_HOURS, *,
                        default_locale: str = "ru") -> Task:
    """A "call back" task for the actor on this lead, due in `hours`. Needs "card.view" on the card and
    "task.create"; the task's title is in the actor's language."""
    card = await get_card(actor, card_id, related=ENGINE_CARD)
    if card.stage.kind != "open":
        raise CardError("closed")
    if actor.staff is None or not can(actor, "task.create"):
        raise CardError("not_found")
    title = translator(pick_locale(actor.staff.locale, default=default_locale))("lead-call-back-task")
    return await tasks.create_task(title=title, channel=actor.channel, card=card, assignee=actor.staff,
                                   due_at=now() + timedelta(hours=hours), created_by=actor.staff,
                                   default_locale=default_locale)


async def reject_lead(actor: Actor, card_id: int, reason: str, *, expected_version: int | None = None,
                      region: str = "UA", zone: tzinfo = DEFAULT_ZONE, default_locale: str = "ru") -> Card:
    """Move the lead by the first transition the actor may take from its stage into a "lost" stage, with the
    reason (required). MoveError("transition_unavailable") when there is none."""
    card = await get_card(actor, card_id, "card.move", ENGINE_CARD)
    transitions = await allowed_transitions(actor, card)
    lost = set(await Stage.filter(id__in=[t.to_stage_id for t in transitions], kind="lost")
               .values_list("id", flat=True))
    transition = next((t for t in transitions if t.to_stage_id in lost), None)
    if transition is None:
        raise MoveError("transition_unavailable")
    return await move_card(actor, card_id, transition.key, reason=reason, expected_version=expected_version,
                           region=region, zone=zone, default_locale=default_locale)
