"""Cards through the bot, as a manager has them: his list, the card, its moves, reasons, fields, comments, files."""

from __future__ import annotations

from core.permissions import load_actor
from core.pipelines import move_card
from models import Attachment, Card, CardHistory, Comment, Staff
from tests.bot.test_forged_callbacks import BORIS, CATHERINE, make_card, send_album

# Boris Melnyk, the demo manager, reads Ukrainian.
CARD_BUTTONS = ["💬 Коментар", "📎 Файли", "🕓 Історія"]


def texts(replies) -> str:
    return "\n".join(message.text or "" for message in replies)


async def open_from_my_cards(user, card: Card) -> list:
    listing = (await user.send("/cards"))[-1]
    label = next(button for button in listing.buttons if f"S-{card.number:04d}" in button)
    return await user.press(label)


async def test_manager_sees_only_his_cards_and_only_the_moves_he_may_make(estafeta, sandbox):
    mine = await make_card(BORIS, "Вікна для офісу")
    theirs = await make_card(CATHERINE, "Someone else's deal")
    boris = await sandbox.existing_user(BORIS)

    listing = (await boris.send("/cards"))[-1]
    assert "Ваші відкриті картки: 1" in listing.text
    assert [button for button in listing.buttons if "S-" in button] == ["S-0001 · Новий лід · Вікна для офісу"]
    assert not any(f"S-{theirs.number:04d}" in button for button in listing.buttons)

    view = (await boris.press("S-0001 · Новий лід · Вікна для офісу"))[-1]
    assert "S-0001 · Вікна для офісу" in view.text and "Етап: Новий лід" in view.text
    assert "Відповідальний: Борис Мельник" in view.text
    assert view.buttons == ["Зв’язався", "Відмова", *CARD_BUTTONS]

    moved = (await boris.press("Зв’язався"))[-1]
    assert "Етап: Зв’язалися" in moved.text
    assert moved.buttons == ["Надіслав КП", "Відмова", *CARD_BUTTONS]
    assert boris.last_callback_answer["text"] == "✅ Картку переміщено."
    card = await Card.get(id=mine.id).select_related("stage")
    assert card.stage.key == "contacted" and card.version == mine.version + 1


async def test_missing_budget_is_asked_checked_and_entered(estafeta, sandbox):
    card = await make_card(BORIS, "Склад")
    boris = await sandbox.existing_user(BORIS)
    await open_from_my_cards(boris, card)
    await boris.press("Зв’язався")

    asked = await boris.press("Надіслав КП")
    assert "Щоб перейти далі, заповніть: Бюджет." in texts(asked)
    assert asked[-1].text == "Введіть «Бюджет»:"
    assert (await Card.get(id=card.id).select_related("stage")).stage.key == "contacted"

    wrong = (await boris.send("дорого"))[-1]
    assert wrong.text.startswith("Не вдалося прийняти «Бюджет»: значення не в тому форматі.")

    done = (await boris.send("12 345,5"))[-1]
    assert done.text.startswith("✅ Картку переміщено.")
    assert "Етап: Комерційна пропозиція" in done.text
    assert "Бюджет: 12\u00a0345,50\u00a0₴" in done.text  # money: kopecks, Ukrainian separators, the hryvnia sign
    assert done.buttons == CARD_BUTTONS  # "won" and "send back" belong to the head
    stored = await Card.get(id=card.id).select_related("stage")
    assert stored.stage.key == "proposal" and stored.fields_data["budget"] == "12345.50"


async def test_reject_asks_a_reason_and_the_card_ends_lost_with_it(estafeta, sandbox):
    card = await make_card(BORIS, "Сумнівний лід")
    boris = await sandbox.existing_user(BORIS)
    await open_from_my_cards(boris, card)

    asked = (await boris.press("Відмова"))[-1]
    assert asked.text == "Напишіть причину одним повідомленням:"
    assert asked.buttons == ["✖️ Скасувати"]
    done = (await boris.send("Клієнт обрав конкурента"))[-1]
    assert "Етап: Відмова" in done.text
    stored = await Card.get(id=card.id).select_related("stage")
    assert stored.stage.kind == "lost"
    last = await CardHistory.filter(card_id=card.id).order_by("-id").first()
    assert (last.transition_key, last.reason) == ("reject_new", "Клієнт обрав конкурента")

    history = (await boris.press("🕓 Історія"))[-1]
    assert history.text.startswith("Історія S-0001:")
    assert "Борис Мельник: Новий лід → Відмова" in history.text
    assert "Причина: Клієнт обрав конкурента" in history.text
    assert "Ваші відкриті картки" not in (await boris.send("/cards"))[-1].text  # no open cards left


async def test_cancel_leaves_the_card_where_it_was(estafeta, sandbox):
    card = await make_card(BORIS, "Передумав")
    boris = await sandbox.existing_user(BORIS)
    await open_from_my_cards(boris, card)
    await boris.press("Відмова")
    assert (await boris.press("✖️ Скасувати"))[-1].text == "Скасовано."
    reply = (await boris.send("це вже не причина"))[-1]
    assert reply.text.startswith("Не зрозумів")
    assert (await Card.get(id=card.id).select_related("stage")).stage.key == "new"


async def test_a_stale_button_says_the_card_has_changed_and_shows_the_fresh_one(estafeta, sandbox):
    card = await make_card(BORIS, "Гаряча угода")
    boris = await sandbox.existing_user(BORIS)
    await open_from_my_cards(boris, card)
    head = await load_actor(await Staff.get(telegram_id=CATHERINE), channel="system")
    await move_card(head, card.id, "contact")  # someone else moved it meanwhile

    replies = await boris.press("Зв’язався")
    fresh = replies[-1]
    assert fresh.text.startswith("⚠️ Картку вже змінили, поки ви її переглядали. Ось актуальна:")
    assert "Етап: Зв’язалися" in fresh.text
    assert fresh.buttons == ["Надіслав КП", "Відмова", *CARD_BUTTONS]
    assert await CardHistory.filter(card_id=card.id).count() == 2  # created + the head's move, nothing more


async def test_comment_and_an_album_of_three_photos_with_one_reply(estafeta, sandbox):
    card = await make_card(BORIS, "Ремонт даху")
    boris = await sandbox.existing_user(BORIS)
    await open_from_my_cards(boris, card)

    assert (await boris.press("💬 Коментар"))[-1].text == "Напишіть коментар до S-0001:"
    saved = (await boris.send("Передзвонити після обіду"))[-1]
    assert saved.text.startswith("💬 Коментар збережено.")
    comment = await Comment.get(card_id=card.id)
    assert comment.text == "Передзвонити після обіду" and comment.channel == "bot"

    asked = (await boris.press("📎 Файли"))[-1]
    assert asked.text.startswith("Надішліть до S-0001 фото, відео, документи або голосові")
    replies = await send_album(estafeta, BORIS, [b"\x89PNG first", b"\x89PNG second", b"\x89PNG third"], "alb-1")
    assert len(replies) == 1, replies  # one answer for the album, kept up to date, not one per photo
    chat = estafeta.sandbox.chat(BORIS)
    reply = chat.messages[replies[0]["message_id"]].tg
    assert reply["text"].startswith("📎 Альбом: збережено 3 (усього: 3).")
    attachments = await Attachment.filter(card_id=card.id).order_by("id")
    assert [a.kind for a in attachments] == ["photo"] * 3
    assert {a.media_group for a in attachments} == {"alb-1"}
    assert len({a.sha256 for a in attachments}) == 3 and all(a.size > 0 and a.path for a in attachments)
    assert all((estafeta.settings.storage_dir / a.path).read_bytes().startswith(b"\x89PNG") for a in attachments)

    finished = (await boris.press("✔️ Готово"))[-1]
    assert finished.text.startswith("📎 Додано файлів: 3.")


async def test_a_notification_button_opens_the_card(estafeta, sandbox):
    """core.notify's "open card" button and the bot's CardCb are one format."""
    from core.notify import open_card_data
    from tests.bot.test_forged_callbacks import forge_press

    card = await make_card(BORIS, "З повідомлення")
    boris = await sandbox.existing_user(BORIS)
    await boris.send("/menu")
    answer, replies = await forge_press(estafeta, BORIS, open_card_data(card.id))
    assert not (answer or {}).get("show_alert")
    assert "S-0001 · З повідомлення" in replies[-1]["text"]


def test_card_buttons_read_the_data_core_and_the_intake_write():
    from core.notify import open_card_data
    from flows.callbacks import CardCb, MoveCb

    assert CardCb.unpack(open_card_data(42)) == CardCb(action="open", card=42)
    assert CardCb(action="open", card=42).pack() == open_card_data(42) == "c1:open:42"
    for action in ("take", "later", "reject"):  # the lead message's buttons
        assert CardCb.unpack(f"c1:{action}:42") == CardCb(action=action, card=42)
    widest = MoveCb(card=9_999_999_999, t="reject_" + "x" * 32, v=99_999_999).pack()
    assert len(widest.encode()) <= 64


async def test_lead_buttons_take_call_back_later_and_reject(estafeta, sandbox):
    from datetime import timedelta

    from core.clock import now
    from core.permissions import SYSTEM
    from core.pipelines import create_card
    from models import Task
    from tests.bot.test_forged_callbacks import FORBIDDEN, forge_press

    lead = await create_card(SYSTEM, "sales", title="Заявка з сайту", source="site")  # nobody's yet
    boris = await sandbox.existing_user(BORIS)
    await boris.send("/menu")

    answer, replies = await forge_press(estafeta, BORIS, f"c1:take:{lead.id}")
    assert answer["text"] == "👍 Лід тепер ваш." and not answer["show_alert"]
    assert any("Відповідальний: Борис Мельник" in (reply.get("text") or "") for reply in replies)
    taken = await Card.get(id=lead.id)
    me = await Staff.get(telegram_id=BORIS)
    assert (taken.assignee_id, taken.owner_id, taken.version) == (me.id, me.id, lead.version + 1)
    answer, _ = await forge_press(estafeta, BORIS, f"c1:take:{lead.id}")  # pressing again: still his
    assert answer["text"] == "👍 Лід тепер ваш."

    catherine = await sandbox.existing_user(CATHERINE)
    await catherine.send("/menu")
    answer, _ = await forge_press(estafeta, CATHERINE, f"c1:take:{lead.id}")
    assert answer == {"text": "Another colleague has already taken this lead.", "show_alert": True, "url": None}
    assert (await Card.get(id=lead.id)).assignee_id == me.id

    answer, _ = await forge_press(estafeta, BORIS, f"c1:later:{lead.id}")
    assert answer["text"] == "⏰ Добре, нагадаю передзвонити через 2 год."
    call_back = await Task.get(card_id=lead.id, title="Передзвонити клієнту")
    assert call_back.assignee_id == me.id and call_back.status == "open"
    assert abs(call_back.due_at - (now() + timedelta(hours=2))) < timedelta(minutes=1)

    answer, replies = await forge_press(estafeta, BORIS, f"c1:reject:{lead.id}")
    assert any(reply.get("text") == "Чому відмова по S-0001? Напишіть причину:" for reply in replies)
    done = await boris.send("Не цільовий запит")
    assert any("Етап: Відмова" in (message.text or "") for message in done)
    last = await CardHistory.filter(card_id=lead.id).order_by("-id").first()
    assert (last.transition_key, last.reason) == ("reject_new", "Не цільовий запит")
    answer, _ = await forge_press(estafeta, BORIS, f"c1:take:{lead.id}")
    assert answer == {"text": "Картку вже закрито.", "show_alert": True, "url": None}
    assert FORBIDDEN[BORIS] != answer["text"]


async def test_my_cards_pages_by_eight_from_the_menu_button(estafeta, sandbox):
    for n in range(1, 10):
        await make_card(BORIS, f"Лід {n}")
    boris = await sandbox.existing_user(BORIS)
    await boris.send("/menu")
    first = (await boris.press("📋 Мої картки"))[-1]
    assert first.text == "Ваші відкриті картки: 9 (стор. 1 з 2)"
    assert [b for b in first.buttons if b.startswith("S-")][0] == "S-0009 · Новий лід · Лід 9"  # newest first
    assert len([b for b in first.buttons if b.startswith("S-")]) == 8 and first.buttons[-1] == "▶"
    second = (await boris.press("▶"))[-1]
    assert second.text == "Ваші відкриті картки: 9 (стор. 2 з 2)"
    assert second.buttons == ["S-0001 · Новий лід · Лід 1", "◀"]


async def test_a_command_ends_a_conversation(estafeta, sandbox):
    card = await make_card(BORIS, "Не відмова")
    boris = await sandbox.existing_user(BORIS)
    await open_from_my_cards(boris, card)
    await boris.press("Відмова")
    assert (await boris.send("/tasks"))[-1].text.startswith("Ваші завдання: 1")
    assert (await boris.send("просто текст"))[-1].text.startswith("Не зрозумів")
    assert (await Card.get(id=card.id).select_related("stage")).stage.key == "new"


async def test_documents_one_by_one_and_a_file_too_big(estafeta, sandbox):
    card = await make_card(BORIS, "Документи")
    boris = await sandbox.existing_user(BORIS)
    await open_from_my_cards(boris, card)
    await boris.press("📎 Файли")
    saved = (await boris.send_document(b"%PDF-1.4 offer", filename="offer.pdf"))[-1]
    assert saved.text.startswith("📎 Файл збережено (усього: 1).")
    estafeta.settings.storage.max_upload_mb = 1
    too_big = (await boris.send_document(b"x" * (1024 * 1024 + 1), filename="huge.bin"))[-1]
    assert too_big.text == "Файл більший за 1 МБ — не збережено."
    text = (await boris.send("ні"))[-1]
    assert text.text.startswith("Сюди можна надіслати фото, відео, документ або голосове.")
    attachments = await Attachment.filter(card_id=card.id)
    assert [(a.kind, a.name, a.mime) for a in attachments] == [("document", "offer.pdf", "application/pdf")]
    assert (await boris.press("✔️ Готово"))[-1].text.startswith("📎 Додано файлів: 1.")


def test_long_labels_are_clipped_to_one_line():
    from flows import render

    assert render.clip("a  b " * 30, 10) == "a b a b a…"
