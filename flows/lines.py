"""The customer's side of a quote: Approve or Decline on each line (sent by core.lines.send_quote). The message is
changed in place to show the decision; a press on a line that has changed since is refused and the line is sent
again as it is now."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from core import lines
from core.customer_identity import customer_by_telegram_id
from core.i18n import Translator
from flows.callbacks import LineDecisionCb

DECISIONS = {"a": lines.APPROVED, "d": lines.DECLINED}


async def customer_decides(query: CallbackQuery, callback_data: LineDecisionCb, t: Translator) -> None:
    customer = await customer_by_telegram_id(query.from_user.id)
    decision = DECISIONS.get(callback_data.d)
    if customer is None or decision is None:
        await query.answer(t("forbidden"), show_alert=True)
        return
    try:
        change = await lines.decide_as_customer(customer, callback_data.line, decision, version=callback_data.v)
    except lines.LineError as error:
        if error.reason != "changed":
            await query.answer(t("line-gone"), show_alert=True)
            return
        fresh = error.details["line"]
        await query.answer(t("line-changed"), show_alert=True)
        await query.message.answer(lines.describe_line(fresh, t.locale),
                                   reply_markup=InlineKeyboardMarkup.model_validate(lines.decision_markup(fresh, t)))
        return
    await query.answer()
    shown = lines.describe_line(change.line, t.locale)
    await query.message.edit_text(t("line-approved" if decision == lines.APPROVED else "line-declined", line=shown))


def build_router() -> Router:
    router = Router(name="lines")
    router.callback_query.register(customer_decides, LineDecisionCb.filter())
    return router
