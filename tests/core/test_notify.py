"""Staff notifications: one outbox row per reachable recipient, in their language, with an "open card" button."""

from core import notify
from tests.core.test_tasks import button_data, make_card, make_role, make_staff, outbox_rows


async def test_each_recipient_once_in_their_language_with_the_card_button(db):
    ru = await make_staff("Ru", telegram_id=11, locale="ru")
    uk = await make_staff("Uk", telegram_id=12, locale="uk")
    en = await make_staff("En", telegram_id=13, locale="en")
    default = await make_staff("Default", telegram_id=14)
    card = await make_card(ru)
    written = await notify.notify_staff(
        [ru, uk, en, default, uk], "notify-task-new", card=card, default_locale="en", title="Wash", number="A-0042"
    )
    assert written == 4
    rows = await outbox_rows()
    assert [(row.chat_id, row.payload["text"]) for row in rows] == [
        (11, "📌 Новая задача по карточке A-0042: Wash"),
        (12, "📌 Нове завдання за карткою A-0042: Wash"),
        (13, "📌 New task on card A-0042: Wash"),
        (14, "📌 New task on card A-0042: Wash"),
    ]
    assert {button_data(row) for row in rows} == {f"c1:open:{card.id}"}
    assert [row.payload["reply_markup"]["inline_keyboard"][0][0]["text"] for row in rows] == [
        "Открыть карточку", "Відкрити картку", "Open card", "Open card"
    ]
    assert {row.status for row in rows} == {"pending"}


async def test_the_actor_inactive_staff_and_staff_without_telegram_are_skipped(db):
    actor = await make_staff("Actor", telegram_id=21)
    reachable = await make_staff("Reachable", telegram_id=22)
    inactive = await make_staff("Inactive", telegram_id=23, active=False)
    no_telegram = await make_staff("No Telegram")
    written = await notify.notify_staff(
        [actor, reachable, inactive, no_telegram], "notify-task-new", exclude=actor, title="X", number="none"
    )
    assert written == 1
    [row] = await outbox_rows()
    assert row.chat_id == 22 and row.payload == {"text": "📌 Новая задача: X"}


async def test_localized_arguments_read_in_each_recipients_language(db):
    uk = await make_staff("Uk", telegram_id=31, locale="uk")
    en = await make_staff("En", telegram_id=32, locale="en")
    titles = {"uk": "Закупівельник", "en": "Parts buyer"}
    await notify.notify_staff(
        [uk, en], "notify-task-overdue", title="T", number="none", assignee=lambda locale: titles[locale]
    )
    assert [row.payload["text"] for row in await outbox_rows()] == [
        "⏰ Прострочено завдання «T». Виконавець: Закупівельник.",
        "⏰ Overdue task “T”. Assignee: Parts buyer.",
    ]


async def test_roles_union_tells_each_person_once(db):
    buyer, head = await make_role("buyer"), await make_role("head")
    both = await make_staff("Both", buyer, head, telegram_id=41)
    only_buyer = await make_staff("Buyer", buyer, telegram_id=42)
    only_head = await make_staff("Head", head, telegram_id=43)
    await make_staff("Off", buyer, telegram_id=44, active=False)
    await make_staff("Clerk", await make_role("clerk"), telegram_id=45)

    assert [s.id for s in await notify.staff_with_role("buyer")] == [both.id, only_buyer.id]
    written = await notify.notify_roles(["buyer", "head"], "notify-task-new", title="X", number="none")
    assert written == 3
    assert sorted(row.chat_id for row in await outbox_rows()) == [41, 42, 43]
    assert only_head.telegram_id == 43
