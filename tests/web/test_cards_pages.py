"""Cards in the panel: the list by scope, one card, moves, field edits, comments, attachments, CSRF, and the
permission matrix (admin / manager / head × open / move / edit × own / other card) through the web."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from aiohttp import FormData

from core.i18n import translator
from core.permissions import load_actor
from models import Activity, Attachment, Card, CardHistory, Comment, ReferenceRow
from tests.web.crm_helpers import card_for, customer, more_people, number_of, signed_in, token_of
from webadmin import cards as cards_web

RU = translator("ru", strict=True)
KYIV = ZoneInfo("Europe/Kyiv")  # config.toml's i18n.timezone
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5d6e0a40000000049454e44ae426082"
)


@pytest.fixture
async def staff(people):
    return await more_people(people)


async def test_list_shows_a_manager_only_his_own_cards(panel, staff, settings):
    mine = await card_for(staff["manager"], "Мой лид", customer=await customer("Оксана Клієнтка", "0671234567"))
    urgent = await card_for(staff["manager"], "Горит", urgent=True)
    theirs = await card_for(staff["other"], "Чужой лид")

    manager = await signed_in(panel, settings, "manager")
    text = await (await manager.get("/cards")).text()
    assert number_of(mine) in text and "Мой лид" in text and "Оксана Клієнтка" in text
    assert number_of(urgent) in text and RU("web-card-urgent") in text
    assert number_of(theirs) not in text and "Чужой лид" not in text
    assert RU("web-cards-found", count=2) in text
    assert text.index(number_of(urgent)) < text.index(number_of(mine))  # urgent first
    # The nav offers the CRM pages the role has, and not the admin's.
    assert 'href="/cards"' in text and 'href="/customers"' in text and 'href="/apikeys"' not in text

    head = await signed_in(panel, settings, "head")
    head_text = await (await head.get("/cards")).text()
    assert number_of(mine) in head_text and number_of(theirs) in head_text
    admin = await signed_in(panel, settings, "admin")
    admin_text = await (await admin.get("/cards")).text()
    assert number_of(theirs) in admin_text and 'href="/apikeys"' in admin_text


async def test_list_filters_and_pages(panel, staff, settings):
    cards = [await card_for(staff["manager"], f"Лид {index}") for index in range(27)]
    closed = cards[0]
    client = await signed_in(panel, settings, "head")
    token = await token_of(client, f"/cards/{closed.id}")
    moved = await client.post(f"/cards/{closed.id}/move", data={
        "csrf_token": token, "transition": "reject_new", "reason": "Дорого", "version": closed.version,
    }, allow_redirects=False)
    assert moved.status == 303

    first = await (await client.get("/cards")).text()
    assert RU("web-cards-found", count=26) in first and RU("web-pager-page", count=1, max=2) in first
    assert 'href="/cards?page=2"' in first
    second = await (await client.get("/cards?page=2")).text()
    assert number_of(cards[1]) in second and number_of(closed) not in second
    everything = await (await client.get("/cards?state=all&pipeline=sales")).text()
    assert RU("web-cards-found", count=27) in everything
    assert "state=all" in everything and "page=2" in everything
    # Nonsense in the query is ignored, not a 500.
    assert (await client.get("/cards?page=abc&pipeline=nope")).status == 200


async def test_another_managers_card_is_not_found(panel, staff, settings):
    theirs = await card_for(staff["other"], "Чужой лид")
    client = await signed_in(panel, settings, "manager")
    response = await client.get(f"/cards/{theirs.id}")
    assert response.status == 404
    assert "Чужой лид" not in await response.text()
    token = await token_of(client, "/cards")
    for path, data in (
        ("move", {"transition": "contact"}),
        ("fields", {"f.seats": "3"}),
        ("comments", {"text": "привет"}),
    ):
        refused = await client.post(f"/cards/{theirs.id}/{path}", data={"csrf_token": token, **data})
        assert refused.status == 404, path
    assert (await client.get(f"/cards/{theirs.id + 1000}")).status == 404
    card = await Card.get(id=theirs.id)
    assert card.version == theirs.version and not await Comment.filter(card_id=theirs.id).exists()


async def test_card_page_shows_fields_moves_and_history(panel, staff, settings):
    card = await card_for(staff["manager"], "Окна для офиса", customer=await customer("ТОВ Ромашка", "0441234567"),
                          fields={"budget": "12500.5", "source": "site", "proposal_due": "2026-03-05",
                                  "contact_phone": "0671234567", "wants_demo": True, "seats": "12"})
    client = await signed_in(panel, settings, "manager")
    text = await (await client.get(f"/cards/{card.id}")).text()
    for expected in (number_of(card), "Окна для офиса", "Новый лид", "ТОВ Ромашка",
                     "12\u00a0500,50\u00a0₴", "+380 67 123 4567", 'value="2026-03-05"',
                     '<option value="site" selected>Сайт</option>', f'<option value="1" selected>{RU("web-yes")}',
                     "Связался", "Отказ"):
        assert expected in text, expected
    # Moves the manager may take are buttons; the rejection needs a reason, so it opens a small form.
    assert 'value="contact"' in text and 'value="reject_new"' in text and 'name="reason"' in text
    assert 'value="win"' not in text  # only a head may win a deal
    # The budget is editable for a manager in "new"; the contract only in "proposal".
    assert 'name="f.budget"' in text and 'name="f.contract"' not in text
    assert RU("web-card-read-only") in text
    assert RU("web-channel-system") in text  # history: created by the system


async def test_read_only_fields_are_shown_per_locale(staff):
    card = await card_for(staff["manager"], fields={
        "budget": "12500.5", "source": "site", "proposal_due": "2026-03-05", "next_call": "2026-04-01T10:30",
        "contact_phone": "0671234567", "wants_demo": True, "seats": "1234.5", "message": "Привет"})
    actor = await load_actor(staff["manager"], channel="web")
    rows_by_reference = {"lead_sources": list(await ReferenceRow.filter(reference__key="lead_sources"))}
    expected = {
        "ru": {"budget": "12\u00a0500,50\u00a0₴", "source": "Сайт", "proposal_due": "5 мар. 2026\u202fг.",
               "next_call": "1 апр. 2026\u202fг., 10:30", "contact_phone": "+380 67 123 4567", "wants_demo": "Да",
               "seats": "1\u00a0234,5", "message": "Привет"},
        "en": {"budget": "UAH\u00a012,500.50", "source": "Website", "proposal_due": "Mar 5, 2026",
               "next_call": "Apr 1, 2026, 10:30\u202fAM", "wants_demo": "Yes", "seats": "1,234.5"},
    }
    for locale, values in expected.items():
        ctx = cards_web.FieldContext(locale=locale, currency="UAH", zone=KYIV, t=translator(locale),
                                     rows_by_reference=rows_by_reference, attachments={})
        rows = {row.spec.key: row for row in cards_web.field_rows(actor, card, ctx, may_edit=False)}
        assert not any(row.editable for row in rows.values())
        for key, text in values.items():
            assert rows[key].display == text, (locale, key, rows[key].display)
    ctx = cards_web.FieldContext(locale="ru", currency="UAH", zone=KYIV, t=RU, rows_by_reference=rows_by_reference,
                                 attachments={})
    editable = {row.spec.key: row for row in cards_web.field_rows(actor, card, ctx, may_edit=True)}
    assert editable["budget"].editable and not editable["contract"].editable
    assert editable["next_call"].value == "2026-04-01T10:30" and editable["wants_demo"].value == "1"


async def test_move_with_reason(panel, staff, settings):
    card = await card_for(staff["manager"])
    client = await signed_in(panel, settings, "manager")
    token = await token_of(client, f"/cards/{card.id}")

    missing = await client.post(f"/cards/{card.id}/move", data={
        "csrf_token": token, "transition": "reject_new", "reason": "  ", "version": card.version})
    assert missing.status == 400
    assert RU("web-card-error-reason") in await missing.text()
    assert (await Card.get(id=card.id)).stage_id == card.stage_id

    moved = await client.post(f"/cards/{card.id}/move", data={
        "csrf_token": token, "transition": "reject_new", "reason": "Клиент выбрал другого поставщика",
        "version": card.version}, allow_redirects=False)
    assert moved.status == 303 and moved.headers["Location"] == f"/cards/{card.id}"
    row = await CardHistory.filter(card_id=card.id).order_by("-id").first().select_related("to_stage")
    assert row.to_stage.key == "lost" and row.reason == "Клиент выбрал другого поставщика" and row.channel == "web"
    page = await (await client.get(f"/cards/{card.id}")).text()
    assert RU("web-card-moved", name="Отказ") in page and "Клиент выбрал другого поставщика" in page
    assert RU("web-card-no-moves") in page


async def test_move_refusals_are_messages(panel, staff, settings):
    card = await card_for(staff["manager"])
    client = await signed_in(panel, settings, "manager")
    token = await token_of(client, f"/cards/{card.id}")
    contacted = await client.post(f"/cards/{card.id}/move", data={
        "csrf_token": token, "transition": "contact", "version": card.version}, allow_redirects=False)
    assert contacted.status == 303

    # Someone moved it meanwhile: the page says so and shows the fresh card.
    stale = await client.post(f"/cards/{card.id}/move", data={
        "csrf_token": token, "transition": "contact", "version": card.version})
    assert stale.status == 409
    stale_text = await stale.text()
    assert RU("web-card-error-changed") in stale_text and "Связались" in stale_text

    fresh = await Card.get(id=card.id)
    # Leaving "contacted" needs the budget.
    no_budget = await client.post(f"/cards/{card.id}/move", data={
        "csrf_token": token, "transition": "propose", "version": fresh.version})
    assert no_budget.status == 400
    assert RU("web-card-error-fields-missing", name="Бюджет") in await no_budget.text()

    unknown = await client.post(f"/cards/{card.id}/move", data={
        "csrf_token": token, "transition": "win", "version": fresh.version})
    assert unknown.status == 409 and RU("web-card-error-transition") in await unknown.text()


async def test_a_move_the_role_may_not_take_is_refused(panel, staff, settings):
    card = await card_for(staff["manager"], fields={"budget": "100"})
    head = await signed_in(panel, settings, "head")
    token = await token_of(head, f"/cards/{card.id}")
    for transition in ("contact", "propose"):
        version = (await Card.get(id=card.id)).version
        response = await head.post(f"/cards/{card.id}/move", data={
            "csrf_token": token, "transition": transition, "version": version}, allow_redirects=False)
        assert response.status == 303, transition
    # In "proposal" only a head may win the deal; the manager who owns it gets no button and a forged form fails.
    manager = await signed_in(panel, settings, "manager")
    page = await (await manager.get(f"/cards/{card.id}")).text()
    assert 'value="win"' not in page
    token = await token_of(manager, f"/cards/{card.id}")
    version = (await Card.get(id=card.id)).version
    forged = await manager.post(f"/cards/{card.id}/move", data={
        "csrf_token": token, "transition": "win", "version": version})
    assert forged.status == 403 and RU("web-card-error-forbidden") in await forged.text()
    assert (await Card.get(id=card.id).select_related("stage")).stage.key == "proposal"


async def test_field_edit_obeys_the_stage_and_role_rules(panel, staff, settings):
    card = await card_for(staff["manager"])
    client = await signed_in(panel, settings, "manager")
    token = await token_of(client, f"/cards/{card.id}")

    saved = await client.post(f"/cards/{card.id}/fields", data={
        "csrf_token": token, "version": card.version, "f.budget": "1 500,5", "f.seats": "3",
        "f.next_call": "2026-04-01T10:30", "f.source": "phone", "f.wants_demo": "",
    }, allow_redirects=False)
    assert saved.status == 303
    fresh = await Card.get(id=card.id)
    assert fresh.fields_data["budget"] == "1500.50" and fresh.fields_data["seats"] == "3"
    # The panel's datetime-local input is the business's clock (Kyiv, summer time); the card keeps UTC.
    assert fresh.fields_data["next_call"] == "2026-04-01T07:30:00+00:00" and fresh.fields_data["source"] == "phone"
    assert "wants_demo" not in fresh.fields_data  # untouched inputs are not edits
    assert fresh.version == card.version + 1
    page = await (await client.get(f"/cards/{card.id}")).text()
    assert RU("web-card-fields-saved") in page and "1\u00a0500,50\u00a0₴" in page
    assert 'value="2026-04-01T10:30"' in page

    # The contract may be changed only in "proposal": posted by hand, it is refused and nothing changes.
    forged = await client.post(f"/cards/{card.id}/fields", data={
        "csrf_token": token, "version": fresh.version, "f.contract": "1", "f.seats": "5"})
    assert forged.status == 400
    text = await forged.text()
    assert RU("web-card-error-fields-invalid") in text and RU("web-field-error-not-editable") in text
    assert (await Card.get(id=card.id)).fields_data == fresh.fields_data

    bad = await client.post(f"/cards/{card.id}/fields", data={
        "csrf_token": token, "version": fresh.version, "f.contact_phone": "12", "f.seats": "много"})
    assert bad.status == 400
    bad_text = await bad.text()
    assert RU("web-field-error-phone") in bad_text and RU("web-field-error-invalid") in bad_text
    assert 'value="много"' in bad_text  # what the user typed is kept

    nothing = await client.post(f"/cards/{card.id}/fields", data={
        "csrf_token": token, "version": fresh.version, "f.budget": "1500.50"}, allow_redirects=False)
    assert nothing.status == 303 and (await Card.get(id=card.id)).version == fresh.version

    stale = await client.post(f"/cards/{card.id}/fields", data={
        "csrf_token": token, "version": card.version, "f.seats": "9"})
    assert stale.status == 409 and RU("web-card-error-changed") in await stale.text()
    assert (await Card.get(id=card.id)).fields_data["seats"] == "3"


async def test_comments(panel, staff, settings):
    card = await card_for(staff["manager"])
    client = await signed_in(panel, settings, "manager")
    token = await token_of(client, f"/cards/{card.id}")
    empty = await client.post(f"/cards/{card.id}/comments", data={"csrf_token": token, "text": "   "})
    assert empty.status == 400 and RU("web-card-error-empty-comment") in await empty.text()
    added = await client.post(f"/cards/{card.id}/comments", data={
        "csrf_token": token, "text": "Перезвонить <b>завтра</b>"}, allow_redirects=False)
    assert added.status == 303
    page = await (await client.get(f"/cards/{card.id}")).text()
    assert "Перезвонить &lt;b&gt;завтра&lt;/b&gt;" in page and RU("web-card-comments", count=1) in page
    assert await Comment.filter(card_id=card.id, channel="web", author_id=staff["manager"].id).count() == 1


def _upload(token: str, data: bytes, name: str, content_type: str) -> FormData:
    form = FormData(quote_fields=False)  # a browser sends the file name as UTF-8 text, not %-encoded
    form.add_field("csrf_token", token)
    form.add_field("file", data, filename=name, content_type=content_type)
    return form


async def test_upload_and_download_an_attachment(panel, staff, settings):
    card = await card_for(staff["manager"])
    client = await signed_in(panel, settings, "manager")
    token = await token_of(client, f"/cards/{card.id}")

    uploaded = await client.post(f"/cards/{card.id}/attachments", data=_upload(token, PNG, "фото.png", "image/png"),
                                 allow_redirects=False)
    assert uploaded.status == 303, await uploaded.text()
    attachment = await Attachment.get(card_id=card.id)
    assert attachment.kind == "photo" and attachment.mime == "image/png" and attachment.size == len(PNG)
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest() and attachment.channel == "web"
    assert attachment.uploaded_by_id == staff["manager"].id and attachment.name == "фото.png"

    page = await (await client.get(f"/cards/{card.id}")).text()
    assert f'<img src="/attachments/{attachment.id}"' in page and "фото.png" in page
    image = await client.get(f"/attachments/{attachment.id}")
    assert image.status == 200 and await image.read() == PNG
    assert image.headers["Content-Type"] == "image/png" and image.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" in image.headers["Content-Security-Policy"]
    download = await client.get(f"/attachments/{attachment.id}?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.png" in download.headers["Content-Disposition"]

    # An HTML file is never served as a page of ours.
    html = b"<script>alert(1)</script>"
    await client.post(f"/cards/{card.id}/attachments", data=_upload(token, html, "x.html", "text/html"))
    document = await Attachment.get(card_id=card.id, name="x.html")
    assert document.kind == "document"
    served = await client.get(f"/attachments/{document.id}")
    assert served.headers["Content-Disposition"].startswith("attachment") and await served.read() == html

    # Whoever may not see the card may not have its files either.
    other = await signed_in(panel, settings, "other")
    assert (await other.get(f"/attachments/{attachment.id}")).status == 404
    head = await signed_in(panel, settings, "head")
    assert (await head.get(f"/attachments/{attachment.id}")).status == 200
    assert (await client.get("/attachments/999999")).status == 404


async def test_upload_refusals(panel, staff, make_settings):
    settings = make_settings(storage__max_upload_mb="1")
    card = await card_for(staff["manager"])
    client = await signed_in(panel, settings, "manager")
    token = await token_of(client, f"/cards/{card.id}")

    no_file = FormData()
    no_file.add_field("csrf_token", token)
    no_file.add_field("note", "x")
    refused = await client.post(f"/cards/{card.id}/attachments", data=no_file)
    assert refused.status == 400 and RU("web-attach-error-no-file") in await refused.text()

    empty = await client.post(f"/cards/{card.id}/attachments", data=_upload(token, b"", "a.txt", "text/plain"))
    assert empty.status == 400 and RU("web-attach-error-empty") in await empty.text()

    # Just over the limit: the card page says how big a file may be.
    just_over = await client.post(f"/cards/{card.id}/attachments",
                                  data=_upload(token, b"x" * (1024 * 1024 + 1), "big.bin", "application/zip"))
    assert just_over.status == 413
    assert RU("web-attach-error-too-big", max=1) in await just_over.text()
    # Far over it: the body is not read to the end, and the same message comes after a redirect.
    far_over = await client.post(f"/cards/{card.id}/attachments",
                                 data=_upload(token, b"x" * (3 * 1024 * 1024), "huge.bin", "application/zip"))
    assert far_over.status == 200 and far_over.url.path == f"/cards/{card.id}"
    assert RU("web-attach-error-too-big", max=1) in await far_over.text()
    assert not await Attachment.filter(card_id=card.id).exists()

    # Exactly at the limit (bigger than the app's general 1 MB body limit with the form around it) is fine.
    at_limit = await client.post(f"/cards/{card.id}/attachments",
                                 data=_upload(token, b"y" * (1024 * 1024), "ok.bin", "application/zip"),
                                 allow_redirects=False)
    assert at_limit.status == 303
    assert (await Attachment.get(card_id=card.id)).size == 1024 * 1024


async def test_forms_without_csrf_are_refused(panel, staff, settings):
    card = await card_for(staff["manager"])
    client = await signed_in(panel, settings, "manager")
    for path, data in (
        ("move", {"transition": "contact", "version": str(card.version)}),
        ("fields", {"f.seats": "4"}),
        ("comments", {"text": "x"}),
    ):
        forged = await client.post(f"/cards/{card.id}/{path}", data=data)
        assert forged.status == 403, path
        assert RU("web-error-csrf-title") in await forged.text()
    upload = FormData()
    upload.add_field("file", PNG, filename="a.png", content_type="image/png")
    assert (await client.post(f"/cards/{card.id}/attachments", data=upload)).status == 403
    wrong = await client.post(f"/cards/{card.id}/move", data={"csrf_token": "forged", "transition": "contact"})
    assert wrong.status == 403
    fresh = await Card.get(id=card.id)
    assert fresh.version == card.version and fresh.fields_data == {}
    assert not await Comment.filter(card_id=card.id).exists() and not await Attachment.exists()
    assert not await Activity.filter(action="card.move").exists()


async def test_anonymous_goes_to_sign_in(panel, staff, settings):
    card = await card_for(staff["manager"])
    client = await panel(settings)
    for path in ("/cards", f"/cards/{card.id}", "/customers", "/apikeys", "/attachments/1"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/login"), path


# role, whose card ("own": the role's person owns it; "other": another manager does), action -> expected status
MATRIX = {
    ("admin", "own"): {"open": 200, "move": 303, "edit": 303},
    ("admin", "other"): {"open": 200, "move": 303, "edit": 303},
    ("manager", "own"): {"open": 200, "move": 303, "edit": 303},
    ("manager", "other"): {"open": 404, "move": 404, "edit": 404},
    ("head", "own"): {"open": 200, "move": 303, "edit": 303},
    ("head", "other"): {"open": 200, "move": 303, "edit": 303},
}


@pytest.mark.parametrize(("role", "whose"), list(MATRIX))
async def test_permission_matrix(panel, staff, settings, role, whose):
    owner = staff[role] if whose == "own" else staff["other"]
    expected = MATRIX[(role, whose)]
    client = await signed_in(panel, settings, role)
    token = await token_of(client, "/cards")

    card = await card_for(owner, "Матрица")
    opened = await client.get(f"/cards/{card.id}")
    assert opened.status == expected["open"]
    assert ("Матрица" in await opened.text()) == (expected["open"] == 200)

    edited = await client.post(f"/cards/{card.id}/fields", data={
        "csrf_token": token, "version": card.version, "f.budget": "10"}, allow_redirects=False)
    assert edited.status == expected["edit"]
    budget = (await Card.get(id=card.id)).fields_data.get("budget")
    assert (budget == str(Decimal("10.00"))) == (expected["edit"] == 303)

    version = (await Card.get(id=card.id)).version
    moved = await client.post(f"/cards/{card.id}/move", data={
        "csrf_token": token, "transition": "contact", "version": version}, allow_redirects=False)
    assert moved.status == expected["move"]
    stage = (await Card.get(id=card.id).select_related("stage")).stage.key
    assert stage == ("contacted" if expected["move"] == 303 else "new")


@pytest.mark.parametrize("locale", ["uk", "en"])
async def test_pages_speak_the_chosen_language(panel, staff, settings, locale):
    t = translator(locale, strict=True)
    buyer = await customer("Оксана Шевченко", "0671234567", owner=staff["manager"])
    twin = await customer("Шевченко Оксана", "0671234567")
    card = await card_for(staff["manager"], customer=buyer, fields={"budget": "1500", "proposal_due": "2026-03-05"})
    client = await signed_in(panel, settings, "head")
    token = await token_of(client, "/cards")
    switched = await client.post("/locale", data={"csrf_token": token, "locale": locale, "next": "/cards"})
    assert switched.status == 200
    await client.post(f"/cards/{card.id}/attachments", data=_upload(token, PNG, "a.png", "image/png"))
    await client.post(f"/customers/{buyer.id}/ledger", data={"csrf_token": token, "amount": "-10", "kind": "charge"})
    for path, expected in (
        ("/cards", t("web-cards-title")),
        (f"/cards/{card.id}", t("web-card-history")),
        ("/customers", t("web-customers-title")),
        (f"/customers/{buyer.id}", t("web-customer-balance")),
        (f"/customers/{buyer.id}/merge/{twin.id}", t("web-merge-title")),
    ):
        response = await client.get(path)
        text = await response.text()
        assert response.status == 200 and expected in text, path
        assert f'<html lang="{locale}">' in text
        assert not re.findall(r"\bweb-[a-z]+-[a-z-]+", text), path  # no message id shown instead of a text
