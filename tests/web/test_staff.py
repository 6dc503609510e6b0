"""Staff page, invites, revocation, (de)activation, language switch and error pages."""

from __future__ import annotations

import hashlib
import re

from core.clock import now
from core.i18n import translator
from models import Activity, Invite, Staff
from tests.web.conftest import MANAGER_LOGIN, MANAGER_PASSWORD, csrf_of, login, login_admin, page_token

RU = translator("ru", strict=True)
UK = translator("uk", strict=True)
EN = translator("en", strict=True)


async def admin_client(panel, settings):
    client = await panel(settings)
    await login_admin(client)
    return client


async def test_staff_page_is_for_admins_only(panel, people, settings):
    anonymous = await panel(settings)
    redirect = await anonymous.get("/staff", allow_redirects=False)
    assert redirect.status == 303 and redirect.headers["Location"].startswith("/login")

    manager = await panel(settings)
    assert (await login(manager, MANAGER_LOGIN, MANAGER_PASSWORD)).status == 303
    forbidden = await manager.get("/staff")
    assert forbidden.status == 403
    text = await forbidden.text()
    assert RU("web-error-403-title") in text and "Петро Менеджер" in text  # the layout still knows who you are
    token = csrf_of(text)
    invite = await manager.post("/staff/invites", data={"role": "admin", "csrf_token": token})
    assert invite.status == 403 and await Invite.all().count() == 0

    home = await manager.get("/")
    assert home.status == 200 and home.url.path == "/cards"  # a manager's panel opens on his cards
    home_text = await home.text()
    assert RU("web-cards-title") in home_text and "Петро Менеджер" in home_text
    assert 'href="/staff"' not in home_text


async def test_staff_table_shows_people_with_localized_roles(panel, people, settings):
    client = await admin_client(panel, settings)
    text = await (await client.get("/staff")).text()
    for expected in ("Олена Адмін", "Петро Менеджер", "Администратор", "Менеджер", "+380501234567",
                     RU("web-staff-telegram-no"), RU("web-staff-active"), RU("web-staff-you")):
        assert expected in text
    assert "<option value=\"head\">Руководитель отдела</option>" in text
    assert 'href="/sandbox/"' in text  # sandbox mode: the chat is one tap away


async def test_invite_creation_shows_the_start_command(panel, people, settings):
    client = await admin_client(panel, settings)
    token = await page_token(client, "/staff")
    response = await client.post("/staff/invites", data={"role": "manager", "name": " Ірина ", "csrf_token": token})
    assert response.status == 200 and re.fullmatch(r"/staff/invites/\d+", response.url.path)
    text = await response.text()
    command = re.search(r"/start inv_([A-Za-z0-9_-]{20,})", text)
    assert command, text
    assert f"https://t.me/estafeta_sandbox_bot?start=inv_{command.group(1)}" in text
    assert RU("web-invite-ready-title") in text

    invite = await Invite.get().select_related("role", "created_by")
    assert invite.role.key == "manager" and invite.name == "Ірина"
    assert invite.created_by.id == people["admin"].id and invite.used_at is None
    assert invite.token_hash == hashlib.sha256(command.group(1).encode()).hexdigest()
    assert await Activity.filter(action="invite.create", channel="web", actor_id=people["admin"].id).exists()
    # Reloading the result page shows the same invite and creates nothing new.
    again = await client.get(response.url.path)
    assert command.group(0) in await again.text() and await Invite.all().count() == 1
    # The open invite is listed on the staff page.
    staff_text = await (await client.get("/staff")).text()
    assert "Ірина" in staff_text and f"/staff/invites/{invite.id}/revoke" in staff_text


async def test_invite_form_errors_are_messages_not_500(panel, people, settings):
    client = await admin_client(panel, settings)
    token = await page_token(client, "/staff")
    missing = await client.post("/staff/invites", data={"name": "Оля", "csrf_token": token})
    assert missing.status == 400
    missing_text = await missing.text()
    assert RU("web-form-role-required") in missing_text and 'value="Оля"' in missing_text
    unknown = await client.post("/staff/invites", data={"role": "astronaut", "csrf_token": token})
    assert unknown.status == 400 and RU("web-form-role-unknown") in await unknown.text()
    long_name = await client.post("/staff/invites", data={"role": "manager", "name": "x" * 201, "csrf_token": token})
    assert long_name.status == 400 and RU("web-form-name-too-long", max=200) in await long_name.text()
    bad_flag = await client.post(f"/staff/{people['manager'].id}/active", data={"active": "maybe", "csrf_token": token})
    assert bad_flag.status == 400 and RU("web-error-400-title") in await bad_flag.text()
    missing_invite = await client.get("/staff/invites/999999")
    assert missing_invite.status == 404 and RU("web-error-404-title") in await missing_invite.text()
    assert await Invite.all().count() == 0


async def test_revoke_closes_the_invite(panel, people, settings):
    client = await admin_client(panel, settings)
    token = await page_token(client, "/staff")
    await client.post("/staff/invites", data={"role": "head", "name": "Revoke me", "csrf_token": token})
    invite = await Invite.get()

    response = await client.post(f"/staff/invites/{invite.id}/revoke", data={"csrf_token": token})
    assert response.status == 200 and response.url.path == "/staff"
    text = await response.text()
    assert RU("web-invite-revoked") in text and "Revoke me" not in text
    await invite.refresh_from_db()
    assert invite.expires_at <= now() and invite.used_at is None
    assert await Activity.filter(action="invite.revoke", object_id=str(invite.id), actor_id=people["admin"].id).exists()

    twice = await client.post(f"/staff/invites/{invite.id}/revoke", data={"csrf_token": token})
    assert RU("web-form-invite-closed") in await twice.text()
    assert await Activity.filter(action="invite.revoke").count() == 1
    page = await client.get(f"/staff/invites/{invite.id}")
    page_text = await page.text()
    assert RU("web-invite-status-closed") in page_text and "/start inv_" not in page_text


async def test_deactivate_and_activate_staff(panel, people, settings):
    client = await admin_client(panel, settings)
    manager = people["manager"]
    token = await page_token(client, "/staff")
    off = await client.post(f"/staff/{manager.id}/active", data={"active": "0", "csrf_token": token})
    assert RU("web-staff-deactivated", name=manager.name) in await off.text()
    assert not (await Staff.get(id=manager.id)).active
    assert (await login(await panel(settings), MANAGER_LOGIN, MANAGER_PASSWORD)).status == 401

    on = await client.post(f"/staff/{manager.id}/active", data={"active": "1", "csrf_token": token})
    assert RU("web-staff-activated", name=manager.name) in await on.text()
    assert (await Staff.get(id=manager.id)).active
    actions = await Activity.filter(object_type="staff", object_id=str(manager.id)).values_list("action", flat=True)
    assert "staff.deactivate" in actions and "staff.activate" in actions

    myself = await client.post(f"/staff/{people['admin'].id}/active", data={"active": "0", "csrf_token": token})
    assert RU("web-form-self-deactivate") in await myself.text()
    assert (await Staff.get(id=people["admin"].id)).active


async def test_locale_switch_changes_the_page_language(panel, people, settings):
    client = await admin_client(panel, settings)
    page = await client.get("/staff")
    assert RU("web-invite-heading") in await page.text()
    switched = await client.post("/locale", data={"locale": "uk", "next": "/staff",
                                                  "csrf_token": csrf_of(await page.text())})
    assert switched.url.path == "/staff"
    text = await switched.text()
    assert UK("web-invite-heading") in text and 'lang="uk"' in text and "Адміністратор" in text
    assert (await Staff.get(id=people["admin"].id)).locale == "uk"
    assert await Activity.filter(action="staff.locale", channel="web").exists()

    bad = await client.post("/locale", data={"locale": "de", "csrf_token": csrf_of(text)})
    assert bad.status == 400


async def test_locale_from_accept_language_before_sign_in(panel, people, settings):
    client = await panel(settings)
    english = await client.get("/login", headers={"Accept-Language": "de-DE,en-US;q=0.8,ru;q=0.5"})
    assert EN("web-login-heading") in await english.text()
    ukrainian = await client.get("/login", headers={"Accept-Language": "uk-UA,uk;q=0.9"})
    assert UK("web-login-heading") in await ukrainian.text()
    fallback = await client.get("/login", headers={"Accept-Language": "fr"})
    assert RU("web-login-heading") in await fallback.text()  # settings.i18n.default_locale
    # A signed-in person's own locale beats the browser's.
    manager = people["manager"]
    manager.locale = "uk"
    await manager.save()
    await login(client, MANAGER_LOGIN, MANAGER_PASSWORD)
    home = await client.get("/", headers={"Accept-Language": "en"})
    assert UK("web-cards-title") in await home.text()


async def test_unexpected_error_shows_a_localized_500_page(panel, people, settings, monkeypatch, caplog):
    from core import staff_admin

    async def broken(actor):
        raise RuntimeError("boom")

    client = await admin_client(panel, settings)
    monkeypatch.setattr(staff_admin, "staff_directory", broken)
    response = await client.get("/staff")
    assert response.status == 500
    text = await response.text()
    assert RU("web-error-500-title") in text and "boom" not in text and "Traceback" not in text
    assert "boom" in caplog.text  # logged with the traceback for the operator
    assert response.headers["X-Frame-Options"] == "DENY"
