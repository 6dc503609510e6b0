"""An import through the bot, as the head of sales does it in the sandbox: send a spreadsheet, read the dry run,
press "Run import", watch the progress message end with the totals and get the error report."""

from __future__ import annotations

import asyncio
import io
import time

import openpyxl
import pytest

from core import outbox
from core.i18n import translator
from core.imports import engine
from core.imports.engine import ImportJobError, RowResult
from core.permissions import load_actor
from flows.imports import render_row, render_summary, render_totals
from models import Customer, ImportJob, Staff

CATHERINE, BORIS = 1000003, 1000002  # demo head of sales (en, has import.run), manager (uk, has not)

ROWS = [
    ["Full name", "Phone", "E-mail"],
    ["IVAN PETRENKO", "+380 67 555 12 34", "ivan@example.com"],
    ["Olena Koval", "050 777 22 33; 063 777 11 22", None],
    ["No Phone Person", "12345", None],
    ["Petro Bondar", "067 555 12 34", None],
]


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def wait_for(predicate, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while True:
        result = await predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)


async def test_head_imports_customers_from_the_bot(estafeta, sandbox):
    catherine = await sandbox.existing_user(CATHERINE)
    replies = await catherine.send_document(workbook(ROWS), filename="clients.xlsx")
    summary = replies[-1]
    assert summary.content.splitlines()[:7] == [
        "📥 clients.xlsx — Customers",
        "Check before import · rows: 4",
        "",
        "➕ new: 2",
        "✏️ to update: 0",
        "⏸ already in the base, unchanged: 0",
        "⛔ rejected: 2",
    ]
    assert "Row 4: not a phone number (phone) «12345»" in summary.content
    assert "Row 5: repeats an earlier row (phone) «+380675551234» — same as row 2" in summary.content
    assert summary.buttons == ["▶️ Run import", "✖️ Cancel"]
    assert not await Customer.filter(name__in=["Ivan Petrenko", "Olena Koval"]).exists()

    await catherine.press("▶️ Run import")
    job = await ImportJob.get(file_name="clients.xlsx")

    # The progress message was a reply of the press, so the job names it by a stand-in until it is sent.
    assert job.progress_message_id < 0
    progress_id = await wait_for(lambda: outbox.sent_message_id(job.progress_message_id))

    async def finished():
        messages = await catherine.messages()
        progress = next((m for m in messages if m.message_id == progress_id), None)
        return messages if progress is not None and progress.content.startswith("✅") else None

    messages = await wait_for(finished)
    progress = next(m for m in messages if m.message_id == progress_id)
    assert progress.edited
    assert progress.content.splitlines() == [
        "✅ clients.xlsx", "Import finished · rows: 4", "", "➕ new: 2", "✏️ to update: 0",
        "⏸ already in the base, unchanged: 0", "⛔ rejected: 2",
    ]
    report = messages[-1]
    assert report.document is not None and report.document["file_name"] == "clients-errors.csv"
    content = (await sandbox.download(report.document["file_id"])).decode("utf-8-sig")
    assert content.splitlines()[1] == "4;reject;invalid_phone;phone;12345;No Phone Person;12345;"
    ivan = await Customer.get(name="Ivan Petrenko")
    assert ivan.email == "ivan@example.com"
    assert (await ImportJob.get(id=job.id)).status == "done"

    # The summary's buttons are gone, and a second "run" (a forged press) is refused by core.
    assert (await catherine.messages())[-3].buttons == []
    actor = await load_actor(await Staff.get(telegram_id=CATHERINE), channel="bot")
    with pytest.raises(ImportJobError):
        await engine.queue(actor, job.id)


async def test_a_manager_without_import_rights_is_not_offered_an_import(estafeta, sandbox):
    boris = await sandbox.existing_user(BORIS)
    replies = await boris.send_document(workbook(ROWS), filename="clients.xlsx")
    assert not any("📥" in reply.content for reply in replies)
    assert await ImportJob.all().count() == 0


@pytest.mark.parametrize("locale", ["ru", "uk", "en"])
def test_import_messages_format_in_every_locale(locale):
    t = translator(locale, strict=True)
    summary = {"entity": "vehicles", "file_name": "cars.xls", "status": "done", "total": 3, "processed": 3,
               "create": 1, "update": 0, "skip": 1, "reject": 1,
               "rejected": [RowResult(row=3, outcome="reject", reason="vin_forbidden_letters", field="vin",
                                      value="WVWZZZ1KZ6WO12345")]}
    for text in (render_summary(summary, t), render_totals(summary, t),
                 render_totals({**summary, "status": "failed"}, t, error="file_changed: /x"),
                 render_row(summary["rejected"][0], t)):
        assert "imports-" not in text and "{" not in text


async def test_the_bot_asks_what_the_file_holds(estafeta, sandbox):
    catherine = await sandbox.existing_user(CATHERINE)
    rows = [["ID", "Phone"], ["D-7", "+380 67 555 98 76"], ["D-8", "+380 67 555 98 77"]]
    question = (await catherine.send_document(workbook(rows), filename="mixed.csv.xlsx"))[-1]
    assert question.content == "📥 mixed.csv.xlsx\nWhat does this file hold?"
    assert question.buttons == ["Customers", "Vehicles", "Cards", "✖️ Cancel"]
    summary = (await catherine.press("Cards"))[-1]
    # The generic pack has one pipeline, so it is not asked for.
    assert summary.content.startswith("📥 mixed.csv.xlsx — Cards\nCheck before import · rows: 2\n\n➕ new: 2\n")
    assert summary.buttons == ["▶️ Run import", "✖️ Cancel"]
    cancelled = (await catherine.press("✖️ Cancel"))[-1]
    assert cancelled.content.endswith("Import cancelled.") and cancelled.buttons == []
    assert (await ImportJob.get(file_name="mixed.csv.xlsx")).status == "cancelled"


async def test_a_large_file_is_checked_by_the_worker(estafeta, sandbox, monkeypatch):
    from flows import imports as import_flow

    monkeypatch.setattr(import_flow, "INLINE_CHECK_ROWS", 2)
    catherine = await sandbox.existing_user(CATHERINE)
    checking = (await catherine.send_document(workbook(ROWS), filename="big.xlsx"))[-1]
    # "🔎 big.xlsx / Checking the rows… (4 rows)" — unless the worker has already edited it into the summary.
    assert checking.content.startswith(("🔎 big.xlsx\nChecking the rows… (4 rows)", "📥 big.xlsx"))

    async def checked():
        message = next(m for m in await catherine.messages() if m.message_id == checking.message_id)
        return message if message.buttons else None

    summary = await wait_for(checked)
    assert summary.edited  # the handler's "checking…" message, edited by the worker
    assert summary.content.startswith("📥 big.xlsx — Customers\nCheck before import · rows: 4\n\n➕ new: 2\n")
    assert summary.buttons == ["▶️ Run import", "✖️ Cancel"]


async def test_progress_edits_are_throttled_and_the_end_always_shown(db):
    from jobs.imports import ProgressMessage

    class FakeBot:
        def __init__(self):
            self.edits: list[str] = []

        async def edit_message_text(self, *, text, chat_id, message_id, **_):
            self.edits.append(text)

    now = [100.0]
    bot = FakeBot()
    progress = ProgressMessage(bot, clock=lambda: now[0])
    job = ImportJob(id=1, file_name="a.xlsx", entity="customers", status="running", total_rows=500,
                    processed_rows=0, progress_chat_id=5, progress_message_id=6, options={"locale": "en"},
                    report=[], created=0, updated=0, skipped=0, rejected=0)
    for step in range(1, 6):  # a batch every 0.5 s: edits at 0 s and 2 s
        job.processed_rows = step * 100
        await progress(job)
        now[0] += 0.5
    assert bot.edits == ["⏳ a.xlsx\nImported: 100 / 500", "⏳ a.xlsx\nImported: 500 / 500"]
    await progress(job)  # 0.5 s after the last edit: skipped
    job.status, job.created = "done", 500
    await progress(job)  # the end is always shown
    assert bot.edits[2:] == ["✅ a.xlsx\nImport finished · rows: 500\n\n➕ new: 500\n✏️ to update: 0\n"
                             "⏸ already in the base, unchanged: 0\n⛔ rejected: 0"]
