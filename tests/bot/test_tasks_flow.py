""""My tasks" through the bot: paging, overdue first and marked, Done (twice), and the way to the task's card."""

from __future__ import annotations

from datetime import timedelta

from core.clock import now
from models import Task
from tests.bot.test_forged_callbacks import BORIS, CATHERINE, make_card


async def test_my_tasks_pages_overdue_first_done_once_and_opens_the_card(estafeta, sandbox):
    # Each new card gives its assignee a "contact the customer" task (the generic pack's first stage).
    cards = [await make_card(BORIS, f"Лід {n}") for n in range(1, 11)]
    await make_card(CATHERINE, "Not Boris's")
    late = await Task.get(card_id=cards[6].id)
    await Task.filter(id=late.id).update(overdue=True, due_at=now() - timedelta(hours=1))
    boris = await sandbox.existing_user(BORIS)

    first = (await boris.send("/tasks"))[-1]
    lines = first.text.splitlines()
    assert lines[0] == "Ваші завдання: 10 (стор. 1 з 2)"
    assert lines[2].startswith("1. ⏰ ПРОСТРОЧЕНО · Зв’язатися з клієнтом · S-0007 · до ")  # in his language
    assert not any("ПРОСТРОЧЕНО" in line for line in lines[3:])
    assert len([line for line in lines if line[:2].rstrip(".").isdigit()]) == 8
    assert first.buttons[:2] == ["✅ 1", "📋 S-0007"]
    assert first.buttons[-1] == "▶" and "◀" not in first.buttons
    assert not any("S-0011" in button for button in first.buttons)  # Catherine's task is not his

    second = (await boris.press("▶"))[-1]
    assert second.message_id == first.message_id  # the page turns in place
    assert second.text.splitlines()[0] == "Ваші завдання: 10 (стор. 2 з 2)"
    assert [line.split(".")[0] for line in second.text.splitlines()[2:]] == ["9", "10"]
    assert second.buttons[-1] == "◀"

    task_nine = second.text.splitlines()[2]
    number = task_nine.split(" · ")[1]
    await boris.press("✅ 9")
    assert boris.last_callback_answer["text"] == "Завдання виконано"
    done = await Task.get(card__number=int(number[2:]), card__pipeline__key="sales")
    assert done.status == "done"
    again = await boris.press("☑️ 9")
    assert again == [] or all("виконано" not in (m.text or "") for m in again)
    assert boris.last_callback_answer == {"text": "Це завдання вже закрито.", "show_alert": True, "url": None}

    view = (await boris.press(f"📋 {number}"))[-1]
    assert view.text.startswith(f"📋 {number} · Лід ")


async def test_no_tasks(estafeta, sandbox):
    anna = await sandbox.existing_user(1000001)
    assert (await anna.send("/tasks"))[-1].text == "Открытых задач нет 👍"
