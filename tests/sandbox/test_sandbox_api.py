"""The sandbox speaks the Bot API subset to a real aiogram Bot and the persona API to tests."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.sandbox import DEFAULT_TOKEN, sandbox_api_server
from bot.sandbox.client import SandboxClient, SandboxError
from bot.sandbox.state import entities_to_html, parse_html, parse_markdown_v2

from .conftest import SandboxServer, make_png


def kb(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data)] for text, data in buttons]
    )


async def test_api_server_urls() -> None:
    server = sandbox_api_server("http://127.0.0.1:8080/")
    assert server.api_url(DEFAULT_TOKEN, "getMe") == f"http://127.0.0.1:8080/sandbox/botapi/bot{DEFAULT_TOKEN}/getMe"
    assert (
        server.file_url(DEFAULT_TOKEN, "photos/file_1.png")
        == f"http://127.0.0.1:8080/sandbox/botapi/file/bot{DEFAULT_TOKEN}/photos/file_1.png"
    )


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 100000
    assert me.is_bot
    assert me.username == "estafeta_sandbox_bot"


async def test_wrong_token_and_unknown_method(sandbox: SandboxServer) -> None:
    wrong = Bot("123:wrong", session=AiohttpSession(api=sandbox_api_server(sandbox.base_url)))
    with pytest.raises(TelegramUnauthorizedError):
        await wrong.get_me()
    await wrong.session.close()
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{sandbox.botapi}/noSuchMethod")
        assert response.status_code == 404
        assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        response = await http.get(f"{sandbox.base_url}/sandbox/botapi/botnope/getMe")
        assert response.status_code == 401
        assert response.json()["description"] == "Unauthorized"


async def test_send_edit_delete(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice")
    assert alice.id == 1000001
    sent = await bot.send_message(alice.id, "Hello <b>Alice</b>", parse_mode="HTML", reply_markup=kb(("Go", "go")))
    assert sent.text == "Hello Alice"
    assert sent.entities and sent.entities[0].type == "bold"
    assert sent.from_user and sent.from_user.id == 100000
    assert sent.chat.id == alice.id
    second = await bot.send_message(alice.id, "second")
    assert second.message_id == sent.message_id + 1

    # identical content + markup -> "message is not modified"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="Hello <b>Alice</b>",
            chat_id=alice.id,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=kb(("Go", "go")),
        )
    edited = await bot.edit_message_text(text="Edited", chat_id=alice.id, message_id=sent.message_id)
    assert edited.text == "Edited"
    assert edited.reply_markup is None  # editing without reply_markup drops the keyboard, as in Telegram
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=alice.id, message_id=999)
    await bot.edit_message_reply_markup(chat_id=alice.id, message_id=sent.message_id, reply_markup=kb(("A", "a")))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=alice.id, message_id=sent.message_id, reply_markup=kb(("A", "a")))

    chat = await alice.chat()
    first = next(m for m in chat["messages"] if m["message_id"] == sent.message_id)
    assert first["edited"] is True
    assert first["text"] == "Edited"
    assert first["inline_keyboard"] == [[{"text": "A", "callback_data": "a"}]]

    # polling with after=seq only returns changes
    seq = chat["seq"]
    assert (await alice.chat(after=seq))["messages"] == []
    assert await bot.delete_message(alice.id, second.message_id)
    changes = (await alice.chat(after=seq))["messages"]
    assert [(m["message_id"], m["deleted"]) for m in changes] == [(second.message_id, True)]
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(alice.id, second.message_id)
    assert [m.text for m in await alice.messages()] == ["Edited"]


async def test_validation_like_telegram(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice")
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(alice.id, "x", reply_markup=kb(("Long", "x" * 65)))
    await bot.send_message(alice.id, "x", reply_markup=kb(("Max", "y" * 64)))
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(alice.id, "a" * 4097)
    await bot.send_message(alice.id, "a" * 4096)
    # length counts after entity parsing
    await bot.send_message(alice.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(alice.id, "")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hi")
    with pytest.raises(TelegramBadRequest, match="Unsupported start tag"):
        await bot.send_message(alice.id, "a<br>b", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="reserved"):
        await bot.send_message(alice.id, "Price: 5.00", parse_mode="MarkdownV2")


async def test_raw_json_and_unknown_params(sandbox: SandboxServer, client: SandboxClient) -> None:
    alice = await client.user("Alice")
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{sandbox.botapi}/sendMessage",
            json={
                "chat_id": alice.id,
                "text": "json body",
                "whatever": {"nested": [1, 2]},
                "reply_markup": {"inline_keyboard": [[{"text": "Ok", "callback_data": "ok"}]]},
            },
        )
        assert response.status_code == 200, response.text
        assert response.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Ok"
        # garbage values become 400 JSON errors, never 500
        for body in (
            {"chat_id": alice.id, "text": "x", "reply_markup": "{not json"},
            {"chat_id": "abc", "text": "x"},
            {"chat_id": alice.id, "text": "x", "reply_markup": {"inline_keyboard": "nope"}},
            {"chat_id": alice.id, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "no action"}]]}},
            {"chat_id": alice.id, "latitude": "north", "longitude": 1},
        ):
            method = "sendLocation" if "latitude" in body else "sendMessage"
            response = await http.post(f"{sandbox.botapi}/{method}", json=body)
            assert response.status_code == 400, (body, response.text)
            assert response.json()["ok"] is False
        response = await http.post(
            f"{sandbox.botapi}/sendMessage", content=b"{broken", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400
        # GET with a query string works too, as in Telegram
        response = await http.get(f"{sandbox.botapi}/sendMessage", params={"chat_id": alice.id, "text": "q"})
        assert response.json()["result"]["text"] == "q"


async def test_long_polling_gets_persona_message(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice", language_code="uk")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await alice.send("/start inv_abc", wait=False)
    updates = await asyncio.wait_for(poll, 3)
    assert time.monotonic() - started < 3
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None
    assert message.text == "/start inv_abc"
    assert message.from_user and message.from_user.id == alice.id
    assert message.from_user.language_code == "uk"
    assert message.chat.type == "private"
    assert message.entities and message.entities[0].type == "bot_command"
    assert message.entities[0].length == len("/start")
    # unconfirmed updates come again; offset confirms them
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id]
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == []
    # empty long poll honours the timeout
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 2


async def test_press_inline_button(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice")
    keyboard = kb(("Approve", "order:7:approve"), ("Reject", "r"))
    sent = await bot.send_message(alice.id, "Order #7", reply_markup=keyboard)
    await alice.press("Approve", wait=False)
    updates = await bot.get_updates(timeout=2)
    query = updates[-1].callback_query
    assert query is not None
    assert query.data == "order:7:approve"
    assert query.from_user.id == alice.id
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.chat_instance
    assert await bot.answer_callback_query(query.id, text="Approved!", show_alert=True)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query(query.id, text="twice")
    chat = await alice.chat()
    assert chat["callback_answers"][-1]["text"] == "Approved!"
    assert chat["callback_answers"][-1]["show_alert"] is True


async def test_photo_upload_roundtrip(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice")
    png = make_png(30, 20)
    upload = BufferedInputFile(png, "chart.png")
    sent = await bot.send_photo(alice.id, upload, caption="<i>chart</i>", parse_mode="HTML")
    assert sent.photo and sent.caption == "chart"
    biggest = sent.photo[-1]
    assert (biggest.width, biggest.height) == (30, 20)
    file = await bot.get_file(biggest.file_id)
    assert file.file_path
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == png
    # resend by file_id, and as a document; a URL is just recorded
    again = await bot.send_photo(alice.id, biggest.file_id)
    assert again.photo and again.photo[-1].file_id == biggest.file_id
    doc = await bot.send_document(alice.id, BufferedInputFile(b"col1,col2\n1,2\n", "report.csv"))
    assert doc.document and doc.document.file_name == "report.csv"
    url_photo = await bot.send_photo(alice.id, "https://example.com/cat.jpg")
    assert url_photo.photo
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(alice.id, "no-such-file-id")
    # the persona sees the photo with a download url
    view = (await alice.chat())["messages"][0]
    assert view["photo"]["url"].startswith("/sandbox/api/files/")
    assert view["html"] == "<i>chart</i>"
    assert await client.download(view["photo"]["file_id"]) == png


async def test_persona_photo_and_document_reach_the_bot(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice")
    png = make_png(12, 8)
    await alice.send_photo(png, caption="my receipt", wait=False)
    await alice.send_document(b"%PDF-1.4 fake", filename="invoice.pdf", wait=False)
    updates = await bot.get_updates(timeout=1)
    photo_msg, doc_msg = updates[0].message, updates[1].message
    assert photo_msg and photo_msg.photo and photo_msg.caption == "my receipt"
    downloaded = await bot.download(photo_msg.photo[-1].file_id)
    assert downloaded is not None and downloaded.read() == png
    assert doc_msg and doc_msg.document
    assert doc_msg.document.file_name == "invoice.pdf"
    assert doc_msg.document.mime_type == "application/pdf"
    downloaded = await bot.download(doc_msg.document.file_id)
    assert downloaded is not None and downloaded.read() == b"%PDF-1.4 fake"


async def test_location_contact_and_media_group(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice", phone="+380501234567")
    await alice.share_location(50.45, 30.52, wait=False)
    await alice.share_contact(wait=False)
    updates = await bot.get_updates(timeout=1)
    location = updates[0].message.location  # type: ignore[union-attr]
    assert location and (location.latitude, location.longitude) == (50.45, 30.52)
    contact = updates[1].message.contact  # type: ignore[union-attr]
    assert contact and contact.phone_number == "+380501234567" and contact.user_id == alice.id

    loc = await bot.send_location(alice.id, latitude=49.84, longitude=24.03)
    assert loc.location and loc.location.latitude == 49.84
    group = await bot.send_media_group(
        alice.id,
        [
            InputMediaPhoto(media=BufferedInputFile(make_png(), "a.png"), caption="first"),
            InputMediaPhoto(media=BufferedInputFile(make_png(5, 5), "b.png")),
        ],
    )
    assert len(group) == 2
    assert group[0].media_group_id and group[0].media_group_id == group[1].media_group_id
    assert group[0].caption == "first"


async def test_reply_keyboard_buttons(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice", phone="+380501112233")
    keyboard = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text="Share phone", request_contact=True)],
            [KeyboardButton(text="Where am I", request_location=True), KeyboardButton(text="Menu")],
        ],
        resize_keyboard=True,
    )
    await bot.send_message(alice.id, "Please share", reply_markup=keyboard)
    assert await alice.reply_keyboard() == ["Share phone", "Where am I", "Menu"]
    await alice.press("Share phone", wait=False)
    await alice.press("Where am I", latitude=1.5, longitude=2.5, wait=False)
    await alice.press("Menu", wait=False)
    updates = await bot.get_updates(timeout=1)
    assert updates[0].message and updates[0].message.contact
    assert updates[0].message.contact.phone_number == "+380501112233"
    assert updates[1].message and updates[1].message.location and updates[1].message.location.latitude == 1.5
    assert updates[2].message and updates[2].message.text == "Menu"
    await bot.send_message(alice.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert await alice.reply_keyboard() == []


async def test_faults_and_flood_control(bot: Bot, client: SandboxClient, sandbox: SandboxServer) -> None:
    alice = await client.user("Alice")
    await client.fault("sendMessage", error_code=429, retry_after=2, chat_id=alice.id)
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(alice.id, "one")
    assert info.value.retry_after == 2
    assert "Too Many Requests: retry after 2" in str(info.value)
    await bot.send_message(alice.id, "two")  # count=1: only one call failed
    await client.fault("*", error_code=502, count=1)
    with pytest.raises(Exception, match="Bad Gateway"):
        await bot.send_chat_action(alice.id, "typing")

    deliveries = await client.deliveries(chat_id=alice.id)
    assert [d["method"] for d in deliveries] == ["sendMessage"]
    assert sandbox.state.deliveries[-1].chat_id == alice.id

    await client.settings(flood_control=True)
    bob = await client.user("Bob")
    await bot.send_message(bob.id, "first")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(bob.id, "too soon")
    assert info.value.retry_after >= 1
    carol = await client.user("Carol")
    await bot.send_message(carol.id, "another chat is fine")
    await client.settings(flood_control=False)
    await bot.send_message(bob.id, "no limits now")


async def test_block_and_unblock(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice")
    await alice.block()
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "hello?")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_photo(alice.id, BufferedInputFile(make_png(), "x.png"))
    updates = await bot.get_updates(timeout=0)
    member = updates[-1].my_chat_member
    assert member and member.new_chat_member.status == "kicked"
    with pytest.raises(SandboxError, match="blocked"):
        await alice.send("hi", wait=False)
    await alice.unblock()
    await bot.send_message(alice.id, "welcome back")


async def test_commands_per_chat(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice", language_code="en")
    bob = await client.user("Bob")
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands(
        [BotCommand(command="orders", description="My orders")], scope=BotCommandScopeChat(chat_id=alice.id)
    )
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=alice.id))] == ["orders"]
    assert [c["command"] for c in await alice.commands()] == ["orders"]
    assert [c["command"] for c in await bob.commands()] == ["start"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=alice.id))
    assert [c["command"] for c in await alice.commands()] == ["start"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])
    chat = await bot.get_chat(alice.id)
    assert chat.id == alice.id and chat.first_name == "Alice"


async def test_webhook_delivery(bot: Bot, client: SandboxClient, sandbox: SandboxServer) -> None:
    alice = await client.user("Alice")
    calls = sandbox.extra["hook_calls"]
    sandbox.extra["hook_reply"]["fail_times"] = 1
    sandbox.extra["hook_reply"]["method"] = {"method": "sendMessage", "chat_id": alice.id, "text": "from webhook"}
    assert await bot.set_webhook(f"{sandbox.base_url}/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == f"{sandbox.base_url}/hook"
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    await alice.send("via webhook", wait=False)
    for _ in range(200):
        if len(calls) >= 2 and any(m.text == "from webhook" for m in await alice.messages()):
            break
        await asyncio.sleep(0.02)
    assert len(calls) == 2  # the first attempt got a 500 and was retried
    assert calls[-1]["headers"]["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"
    assert calls[-1]["body"]["message"]["text"] == "via webhook"
    assert [m.text for m in await alice.messages()] == ["from webhook"]
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 0 and info.last_error_message
    assert await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == []


async def test_persona_api_errors(sandbox: SandboxServer, client: SandboxClient, bot: Bot) -> None:
    async with httpx.AsyncClient(base_url=sandbox.api) as http:
        response = await http.post("/users/999/send", json={"text": "hi"})
        assert response.status_code == 404 and "no user 999" in response.json()["error"]
        response = await http.post("/users/abc/send", json={"text": "hi"})
        assert response.status_code == 404
        response = await http.post("/users", content=b"{nope", headers={"Content-Type": "application/json"})
        assert response.status_code == 400 and response.json()["error"]
        response = await http.post("/users", json={"language_code": "ru"})
        assert response.status_code == 422
        response = await http.post("/users", json={"name": "X", "id": "12"})
        assert response.status_code == 422
        response = await http.post("/users", json={"name": "Dan", "role": "manager"})
        assert response.status_code == 422  # no persona_factory registered
        response = await http.post("/users", json={"name": "Eve", "id": 555})
        assert response.status_code == 201 and response.json()["id"] == 555
        response = await http.post("/users", json={"name": "Eve", "id": 555})
        assert response.status_code == 409
        response = await http.post("/users/555/send", json={"nothing": 1})
        assert response.status_code == 400
        response = await http.post("/users/555/send", json={"location": {"latitude": 200, "longitude": 0}})
        assert response.status_code == 422
        response = await http.post("/users/555/send", json={"contact": {}})
        assert response.status_code == 422  # no phone on the persona
        response = await http.post("/users/555/send?timeout=abc", json={"text": "x"})
        assert response.status_code == 400
        response = await http.get("/users/555/chat?after=x")
        assert response.status_code == 400
        response = await http.post("/faults", json={"error_code": 429})
        assert response.status_code == 422
        response = await http.get("/no/such/route")
        assert response.status_code == 404 and response.json()["error"]
        response = await http.get("/files/nope")
        assert response.status_code == 404
        assert (await http.get("/roles")).json() == []

    alice = await client.user("Alice")
    await bot.send_message(
        alice.id,
        "Pick",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text="Yes", callback_data="y")],
                [InlineKeyboardButton(text="Site", url="https://example.com")],
            ]
        ),
    )
    with pytest.raises(SandboxError, match=r"no button 'Maybe' in the chat; buttons: \['Yes', 'Site'\]") as info:
        await alice.press("Maybe")
    assert info.value.status == 404
    assert "Pick" in str(info.value)  # the client adds what the bot said
    with pytest.raises(SandboxError, match="is a link to URL") as info:
        await alice.press("Site")
    assert info.value.status == 400


async def test_send_times_out_when_nobody_polls(client: SandboxClient) -> None:
    alice = await client.user("Alice")
    with pytest.raises(SandboxError, match=r"did not process update \d+ within 0.3 s.*never fetched") as info:
        await alice.send("anyone?", timeout=0.3)
    assert info.value.status == 504


async def test_end_to_end_with_dispatcher(echo_bot, client: SandboxClient) -> None:  # type: ignore[no-untyped-def]
    alice = await client.user("Alice")
    replies = await alice.send("/start")
    assert len(replies) == 1
    reply = replies[0]
    assert reply.text == "Hello, Alice! You said: /start"
    assert reply.raw["html"] == "Hello, <b>Alice</b>! You said: /start"
    assert alice.buttons(reply) == ["Approve", "Docs"]
    replies = await alice.press("Approve")
    assert [(m.text, m.edited, m.buttons) for m in replies] == [("Approved (approve:1)", True, [])]
    assert alice.last_callback_answer == {"text": "Done!", "show_alert": False, "url": None}
    replies = await alice.send("just text")
    assert [m.text for m in replies] == ["echo: just text"]
    replies = await alice.send_photo(make_png(64, 48))
    assert [m.text for m in replies] == ["Got a photo 64x48"]
    last = await alice.last_message()
    assert last.text == "Got a photo 64x48"
    assert len(await alice.messages()) == 3


async def test_persona_factory_and_roles(sandbox: SandboxServer, client: SandboxClient) -> None:
    created = []

    async def factory(user: dict, role: str) -> None:
        created.append((user["id"], role))
        sandbox.state.user_text(user["id"], f"/start inv_{role}")

    sandbox.state.persona_factory = factory
    sandbox.state.roles_provider = lambda: [{"id": "manager", "name": "Manager"}]
    assert await client.roles() == [{"id": "manager", "name": "Manager"}]
    manager = await client.user("Mia", role="manager")
    assert created == [(manager.id, "manager")]
    chat = await manager.chat()
    assert chat["messages"][0]["text"] == "/start inv_manager"
    assert chat["messages"][0]["from"] == "user"


def test_formatting_helpers() -> None:
    text, entities = parse_html('<b>bold <i>both</i></b> &amp; <a href="https://x.y">link</a> 👍 <code>c</code>')
    assert text == "bold both & link 👍 c"
    assert [e["type"] for e in entities] == ["bold", "italic", "text_link", "code"]
    assert entities[3]["offset"] == len("bold both & link ") + 2 + 1  # the emoji is 2 UTF-16 units
    rendered = entities_to_html(text, entities)
    assert rendered.startswith('<b>bold <i>both</i></b> &amp; <a href="https://x.y"')
    assert rendered.endswith("👍 <code>c</code>")
    assert entities_to_html("<script>", []) == "&lt;script&gt;"
    assert entities_to_html("x", [{"type": "text_link", "offset": 0, "length": 1, "url": "javascript:alert(1)"}]) == "x"
    text, entities = parse_markdown_v2(r"*bold* _it_ price 5\.00 [l](https://a.b)")
    assert text == "bold it price 5.00 l"
    assert [e["type"] for e in entities] == ["bold", "italic", "text_link"]


async def test_second_poller_terminates_the_first(bot: Bot, client: SandboxClient) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)
    alice = await client.user("Alice")
    await alice.send("hi", wait=False)
    updates = await asyncio.wait_for(second, 2)
    assert updates[0].message and updates[0].message.text == "hi"


async def test_reset_keeps_update_ids_growing(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice")
    await alice.send("one", wait=False)
    first = (await bot.get_updates(timeout=0))[0].update_id
    await client.reset()
    assert await client.users() == []
    bob = await client.user("Bob")
    assert bob.id == 1000001
    await bob.send("two", wait=False)
    updates = await bot.get_updates(offset=first + 1, timeout=0)
    assert [u.message.text for u in updates if u.message] == ["two"]


async def test_press_targets_a_given_message(bot: Bot, client: SandboxClient) -> None:
    alice = await client.user("Alice")
    older = await bot.send_message(alice.id, "Order 1", reply_markup=kb(("Open", "open:1")))
    await bot.send_message(alice.id, "Order 2", reply_markup=kb(("Open", "open:2")))
    await alice.press("Open", wait=False)  # the newest message wins
    await client.request(
        "POST", f"/users/{alice.id}/press?wait=0", json={"text": "Open", "message_id": older.message_id}
    )
    updates = await bot.get_updates(timeout=0)
    assert [u.callback_query.data for u in updates if u.callback_query] == ["open:2", "open:1"]
