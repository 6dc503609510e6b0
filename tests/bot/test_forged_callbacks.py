"""Callback data is never trusted: a button for a card the user may not see is refused exactly like a missing one.

The permission matrix through the bot: each role of the generic pack × (open, move, comment) × (own card, another's
card), with crafted callback queries — data no button the user was shown carries — fed through the sandbox as
Telegram would deliver them. Allowed ones must work; refused ones must change nothing in the database.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from core import inbox
from core.permissions import load_actor
from core.pipelines import create_card
from flows.callbacks import CardCb, MoveCb
from models import Card, CardHistory, Comment, Staff

ANNA, BORIS, CATHERINE = 1000001, 1000002, 1000003  # demo admin (ru), manager (uk), head (en)
FORBIDDEN = {ANNA: "Недостаточно прав для этого действия.", BORIS: "Недостатньо прав для цієї дії.",
             CATHERINE: "You are not allowed to do that."}


# --- helpers shared with the other bot flow tests ------------------------------------------------------------


async def make_card(telegram_id: int, title: str, customer=None, **fields) -> Card:
    """A "sales" card owned by and assigned to the staff member with this Telegram id (who made it himself, so the
    stage's task for him sends him no notification to interleave with the bot's replies)."""
    staff = await Staff.get(telegram_id=telegram_id)
    actor = await load_actor(staff, channel="system")
    return await create_card(actor, "sales", title=title, owner=staff, assignee=staff, customer=customer,
                             fields=fields or None)


async def wait_handled(*update_ids: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    for update_id in update_ids:
        while not await inbox.is_settled(update_id):
            assert time.monotonic() < deadline, f"update {update_id} was not handled within {seconds} s"
            await asyncio.sleep(0.02)


def _last_message_id(chat) -> int:
    return max((m.message_id for m in chat.messages.values()), default=0)


def new_bot_messages(chat, after_message_id: int) -> list[dict]:
    """Bot messages sent (not edited) after the given message id, as Telegram message dicts."""
    return [m.tg for m in sorted(chat.messages.values(), key=lambda m: m.message_id)
            if m.sender == "bot" and not m.deleted and m.message_id > after_message_id]


async def forge_press(estafeta, user_id: int, data: str) -> tuple[dict | None, list[dict]]:
    """Deliver a callback query with arbitrary `data` from the user, on the newest bot message of their chat,
    exactly as Telegram would. Returns (the bot's callback answer, the bot messages it sent in reply)."""
    state = estafeta.sandbox
    chat = state.chat(user_id)
    anchor = max((m for m in chat.visible() if m.sender == "bot"), key=lambda m: m.message_id)
    before = _last_message_id(chat)
    update, record = state.user_callback(user_id, anchor, data)
    await wait_handled(update["update_id"])
    return record.answer, new_bot_messages(chat, before)


async def send_album(estafeta, user_id: int, photos: list[bytes], group: str) -> list[dict]:
    """The parts of an album as Telegram sends them: one message per photo, sharing media_group_id."""
    state = estafeta.sandbox
    chat = state.chat(user_id)
    before = _last_message_id(chat)
    update_ids = []
    for data in photos:
        stored = state.add_file("photo", data=data, file_name="photo.jpg")
        update, _ = state.user_message(user_id, {"photo": stored.photo_sizes(), "media_group_id": group})
        update_ids.append(update["update_id"])
    await wait_handled(*update_ids)
    return new_bot_messages(chat, before)


async def snapshot(card_id: int) -> tuple:
    card = await Card.get(id=card_id)
    return (card.stage_id, card.version, card.assignee_id, await CardHistory.filter(card_id=card_id).count(),
            await Comment.filter(card_id=card_id).count())


# --- the matrix ----------------------------------------------------------------------------------------------

OTHER = {ANNA: BORIS, BORIS: CATHERINE, CATHERINE: BORIS}
# Who may do what to a card that is not theirs; everyone may act on their own.
MAY_TOUCH_OTHERS = {ANNA: True, BORIS: False, CATHERINE: True}


@pytest.mark.parametrize("user_id", [ANNA, BORIS, CATHERINE], ids=["admin", "manager", "head"])
async def test_permission_matrix_through_forged_callbacks(estafeta, sandbox, user_id):
    person = await sandbox.existing_user(user_id)
    await person.send("/menu")  # something in the chat for the forged button to hang on
    for whose in ("own", "other"):
        allowed = whose == "own" or MAY_TOUCH_OTHERS[user_id]
        owner = user_id if whose == "own" else OTHER[user_id]
        for action in ("open", "move", "comment"):
            card = await make_card(owner, f"{action} {whose}")
            case = f"{action} {whose} card as {user_id}"
            before = await snapshot(card.id)
            data = (MoveCb(card=card.id, t="contact", v=card.version) if action == "move"
                    else CardCb(action=action, card=card.id)).pack()
            answer, replies = await forge_press(estafeta, user_id, data)
            if not allowed:
                assert answer == {"text": FORBIDDEN[user_id], "show_alert": True, "url": None}, case
                assert replies == [], case
                if action == "comment":
                    await person.send("sneaky comment")  # no conversation was opened: this is no comment
                assert await snapshot(card.id) == before, case
                continue
            assert not (answer or {}).get("show_alert"), (case, answer)
            if action == "open":
                assert card_number_in(replies, card), case
            elif action == "move":
                refreshed = await Card.get(id=card.id).select_related("stage")
                assert refreshed.stage.key == "contacted" and refreshed.version == card.version + 1, case
            else:
                assert len(replies) == 1, case
                await person.send(f"note on {card.id}")
                assert await Comment.filter(card_id=card.id, text=f"note on {card.id}").exists(), case


def card_number_in(replies: list[dict], card: Card) -> bool:
    return any(f"S-{card.number:04d}" in (reply.get("text") or "") for reply in replies)


async def test_a_card_out_of_sight_reads_exactly_like_a_missing_one(estafeta, sandbox):
    boris = await sandbox.existing_user(BORIS)
    await boris.send("/menu")
    hidden = await make_card(CATHERINE, "Not for managers")
    for action in ("open", "comment", "attach", "history", "take", "later", "reject"):
        missing = await forge_press(estafeta, BORIS, CardCb(action=action, card=hidden.id + 1000).pack())
        invisible = await forge_press(estafeta, BORIS, CardCb(action=action, card=hidden.id).pack())
        assert missing == invisible == ({"text": FORBIDDEN[BORIS], "show_alert": True, "url": None}, []), action
    missing = await forge_press(estafeta, BORIS, MoveCb(card=hidden.id + 1000, t="contact", v=1).pack())
    invisible = await forge_press(estafeta, BORIS, MoveCb(card=hidden.id, t="contact", v=1).pack())
    assert missing == invisible
    assert (await Card.get(id=hidden.id).select_related("stage")).stage.key == "new"


async def test_a_move_the_role_may_not_make_is_refused(estafeta, sandbox):
    """Boris may move his own card, but "win" belongs to the head: a forged "win" button changes nothing."""
    boris = await sandbox.existing_user(BORIS)
    await boris.send("/menu")
    card = await make_card(BORIS, "Mine", budget="100")
    head = await load_actor(await Staff.get(telegram_id=CATHERINE), channel="system")
    from core.pipelines import move_card

    await move_card(head, card.id, "contact")
    card = await move_card(head, card.id, "propose")
    before = await snapshot(card.id)
    answer, replies = await forge_press(estafeta, BORIS, MoveCb(card=card.id, t="win", v=card.version).pack())
    assert answer == {"text": FORBIDDEN[BORIS], "show_alert": True, "url": None}
    assert await snapshot(card.id) == before
