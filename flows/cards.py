"""Cards in the bot: "My cards" with paging, the card view with exactly the moves the user may make, the reason and
missing fields asked for when a move needs them, comments, attachments (albums included), history, and the lead
buttons of the intake API's message (take, call back later, reject).

Every button's data is only a hint of what was pressed: each handler hands the ids to core, which checks the
actor's permission on every call. A card the user may not see is refused exactly like a missing one.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from core import guards, leads, lines
from core.attachments import AttachmentError, store_attachment
from core.card_views import card_view
from core.config import Settings
from core.fields import field_titles
from core.i18n import Translator
from core.permissions import Actor, Denied, can
from core.pipelines import (
    FULL_CARD,
    CardError,
    CardView,
    add_comment,
    assign_card,
    assignees,
    card_history,
    card_number,
    get_card,
    list_cards,
    move_card,
)
from flows import drafts, render
from flows.callbacks import AssignCb, CardCb, FlowCb, MoveCb, PageCb
from flows.keyboards import InlineButtons
from models import Card

log = logging.getLogger(__name__)
PAGE_SIZE = 8
FIELD_ERRORS = {"invalid", "invalid_phone", "unknown_choice"}
# Text typed in a conversation; a command is never taken for an answer.
TYPED = F.text & ~F.text.startswith("/")


class CardFlow(StatesGroup):
    reason = State()  # data: card, t, v, kind ("move" | "reject")
    field = State()  # data: card, t, v, reason, values, field, titles
    comment = State()  # data: card
    attach = State()  # data: card, count, albums {media_group_id: [reply message id, parts]}


# --- helpers ---------------------------------------------------------------------------------------------


def engine_options(settings: Settings) -> dict[str, Any]:
    return {"region": settings.i18n.default_region, "zone": settings.i18n.zone,
            "default_locale": settings.i18n.default_locale}


def cancel_keyboard(t: Translator) -> InlineKeyboardMarkup:
    builder = InlineButtons()
    builder.button(text=t("flow-cancel"), callback_data=FlowCb(action="cancel"))
    return builder.as_markup()


def pager(builder: InlineButtons, list_name: str, page: int, pages: int) -> int:
    """A ◀ ▶ row under a list; only the arrows that lead somewhere. Returns how many buttons it added."""
    arrows = []
    if page > 0:
        arrows.append(("◀", page - 1))
    if page + 1 < pages:
        arrows.append(("▶", page + 1))
    for text, target in arrows:
        builder.button(text=text, callback_data=PageCb(list=list_name, page=target))
    return len(arrows)


def card_keyboard(view: CardView, actor: Actor, t: Translator) -> InlineKeyboardMarkup:
    card, locale = view.card, t.locale
    builder = InlineButtons()
    for transition in view.transitions:
        builder.button(text=transition.label(locale), callback_data=MoveCb(card=card.id, t=transition.key,
                                                                          v=card.version))
    extras = [(action, key) for action, key, needs in (("comment", "card-comment", "card.comment"),
                                                       ("attach", "card-attach", "card.attach"),
                                                       ("history", "card-history", "card.view"))
              if can(actor, needs)]
    if view.totals is not None and view.totals.pending and card.customer_id and can(actor, "line.edit"):
        extras.append(("quote", "card-quote-send"))
    if card.closed_at is None and can(actor, "card.assign"):
        extras.append(("assign", "card-assign"))
    for action, key in extras:
        builder.button(text=t(key), callback_data=CardCb(action=action, card=card.id))
    builder.adjust(*([1] * len(view.transitions)), len(extras) or 1)
    return builder.as_markup()


async def render_card(actor: Actor, card: int | Card, t: Translator, settings: Settings
                      ) -> tuple[str, InlineKeyboardMarkup]:
    """The card as this actor sees it (by id, or a card just loaded with FULL_CARD). Raises CardError("not_found")
    for a card he may not see."""
    view = await card_view(actor, card)
    text = render.card_text(view, t, currency=settings.crm.currency, tz=settings.i18n.zone)
    return text, card_keyboard(view, actor, t)


async def send_card(target: Message, actor: Actor, card_id: int, t: Translator, settings: Settings,
                    before: str = "") -> None:
    try:
        text, keyboard = await render_card(actor, card_id, t, settings)
    except (CardError, Denied):
        await target.answer(t("card-not-found"))
        return
    await target.answer(f"{before}\n\n{text}" if before else text, reply_markup=keyboard)


async def edit_or_send(message: Message, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """Turn a list's page in place; a message that cannot be edited any more gets a fresh one."""
    try:
        await message.edit_text(text, reply_markup=keyboard)
    except TelegramBadRequest as error:
        if "not modified" not in str(error):
            await message.answer(text, reply_markup=keyboard)


async def refuse(query: CallbackQuery, t: Translator) -> None:
    """Missing and not-yours read the same: nothing tells a forged button's author the card exists."""
    await query.answer(t("forbidden"), show_alert=True)


def _reply_target(event: CallbackQuery | Message) -> Message:
    return event.message if isinstance(event, CallbackQuery) else event


async def _field_titles(actor: Actor, card_id: int, keys: list[str], locale: str) -> dict[str, str]:
    card = await get_card(actor, card_id, related=("pipeline",))
    return field_titles(card.pipeline.field_schema, keys, locale)


async def _ask_field(target: Message, t: Translator, title: str) -> None:
    await target.answer(t("card-field-ask", field=title), reply_markup=cancel_keyboard(t))


async def handle_move_error(event: CallbackQuery | Message, error: Exception, *, actor: Actor, t: Translator,
                            settings: Settings, state: FSMContext, move: dict[str, Any]) -> None:
    """Tell the user why a move did not happen and, where he can fix it, ask for what is missing.

    `move` is what was tried: card, t (transition key), v (version seen), reason, values (fields entered)."""
    target = _reply_target(event)
    reason = getattr(error, "reason", None)
    if isinstance(error, Denied) or reason == "not_found":
        await state.clear()
        if isinstance(event, CallbackQuery):
            await refuse(event, t)
        else:
            await target.answer(t("forbidden"))
        return
    if isinstance(event, CallbackQuery):
        await event.answer()
    if reason == "guard":
        await state.clear()
        await send_card(target, actor, move["card"], t, settings,
                        before=t("card-guard-refused", rule=guards.describe(error.details["refusal"], t.locale)))
    elif reason in ("card_changed", "transition_unavailable", "closed"):
        await state.clear()
        key = {"card_changed": "card-changed", "closed": "card-closed"}.get(reason, "card-transition-unavailable")
        await send_card(target, actor, move["card"], t, settings, before=t(key))
    elif reason == "reason_required":
        await state.set_state(CardFlow.reason)
        await state.set_data({**move, "kind": move.get("kind", "move")})
        await target.answer(t("card-reason-ask"), reply_markup=cancel_keyboard(t))
    elif reason == "fields_missing":
        missing = list(error.details.get("fields") or [])
        titles = await _field_titles(actor, move["card"], missing, t.locale)
        await state.set_state(CardFlow.field)
        await state.set_data({**move, "values": move.get("values") or {}, "field": missing[0], "titles": titles})
        if not move.get("values"):
            await target.answer(t("card-fields-missing", fields=", ".join(titles.values())))
        await _ask_field(target, t, titles[missing[0]])
    elif reason == "invalid_fields":
        problems = error.details.get("fields") or {}
        data = await state.get_data()
        current = data.get("field")
        titles = data.get("titles") or await _field_titles(actor, move["card"], list(problems), t.locale)
        problem = problems.get(current) if current in problems else next(iter(problems.values()), "invalid")
        if await state.get_state() == CardFlow.field.state and problem in FIELD_ERRORS:
            await target.answer(t("card-field-invalid", field=titles.get(current, current),
                                  error=t(f"field-error-{problem.replace('_', '-')}")),
                                reply_markup=cancel_keyboard(t))
            return
        await state.clear()
        field = current if current in problems else next(iter(problems), "")
        await target.answer(t("card-field-not-editable", field=titles.get(field, field)))
    else:
        await state.clear()
        log.warning("unexpected refusal moving card %s: %r", move.get("card"), error)
        await target.answer(t("error-generic"))


async def _moved(target: Message, actor: Actor, card_id: int, t: Translator, settings: Settings) -> None:
    await send_card(target, actor, card_id, t, settings, before=t("card-moved"))


# --- "My cards" ------------------------------------------------------------------------------------------


async def _cards_page(actor: Actor, t: Translator, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    cards, total = await list_cards(actor, mine=True, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    if not total:
        return t("cards-empty"), None
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(page, pages - 1)
    builder = InlineButtons()
    for card in cards:
        label = f"{'🔥 ' if card.urgent else ''}{card_number(card)} · {card.stage.title(t.locale)}"
        if card.title:
            label += f" · {card.title}"
        builder.button(text=render.clip(label, 60), callback_data=CardCb(action="open", card=card.id))
    arrows = pager(builder, "cards", page, pages)
    builder.adjust(*([1] * len(cards)), *([arrows] if arrows else []))
    return t("cards-title", total=total, page=page + 1, pages=pages), builder.as_markup()


async def open_cards(target: Message, actor: Actor, t: Translator, state: FSMContext | None = None, **_) -> None:
    """The "My cards" menu entry and /cards."""
    if state is not None:
        await state.clear()
    if not can(actor, "card.view"):
        await target.answer(t("forbidden"))
        return
    text, keyboard = await _cards_page(actor, t, 0)
    await target.answer(text, reply_markup=keyboard)


async def cards_page(query: CallbackQuery, callback_data: PageCb, actor: Actor, t: Translator) -> None:
    if not can(actor, "card.view"):
        await refuse(query, t)
        return
    text, keyboard = await _cards_page(actor, t, max(callback_data.page, 0))
    await query.answer()
    await edit_or_send(query.message, text, keyboard)


# --- card buttons ----------------------------------------------------------------------------------------


async def card_button(query: CallbackQuery, callback_data: CardCb, actor: Actor, t: Translator,
                      settings: Settings, state: FSMContext, bot: Bot) -> None:
    handler = CARD_ACTIONS.get(callback_data.action)
    if handler is None or actor.staff is None:
        await refuse(query, t)
        return
    await state.clear()
    try:
        await handler(query, callback_data.card, actor=actor, t=t, settings=settings, state=state, bot=bot)
    except (CardError, Denied) as error:
        reason = getattr(error, "reason", None)
        if reason == "taken":
            await query.answer(t("lead-taken-by-other"), show_alert=True)
        elif reason == "closed":
            await query.answer(t("card-closed"), show_alert=True)
        else:
            await refuse(query, t)


async def _open(query: CallbackQuery, card_id: int, *, actor: Actor, t: Translator, settings: Settings,
                **_) -> None:
    text, keyboard = await render_card(actor, card_id, t, settings)
    await query.answer()
    await query.message.answer(text, reply_markup=keyboard)


async def _ask_comment(query: CallbackQuery, card_id: int, *, actor: Actor, t: Translator, state: FSMContext,
                       **_) -> None:
    card = await get_card(actor, card_id, "card.comment", ("pipeline",))
    await state.set_state(CardFlow.comment)
    await state.set_data({"card": card_id})
    await query.answer()
    await query.message.answer(t("card-comment-ask", number=card_number(card)), reply_markup=cancel_keyboard(t))


def _attach_keyboard(t: Translator) -> InlineKeyboardMarkup:
    builder = InlineButtons()
    builder.button(text=t("flow-done"), callback_data=FlowCb(action="done"))
    builder.button(text=t("flow-cancel"), callback_data=FlowCb(action="cancel"))
    return builder.as_markup()


async def _ask_attachments(query: CallbackQuery, card_id: int, *, actor: Actor, t: Translator, state: FSMContext,
                           **_) -> None:
    card = await get_card(actor, card_id, "card.attach", ("pipeline",))
    await state.set_state(CardFlow.attach)
    await state.set_data({"card": card_id, "count": 0, "albums": {}})
    await query.answer()
    await query.message.answer(t("card-attach-ask", number=card_number(card)), reply_markup=_attach_keyboard(t))


async def _history(query: CallbackQuery, card_id: int, *, actor: Actor, t: Translator, settings: Settings,
                   **_) -> None:
    rows = await card_history(actor, card_id)
    card = await get_card(actor, card_id, related=("pipeline",))
    lines = [t("card-history-title", number=card_number(card)), *render.history_lines(rows, t, settings.i18n.zone)]
    await query.answer()
    await query.message.answer("\n".join(lines)[:render.TEXT_LIMIT])


async def _take(query: CallbackQuery, card_id: int, *, actor: Actor, t: Translator, settings: Settings,
                **_) -> None:
    card = await leads.take_lead(actor, card_id)
    await query.answer(t("lead-taken"))
    await send_card(query.message, actor, card.id, t, settings, before=t("lead-taken"))


async def _later(query: CallbackQuery, card_id: int, *, actor: Actor, t: Translator, settings: Settings,
                 **_) -> None:
    await leads.postpone_lead(actor, card_id, default_locale=settings.i18n.default_locale)
    await query.answer(t("lead-later", hours=leads.CALL_BACK_HOURS))
    await query.message.answer(t("lead-later", hours=leads.CALL_BACK_HOURS))


async def _ask_reject_reason(query: CallbackQuery, card_id: int, *, actor: Actor, t: Translator,
                             state: FSMContext, **_) -> None:
    card = await get_card(actor, card_id, "card.move", ("pipeline",))
    await state.set_state(CardFlow.reason)
    await state.set_data({"card": card_id, "v": card.version, "kind": "reject"})
    await query.answer()
    await query.message.answer(t("lead-reject-ask", number=card_number(card)), reply_markup=cancel_keyboard(t))


async def _send_quote(query: CallbackQuery, card_id: int, *, actor: Actor, t: Translator, settings: Settings,
                      **_) -> None:
    try:
        sent = await lines.send_quote(actor, card_id, default_locale=settings.i18n.default_locale)
    except lines.LineError as error:
        if error.reason == "not_found":
            raise CardError("not_found") from None
        await query.answer(t(f"line-error-{error.reason.replace('_', '-')}"), show_alert=True)
        return
    await query.answer(t("card-quote-sent", count=sent), show_alert=True)


async def _ask_assignee(query: CallbackQuery, card_id: int, *, actor: Actor, t: Translator, **_) -> None:
    card = await get_card(actor, card_id, "card.assign", ("pipeline",))
    builder = InlineButtons()
    for person in await assignees(actor, card_id):
        builder.button(text=person.name, callback_data=AssignCb(card=card.id, to=person.id, v=card.version))
    builder.adjust(2)
    await query.answer()
    await query.message.answer(t("card-assign-ask", number=card_number(card)), reply_markup=builder.as_markup())


async def assign_button(query: CallbackQuery, callback_data: AssignCb, actor: Actor, t: Translator,
                        settings: Settings) -> None:
    try:
        card = await assign_card(actor, callback_data.card, callback_data.to, expected_version=callback_data.v,
                                 default_locale=settings.i18n.default_locale)
    except (CardError, Denied) as error:
        reason = getattr(error, "reason", None)
        if reason in ("card_changed", "closed", "unknown_assignee"):
            await query.answer(t("card-changed"), show_alert=True)
            return
        await refuse(query, t)
        return
    await query.answer(t("card-assigned", name=card.assignee.name))
    await send_card(query.message, actor, card.id, t, settings, before=t("card-assigned", name=card.assignee.name))


CARD_ACTIONS = {
    "open": _open,
    "comment": _ask_comment,
    "attach": _ask_attachments,
    "history": _history,
    "take": _take,
    "later": _later,
    "reject": _ask_reject_reason,
    "quote": _send_quote,
    "assign": _ask_assignee,
}


async def move_button(query: CallbackQuery, callback_data: MoveCb, actor: Actor, t: Translator,
                      settings: Settings, state: FSMContext) -> None:
    await state.clear()
    move = {"card": callback_data.card, "t": callback_data.t, "v": callback_data.v}
    try:
        card = await move_card(actor, callback_data.card, callback_data.t, expected_version=callback_data.v,
                               related=FULL_CARD, **engine_options(settings))
    except (CardError, Denied) as error:
        await handle_move_error(query, error, actor=actor, t=t, settings=settings, state=state, move=move)
        return
    await query.answer(t("card-moved"))
    try:
        text, keyboard = await render_card(actor, card, t, settings)
    except (CardError, Denied):  # moved out of his sight (e.g. handed to another role)
        await query.message.edit_reply_markup(reply_markup=None)
        return
    await query.message.edit_text(text, reply_markup=keyboard)


# --- conversations: reason, missing fields, comment, attachments ----------------------------------------


async def reason_entered(message: Message, actor: Actor, t: Translator, settings: Settings,
                         state: FSMContext) -> None:
    data = await state.get_data()
    move = {**data, "reason": message.text}
    try:
        if data.get("kind") == "reject":
            card = await leads.reject_lead(actor, data["card"], message.text, expected_version=data.get("v"),
                                           **engine_options(settings))
        else:
            card = await move_card(actor, data["card"], data["t"], reason=message.text, expected_version=data["v"],
                                   fields=data.get("values") or None, **engine_options(settings))
    except (CardError, Denied) as error:
        if getattr(error, "reason", None) == "reason_required":  # only blanks were sent
            await message.answer(t("card-reason-ask"), reply_markup=cancel_keyboard(t))
            return
        await handle_move_error(message, error, actor=actor, t=t, settings=settings, state=state, move=move)
        return
    await state.clear()
    await _moved(message, actor, card.id, t, settings)


async def field_entered(message: Message, actor: Actor, t: Translator, settings: Settings,
                        state: FSMContext) -> None:
    data = await state.get_data()
    values = {**(data.get("values") or {}), data["field"]: message.text}
    move = {key: data.get(key) for key in ("card", "t", "v", "reason", "kind")}
    try:
        card = await move_card(actor, data["card"], data["t"], reason=data.get("reason"), fields=values,
                               expected_version=data["v"], **engine_options(settings))
    except (CardError, Denied) as error:
        if getattr(error, "reason", None) == "fields_missing":
            # This value was accepted; ask for the next one.
            missing = list(error.details.get("fields") or [])
            titles = {**data["titles"], **await _field_titles(actor, data["card"], missing, t.locale)}
            await state.update_data(values=values, field=missing[0], titles=titles)
            await _ask_field(message, t, titles[missing[0]])
            return
        await handle_move_error(message, error, actor=actor, t=t, settings=settings, state=state, move=move)
        return
    await state.clear()
    await _moved(message, actor, card.id, t, settings)


async def comment_entered(message: Message, actor: Actor, t: Translator, settings: Settings,
                          state: FSMContext) -> None:
    data = await state.get_data()
    try:
        await add_comment(actor, data["card"], message.text)
    except (CardError, Denied) as error:
        if getattr(error, "reason", None) == "empty_comment":
            await message.answer(t("card-comment-empty"), reply_markup=cancel_keyboard(t))
            return
        await state.clear()
        await message.answer(t("forbidden"))
        return
    await state.clear()
    await send_card(message, actor, data["card"], t, settings, before=t("card-comment-saved"))


def _incoming_file(message: Message) -> tuple[str, Any] | None:
    """(kind, the Telegram file object) of what was sent; a photo's largest size."""
    if message.photo:
        return "photo", message.photo[-1]
    for attribute, kind in (("video", "video"), ("video_note", "video"), ("animation", "video"),
                            ("voice", "voice"), ("audio", "document"), ("document", "document")):
        file = getattr(message, attribute)
        if file is not None:
            return kind, file
    return None


async def file_received(message: Message, actor: Actor, t: Translator, settings: Settings, state: FSMContext,
                        bot: Bot) -> None:
    data = await state.get_data()
    try:
        card = await get_card(actor, data["card"], "card.attach", ())
    except (CardError, Denied):
        await state.clear()
        await message.answer(t("forbidden"))
        return
    incoming = _incoming_file(message)
    if incoming is None:
        await message.answer(t("card-attach-kind"), reply_markup=_attach_keyboard(t))
        return
    kind, file = incoming
    max_mb = settings.storage.max_upload_mb
    max_bytes = max_mb * 1024 * 1024
    try:
        if file.file_size and file.file_size > max_bytes:
            raise AttachmentError("too_big")
        content = await bot.download(file.file_id)
        await store_attachment(
            data=content.read() if content is not None else None, kind=kind, channel=actor.channel,
            storage_dir=settings.storage_dir, card=card, name=getattr(file, "file_name", None) or "",
            mime=getattr(file, "mime_type", None) or ("image/jpeg" if kind == "photo" else ""),
            telegram_file_id=file.file_id, telegram_unique_id=file.file_unique_id,
            media_group=message.media_group_id, uploaded_by=actor.staff, max_bytes=max_bytes,
        )
    except AttachmentError as error:
        key = "card-attach-too-big" if error.reason == "too_big" else "card-attach-kind"
        await message.answer(t(key, mb=max_mb), reply_markup=_attach_keyboard(t))
        return
    count = data.get("count", 0) + 1
    group = message.media_group_id
    if group is None:
        await state.update_data(count=count)
        await message.answer(t("card-attach-saved", count=count), reply_markup=_attach_keyboard(t))
        return
    # An album arrives as one message per part: the first part gets the answer, the others update it.
    albums = dict(data.get("albums") or {})
    reply_id, parts = albums.get(group, (None, 0))
    parts += 1
    text = t("card-attach-album", parts=parts, count=count)
    if reply_id is None:
        sent = await message.answer(text, reply_markup=_attach_keyboard(t))
        reply_id = sent.message_id
    else:
        try:
            await bot.edit_message_text(text, chat_id=message.chat.id, message_id=reply_id,
                                        reply_markup=_attach_keyboard(t))
        except TelegramBadRequest:
            log.debug("album reply %s could not be edited", reply_id, exc_info=True)
    albums[group] = (reply_id, parts)
    await state.update_data(count=count, albums=albums)


async def not_a_file(message: Message, t: Translator) -> None:
    await message.answer(t("card-attach-kind"), reply_markup=_attach_keyboard(t))


async def flow_button(query: CallbackQuery, callback_data: FlowCb, actor: Actor, t: Translator,
                      settings: Settings, state: FSMContext) -> None:
    current = await state.get_state()
    data = await state.get_data()
    await state.clear()
    await query.answer()
    if callback_data.action == "done" and current == CardFlow.attach.state:
        await query.message.edit_reply_markup(reply_markup=None)
        await send_card(query.message, actor, data["card"], t, settings,
                        before=t("card-attach-done", count=data.get("count", 0)))
        return
    if current is None:
        await query.message.edit_reply_markup(reply_markup=None)
        return
    await query.message.answer(t("flow-cancelled"))


async def command_leaves_flow(message: Message, state: FSMContext) -> None:
    """A command in the middle of a conversation ends it; the command itself is then handled as usual."""
    await state.clear()
    raise SkipHandler


async def resume(target: Message, state: FSMContext, t: Translator, *, actor: Actor, **_) -> None:
    """Ask the conversation's current question again (/menu → Continue, after a restart too)."""
    current, data = await state.get_state(), await state.get_data()
    if current == CardFlow.field.state and data.get("field") in (data.get("titles") or {}):
        await _ask_field(target, t, data["titles"][data["field"]])
        return
    if current == CardFlow.reason.state and data.get("kind") != "reject":
        await target.answer(t("card-reason-ask"), reply_markup=cancel_keyboard(t))
        return
    try:
        number = card_number(await get_card(actor, data["card"], related=("pipeline",)))
    except (CardError, KeyError):
        await state.clear()
        await target.answer(t("draft-gone"))
        return
    if current == CardFlow.comment.state:
        await target.answer(t("card-comment-ask", number=number), reply_markup=cancel_keyboard(t))
    elif current == CardFlow.attach.state:
        await target.answer(t("card-attach-ask", number=number), reply_markup=_attach_keyboard(t))
    else:
        await target.answer(t("lead-reject-ask", number=number), reply_markup=cancel_keyboard(t))


drafts.resumable(CardFlow, resume)


def build_router() -> Router:
    """A fresh router per dispatcher: aiogram attaches a router to one parent only."""
    router = Router(name="cards")
    in_flow = StateFilter(CardFlow)
    router.message.register(command_leaves_flow, in_flow, F.text.startswith("/"))
    router.callback_query.register(card_button, CardCb.filter())
    router.callback_query.register(assign_button, AssignCb.filter())
    router.callback_query.register(move_button, MoveCb.filter())
    router.callback_query.register(cards_page, PageCb.filter(F.list == "cards"))
    router.callback_query.register(flow_button, FlowCb.filter())
    router.message.register(reason_entered, CardFlow.reason, TYPED)
    router.message.register(field_entered, CardFlow.field, TYPED)
    router.message.register(comment_entered, CardFlow.comment, TYPED)
    router.message.register(file_received, CardFlow.attach, F.photo | F.video | F.video_note | F.animation | F.voice
                            | F.audio | F.document)
    router.message.register(not_a_file, CardFlow.attach, ~F.text.startswith("/"))
    return router
