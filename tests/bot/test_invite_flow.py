"""Whole conversations through the sandbox, as a person in Telegram would have them."""

from core import identity
from models import Staff


async def test_invite_binds_and_shows_russian_menu_once(estafeta, sandbox):
    admin = await Staff.get(login="admin")
    issued = await identity.create_invite("manager", ttl_hours=24, name="Ольга Петренко", created_by=admin)

    olga = await sandbox.user("Ольга", language_code="ru")
    replies = await olga.send(f"/start {issued.start_parameter}")
    texts = "\n".join(message.text or "" for message in replies)
    assert "Добро пожаловать, Ольга Петренко" in texts
    menu = replies[-1]
    assert "Менеджер" in menu.text
    # no "invite": managers cannot
    assert menu.buttons == ["✅ Мои задачи", "📋 Мои карточки", "🔎 Найти клиента", "🌐 Веб-панель", "🌍 Язык",
                            "❓ Помощь"]
    staff = await Staff.get(telegram_id=olga.id)
    assert [role.key for role in await staff.roles.all()] == ["manager"]

    stranger = await sandbox.user("Чужой", language_code="ru")
    refused = await stranger.send(f"/start {issued.start_parameter}")
    assert "уже использовано" in refused[-1].text
    assert not await Staff.filter(telegram_id=stranger.id).exists()


async def test_admin_invites_from_the_bot_and_the_menu_follows_roles(estafeta, sandbox):
    anna = await sandbox.existing_user(1000001)  # the demo admin persona
    menu = (await anna.send("/menu"))[-1]
    assert "👤 Пригласить сотрудника" in menu.buttons
    await anna.press("👤 Пригласить сотрудника")
    created = (await anna.press("Руководитель отдела"))
    invite_text = created[-1].text
    assert "Руководитель отдела" in invite_text
    start_command = invite_text.split("команду: ")[1].split()[0:2]
    assert start_command[0] == "/start"

    boss = await sandbox.user("Boss", language_code="en")
    replies = await boss.send(" ".join(start_command))
    assert "Welcome" in replies[0].text
    assert "Head of sales" in replies[-1].text


async def test_locale_follows_telegram_language(estafeta, sandbox):
    for code, expected in (("uk", "попросіть в адміністратора"), ("en", "ask your admin"), ("ru", "попросите")):
        person = await sandbox.user(f"Guest {code}", language_code=code)
        reply = (await person.send("/start"))[-1]
        assert expected in reply.text, (code, reply.text)


async def test_language_choice_is_stored_and_used(estafeta, sandbox):
    anna = await sandbox.existing_user(1000001)
    await anna.send("/language")
    replies = await anna.press("English")
    assert any("Choose an action" in (message.text or "") for message in replies)
    assert (await Staff.get(telegram_id=1000001)).locale == "en"
    assert "Choose an action" in (await anna.send("/menu"))[-1].text


async def test_web_login_link_from_the_bot(estafeta, sandbox):
    anna = await sandbox.existing_user(1000001)
    reply = (await anna.send("/web"))[-1]
    url = next(word for word in reply.text.split() if "/auth/link/" in word)
    assert url.startswith(estafeta.base_url)


async def test_blocking_the_bot_stops_and_unblocking_resumes_deliveries(estafeta, sandbox):
    import asyncio

    from models import ChatState

    async def wait_blocked(expected: bool) -> bool:
        for _ in range(100):  # the change arrives as a my_chat_member update through polling
            state = await ChatState.get_or_none(chat_id=guest.id)
            if state is not None and (state.blocked_at is not None) == expected:
                return True
            await asyncio.sleep(0.05)
        return False

    guest = await sandbox.user("Blocker", language_code="en")
    await guest.send("/start")
    await guest.block()
    assert await wait_blocked(True)
    await guest.unblock()
    assert await wait_blocked(False)
