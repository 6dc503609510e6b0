"""POST /api/v1/leads: authentication, validation, Idempotency-Key semantics, customer matching, distribution,
and the manager's Telegram message (through the outbox, and in the sandbox chat of the whole app)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import httpx
import pytest

from core import intake
from core.clock import now
from core.intake import body_hash, create_api_key, revoke_api_key
from core.permissions import SYSTEM
from core.pipelines import create_card
from models import Activity, ApiKey, Card, Comment, Customer, IdempotencyRecord, Outbox, Pipeline, Staff, Stage
from tests.api.conftest import LEADS, lead, post_lead
from tests.web.conftest import build_app

BORIS_TELEGRAM_ID = 1000002


def buttons_of(row: Outbox) -> list[str]:
    return [button["callback_data"] for line in row.payload["reply_markup"]["inline_keyboard"] for button in line]


async def lead_messages() -> list[Outbox]:
    rows = await Outbox.all().order_by("id")
    return [row for row in rows if "reply_markup" in row.payload and
            any(data.startswith("c1:take:") for data in buttons_of(row))]


# --- authentication ------------------------------------------------------------------------------------------


async def test_without_a_key_is_unauthorized(api, api_key):
    response = await post_lead(api, lead(), None)
    assert response.status == 401
    assert (await response.json())["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer est_not-a-real-key"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"X-Api-Key": "wrong"},
])
async def test_a_wrong_key_is_unauthorized(api, api_key, headers):
    response = await post_lead(api, lead(), None, **headers)
    assert response.status == 401
    assert (await response.json())["error"] == "unauthorized"
    assert await Card.all().count() == 0


async def test_a_revoked_key_is_unauthorized_and_a_new_one_works(api, api_key):
    assert await revoke_api_key("site")
    response = await post_lead(api, lead(), api_key)
    assert response.status == 401
    assert not await revoke_api_key("site")  # nothing left to revoke

    fresh = await create_api_key("site", "sales")
    assert (await post_lead(api, lead(), api_key)).status == 401  # the old key stays dead
    assert (await post_lead(api, lead(), fresh)).status == 201


async def test_key_in_x_api_key_header_works_and_only_its_hash_is_stored(api, api_key):
    response = await post_lead(api, lead(), None, **{"X-Api-Key": api_key})
    assert response.status == 201, await response.text()
    stored = await ApiKey.get(source="site")
    assert api_key.startswith("est_") and len(api_key) > 40
    assert stored.key_hash == intake.hash_key(api_key) and api_key not in stored.key_hash
    assert stored.last_used_at is not None


async def test_an_active_source_is_not_given_a_second_key(crm, api_key):
    with pytest.raises(intake.IntakeError) as refused:
        await create_api_key("site", "sales")
    assert refused.value.reason == "source_exists"
    with pytest.raises(intake.IntakeError) as unknown:
        await create_api_key("landing", "no-such-pipeline")
    assert unknown.value.reason == "unknown_pipeline"


# --- validation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "errors"), [
    (lead(name=None), {"name": "required"}),
    (lead(name="   "), {"name": "required"}),
    (lead(name="Я" * 201), {"name": "too_long"}),
    (lead(name=42), {"name": "invalid_type"}),
    (lead(phone="12"), {"phone": "invalid_phone"}),
    (lead(phone="позвоните мне"), {"phone": "invalid_phone"}),
    (lead(phone=None, email="olena@"), {"email": "invalid_email"}),
    (lead(phone=None, email="olena at example.com"), {"email": "invalid_email"}),
    (lead(phone=None), {"phone": "phone_or_email_required", "email": "phone_or_email_required"}),
    (lead(phone="", email=""), {"phone": "phone_or_email_required", "email": "phone_or_email_required"}),
    (lead(referrer="google"), {"referrer": "unknown_field"}),
    (lead(message="x" * 4001), {"message": "too_long"}),
    (lead(source="s" * 65), {"source": "too_long"}),
    (lead(utm={"utm_source": 1}), {"utm": "invalid"}),
    (lead(utm=["google"]), {"utm": "invalid"}),
    (lead(name="Оле\u0000на"), {"name": "invalid_characters"}),
    (lead(fields={"seats": "много"}), {"fields.seats": "invalid"}),
    (lead(fields={"source": "billboard"}), {"fields.source": "unknown_choice"}),
    (lead(fields={"colour": "red"}), {"fields.colour": "unknown_field"}),
    (lead(fields={"contract": 1}), {"fields.contract": "not_accepted"}),
    (lead(fields={"seats": {"n": 2}}), {"fields.seats": "invalid_type"}),
    (lead(fields=["seats"]), {"fields": "invalid_type"}),
    (lead(name="", phone="1", email="@", fields={"seats": "x", "wants_demo": "perhaps"}),
     {"name": "required", "phone": "invalid_phone", "email": "invalid_email", "fields.seats": "invalid",
      "fields.wants_demo": "invalid"}),
    # an unknown key does not hide the other mistakes
    (lead(name="", phone="12", colour="red"),
     {"name": "required", "phone": "invalid_phone", "colour": "unknown_field"}),
    (lead(name="Оле\u0000на", phone="12"), {"name": "invalid_characters", "phone": "invalid_phone"}),
])
async def test_invalid_lead_names_each_bad_field(api, api_key, body, errors):
    response = await post_lead(api, body, api_key)
    assert response.status == 422, await response.text()
    assert await response.json() == {"error": "invalid", "fields": errors}
    assert await Card.all().count() == 0
    assert await Customer.all().count() == 0


async def test_wrong_content_type_is_415(api, api_key):
    response = await api.post(LEADS, data="name=Olena&phone=0671234567",
                              headers={"Authorization": f"Bearer {api_key}",
                                       "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 415
    assert (await response.json())["error"] == "unsupported_media_type"


async def test_body_over_64_kb_is_413(api, api_key):
    response = await post_lead(api, lead(message="x" * (65 * 1024)), api_key)
    assert response.status == 413
    assert (await response.json())["error"] == "body_too_large"


async def test_chunked_body_over_64_kb_is_413(api, api_key):
    async def chunks():
        yield b'{"name": "' + b"x" * (40 * 1024)
        yield b"x" * (40 * 1024) + b'"}'

    response = await api.post(LEADS, data=chunks(), headers={"Authorization": f"Bearer {api_key}",
                                                             "Content-Type": "application/json"})
    assert response.status == 413


@pytest.mark.parametrize("raw", [b"{not json", b'{"name": "a", "phone": NaN}', b"\xff\xfe", b"[" * 50_000, b""])
async def test_broken_json_is_400(api, api_key, raw):
    response = await api.post(LEADS, data=raw, headers={"Authorization": f"Bearer {api_key}",
                                                        "Content-Type": "application/json"})
    assert response.status == 400
    body = await response.json()
    assert body["error"] == "invalid_json" and body["message"]


@pytest.mark.parametrize("raw", [json.dumps([lead()]), '"lead"', "42", "null"])
async def test_json_that_is_not_an_object_is_422(api, api_key, raw):
    response = await api.post(LEADS, data=raw, headers={"Authorization": f"Bearer {api_key}",
                                                        "Content-Type": "application/json"})
    assert response.status == 422
    assert (await response.json())["error"] == "not_an_object"


async def test_malformed_idempotency_key_is_400(api, api_key):
    response = await post_lead(api, lead(), api_key, idempotency_key="k" * 201)
    assert response.status == 400
    assert (await response.json())["error"] == "invalid_idempotency_key"


# --- creating ----------------------------------------------------------------------------------------------


async def test_a_lead_becomes_customer_card_and_a_message_to_the_manager(api, api_key):
    body = lead(email="Olena@Example.com", source="landing", utm={"utm_source": "google"},
                fields={"budget": "15 000,50", "wants_demo": True, "source": "site"})
    response = await post_lead(api, body, api_key)
    assert response.status == 201, await response.text()
    answer = await response.json()
    card = await Card.get().select_related("pipeline", "stage", "customer", "assignee")
    boris = await Staff.get(telegram_id=BORIS_TELEGRAM_ID)
    assert answer == {"card": "S-0001", "card_id": card.id, "customer_id": card.customer_id,
                      "customer_created": True, "assigned_to": "Борис Мельник"}
    assert (card.pipeline.key, card.stage.key, card.assignee_id, card.owner_id) == ("sales", "new", boris.id, boris.id)
    assert card.title == "Олена Коваль — Нужна консультация"
    assert card.source == "landing"
    assert card.fields_data == {"budget": "15000.50", "wants_demo": True, "source": "site",
                                "message": "Нужна консультация"}
    customer = card.customer
    assert (customer.name, customer.email) == ("Олена Коваль", "olena@example.com")
    assert [phone.e164 for phone in await customer.phones.all()] == ["+380671234567"]

    audit = await Activity.get(action="lead.create")
    assert audit.channel == "api" and audit.object_id == str(card.id)
    assert audit.after["utm"] == {"utm_source": "google"} and audit.after["api_key"] == "site"

    [message] = await lead_messages()
    assert message.chat_id == BORIS_TELEGRAM_ID
    # one message for one lead: the lead itself with its buttons, not also a "new task" notice
    assert await Outbox.filter(chat_id=BORIS_TELEGRAM_ID).count() == 1
    text = message.payload["text"]
    assert "Новий лід S-0001" in text  # Борис reads Ukrainian
    assert "Олена Коваль" in text and "+380 67 123 4567" in text and "Нужна консультация" in text
    assert "Джерело: landing" in text and "olena@example.com" in text
    assert buttons_of(message) == [f"c1:take:{card.id}", f"c1:later:{card.id}", f"c1:reject:{card.id}"]
    labels = [button["text"] for line in message.payload["reply_markup"]["inline_keyboard"] for button in line]
    assert labels == ["✅ Беру", "⏰ Передзвоню пізніше", "❌ Відмова"]


async def test_a_lead_s_time_without_a_zone_is_read_at_the_business_clock(aiohttp_client, make_settings, api_key):
    api = await aiohttp_client(build_app(make_settings(i18n__timezone="America/New_York")))
    response = await post_lead(api, lead(fields={"next_call": "2026-04-01T10:30"}), api_key)
    assert response.status == 201, await response.text()
    with_offset = lead(email="olena@example.com", phone=None, fields={"next_call": "2026-04-01T10:30:00+03:00"})
    assert (await post_lead(api, with_offset, api_key)).status == 201
    stored = [card.fields_data["next_call"] for card in await Card.all().order_by("id")]
    # New York is on summer time (UTC-4); a time that says its offset keeps its instant. Both are kept in UTC.
    assert stored == ["2026-04-01T14:30:00+00:00", "2026-04-01T07:30:00+00:00"]


async def test_message_is_a_comment_when_the_pipeline_has_no_message_field(api, api_key):
    pipeline = await Pipeline.get(key="sales")
    pipeline.field_schema = [spec for spec in pipeline.field_schema if spec["key"] != "message"]
    await pipeline.save()
    response = await post_lead(api, lead(message="Перезвоните после обеда\nСпасибо"), api_key)
    assert response.status == 201
    card = await Card.get()
    assert "message" not in card.fields_data
    assert card.title == "Олена Коваль — Перезвоните после обеда"
    comment = await Comment.get(card=card)
    assert (comment.text, comment.channel, comment.author_id) == ("Перезвоните после обеда\nСпасибо", "api", None)


async def test_second_lead_finds_the_customer_by_phone_in_another_format(api, api_key):
    first = await (await post_lead(api, lead(phone="+380 (67) 123-45-67"), api_key)).json()
    second = await (await post_lead(api, lead(name="Олена", phone="067 123 4567"), api_key)).json()
    third = await (await post_lead(api, lead(phone="80671234567"), api_key)).json()
    assert first["customer_created"] is True
    assert second["customer_created"] is False and third["customer_created"] is False
    assert first["customer_id"] == second["customer_id"] == third["customer_id"]
    assert [first["card"], second["card"], third["card"]] == ["S-0001", "S-0002", "S-0003"]
    assert await Customer.all().count() == 1


async def test_customer_found_by_email_when_there_is_no_phone(api, api_key):
    first = await (await post_lead(api, lead(phone=None, email="olena@example.com"), api_key)).json()
    second = await (await post_lead(api, lead(phone=None, email=" OLENA@example.com "), api_key)).json()
    assert second["customer_created"] is False
    assert first["customer_id"] == second["customer_id"]


# --- idempotency -------------------------------------------------------------------------------------------


async def test_same_key_and_body_replays_the_first_answer_and_creates_nothing(api, api_key):
    body = lead(utm={"utm_source": "google", "utm_campaign": "spring"})
    first = await post_lead(api, body, api_key, idempotency_key="form-1")
    assert first.status == 201
    assert "Idempotent-Replayed" not in first.headers
    # The same JSON with another key order is the same request.
    reordered = dict(reversed(list(body.items())))
    again = await post_lead(api, reordered, api_key, idempotency_key="form-1")
    assert again.status == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await again.read() == await first.read()
    assert await Card.all().count() == 1
    assert await Customer.all().count() == 1
    assert len(await lead_messages()) == 1
    record = await IdempotencyRecord.get(key="form-1")
    assert (record.status, record.response_status) == ("done", 201)


async def test_same_key_with_another_body_is_422(api, api_key):
    assert (await post_lead(api, lead(), api_key, idempotency_key="form-2")).status == 201
    response = await post_lead(api, lead(message="Другой текст"), api_key, idempotency_key="form-2")
    assert response.status == 422
    assert await response.json() == {"error": "idempotency_key_reused"}
    assert await Card.all().count() == 1


async def test_same_key_from_another_source_is_another_request(api, api_key):
    landing = await create_api_key("landing", "sales")
    assert (await post_lead(api, lead(), api_key, idempotency_key="k")).status == 201
    response = await post_lead(api, lead(message="с лендинга"), landing, idempotency_key="k")
    assert response.status == 201
    assert await Card.all().count() == 2


async def test_simultaneous_requests_with_one_key_create_one_lead(api, api_key):
    responses = await asyncio.gather(*(post_lead(api, lead(), api_key, idempotency_key="race") for _ in range(8)))
    statuses = [response.status for response in responses]
    # One runs; the others arrive while it runs (409) or after it (its answer again).
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    created = {(await response.read()) for response in responses if response.status == 201}
    assert len(created) == 1
    assert await Card.all().count() == 1
    assert await IdempotencyRecord.all().count() == 1


async def test_key_still_in_flight_is_409(api, api_key):
    body = lead()
    site = await ApiKey.get(source="site")
    await IdempotencyRecord.create(api_key=site, key="form-3", body_hash=body_hash(body))
    response = await post_lead(api, body, api_key, idempotency_key="form-3")
    assert response.status == 409
    assert await response.json() == {"error": "idempotency_key_in_flight"}
    other = await post_lead(api, lead(message="Другой"), api_key, idempotency_key="form-3")
    assert other.status == 422
    assert await Card.all().count() == 0


async def test_key_abandoned_in_flight_by_a_dead_process_is_taken_over(api, api_key):
    body = lead()
    site = await ApiKey.get(source="site")
    stale = await IdempotencyRecord.create(api_key=site, key="form-4", body_hash=body_hash(body))
    await IdempotencyRecord.filter(id=stale.id).update(created_at=now() - intake.IN_FLIGHT_LEASE - timedelta(seconds=1))
    response = await post_lead(api, body, api_key, idempotency_key="form-4")
    assert response.status == 201
    assert (await IdempotencyRecord.get(key="form-4")).status == "done"


async def test_failed_creation_frees_the_key_and_leaves_nothing(crm, api_key, monkeypatch):
    site = await ApiKey.get(source="site")
    body = lead()
    valid = await intake.validate_lead(body, pipeline_key="sales", region="UA")

    async def broken_create_card(*args, **kwargs):
        card = await create_card(*args, **kwargs)
        raise RuntimeError(f"the database went away after card {card.id}")

    monkeypatch.setattr(intake, "create_card", broken_create_card)
    with pytest.raises(RuntimeError):
        await intake.submit_lead(site, valid, "form-5", body_hash(body))
    assert await IdempotencyRecord.all().count() == 0
    assert await Card.all().count() == 0 and await Customer.all().count() == 0 and await Outbox.all().count() == 0
    assert (await Pipeline.get(key="sales")).distribution_cursor == 0  # the turn was not used up

    monkeypatch.undo()
    result = await intake.submit_lead(site, valid, "form-5", body_hash(body))
    assert result.status_code == 201 and result.body["card"] == "S-0001"


async def test_without_idempotency_key_each_request_creates_a_lead(api, api_key):
    for _ in range(2):
        assert (await post_lead(api, lead(), api_key)).status == 201
    assert await Card.all().count() == 2
    assert await IdempotencyRecord.all().count() == 0


# --- distribution ------------------------------------------------------------------------------------------


async def test_round_robin_is_fair_over_30_leads_and_3_managers(api, api_key, managers):
    assigned = []
    for number in range(30):
        response = await post_lead(api, lead(phone=None, email=f"client{number}@example.com"), api_key)
        assert response.status == 201
        assigned.append((await response.json())["assigned_to"])
    names = [manager.name for manager in managers]
    assert assigned == names * 10
    assert (await Pipeline.get(key="sales")).distribution_cursor == managers[-1].id


async def test_round_robin_holds_for_simultaneous_leads(api, api_key, managers):
    responses = await asyncio.gather(*(
        post_lead(api, lead(phone=None, email=f"rush{number}@example.com"), api_key) for number in range(30)))
    assert [response.status for response in responses] == [201] * 30
    cards = await Card.all().order_by("number")
    by_turn = [card.assignee_id for card in cards]
    ids = [manager.id for manager in managers]
    # Handed out strictly in turn, in the order the cards were numbered: nobody gets two in a row.
    start = ids.index(by_turn[0])
    assert by_turn == [ids[(start + turn) % 3] for turn in range(30)]


async def test_round_robin_skips_inactive_managers(api, api_key, managers):
    await Staff.filter(id=managers[1].id).update(active=False)
    assigned = [(await (await post_lead(api, lead(phone=None, email=f"c{n}@example.com"), api_key)).json())
                ["assigned_to"] for n in range(4)]
    assert assigned == [managers[0].name, managers[2].name] * 2


async def test_least_loaded_picks_the_manager_with_fewest_open_cards(api, api_key, managers):
    await Pipeline.filter(key="sales").update(distribution="least_loaded")
    first, second, third = managers
    lost = await Stage.get(pipeline__key="sales", key="lost")
    for person, count in ((first, 2), (second, 1), (third, 0)):
        for _ in range(count):
            await create_card(SYSTEM, "sales", title="old", assignee=person)
    # Closed cards are no load: two lost ones do not make the third manager busier.
    for _ in range(2):
        card = await create_card(SYSTEM, "sales", title="closed", assignee=third)
        await Card.filter(id=card.id).update(stage_id=lost.id)

    assigned = [(await (await post_lead(api, lead(phone=None, email=f"l{n}@example.com"), api_key)).json())
                ["assigned_to"] for n in range(4)]
    # loads 2/1/0 → third; 2/1/1 → second (tie, lower id); 2/2/1 → third; 2/2/2 → first (tie, lowest id)
    assert assigned == [third.name, second.name, third.name, first.name]


async def test_pipeline_without_distribution_leaves_the_lead_unassigned(api, api_key):
    await Pipeline.filter(key="sales").update(distribution="none")
    response = await post_lead(api, lead(), api_key)
    assert (await response.json())["assigned_to"] is None
    assert (await Card.get()).assignee_id is None
    assert await lead_messages() == []


async def test_no_active_manager_leaves_the_lead_unassigned(api, api_key):
    await Staff.filter(roles__key="manager").update(active=False)
    response = await post_lead(api, lead(), api_key)
    assert response.status == 201
    assert (await response.json())["assigned_to"] is None


async def test_switched_off_pipeline_is_503_and_stores_nothing(api, api_key):
    await Pipeline.filter(key="sales").update(active=False)
    response = await post_lead(api, lead(), api_key, idempotency_key="k")
    assert response.status == 503
    assert (await response.json())["error"] == "pipeline_unavailable"
    assert await IdempotencyRecord.all().count() == 0


# --- the OpenAPI document ----------------------------------------------------------------------------------


async def test_openapi_document_describes_the_endpoint(api):
    response = await api.get("/api/v1/openapi.json")
    assert response.status == 200
    document = await response.json()
    operation = document["paths"]["/api/v1/leads"]["post"]
    assert set(operation["responses"]) >= {"201", "400", "401", "409", "413", "415", "422"}
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == intake.LEAD_FIELDS
    assert schema["properties"]["name"]["maxLength"] == intake.NAME_MAX_LENGTH
    assert set(document["components"]["securitySchemes"]) == {"bearerAuth", "apiKeyHeader"}


async def test_openapi_examples_are_accepted(api, api_key):
    document = await (await api.get("/api/v1/openapi.json")).json()
    examples = document["paths"]["/api/v1/leads"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    for example in examples.values():
        response = await post_lead(api, example["value"], api_key)
        assert response.status == 201, await response.text()


# --- the manager's Telegram message, end to end --------------------------------------------------------------


async def test_the_manager_gets_the_lead_in_telegram(estafeta, sandbox):
    key = await create_api_key("site", "sales")
    async with httpx.AsyncClient(base_url=estafeta.base_url) as http:
        response = await http.post(LEADS, json=lead(message="Хочу демо"), headers={"X-Api-Key": key,
                                                                                    "Idempotency-Key": "e2e-1"})
    assert response.status_code == 201, response.text
    number = response.json()["card"]

    boris = await sandbox.existing_user(BORIS_TELEGRAM_ID)
    deadline = time.monotonic() + 15
    while True:
        arrived = [m for m in await boris.messages() if f"Новий лід {number}" in (m.text or "")]
        if arrived or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert arrived, [m.text for m in await boris.messages()]
    [message] = arrived
    assert "Олена Коваль" in message.text and "Хочу демо" in message.text
    assert message.buttons == ["✅ Беру", "⏰ Передзвоню пізніше", "❌ Відмова"]
    card_id = response.json()["card_id"]
    assert [b["callback_data"] for row in message.inline_keyboard for b in row] == [
        f"c1:take:{card_id}", f"c1:later:{card_id}", f"c1:reject:{card_id}"]


# --- the CLI -----------------------------------------------------------------------------------------------


def test_cli_creates_and_revokes_keys(tmp_path, monkeypatch, capsys):
    from estafeta.cli import main
    from tests.conftest import _migrated_sqlite

    url = f"sqlite://{tmp_path}/cli.db"
    asyncio.run(_migrated_sqlite(url))
    monkeypatch.setenv("ESTAFETA__DATABASE__URL", url)
    monkeypatch.setenv("ESTAFETA__APP__DATA_DIR", str(tmp_path / "data"))
    main(["pack", "load", "generic"])
    capsys.readouterr()

    main(["apikey", "create", "site"])
    printed = capsys.readouterr().out
    assert "source 'site'" in printed and "pipeline 'sales'" in printed and "/api/v1/leads" in printed
    plain_key = next(word for word in printed.split() if word.startswith("est_"))

    with pytest.raises(SystemExit) as again:
        main(["apikey", "create", "site"])
    assert "already has an active key" in str(again.value)
    with pytest.raises(SystemExit) as unknown:
        main(["apikey", "create", "landing", "--pipeline", "nope"])
    assert "unknown pipeline 'nope'; known pipelines: sales" in str(unknown.value)

    main(["apikey", "revoke", "site"])
    assert "revoked" in capsys.readouterr().out
    with pytest.raises(SystemExit) as gone:
        main(["apikey", "revoke", "site"])
    assert "no active API key" in str(gone.value)
    assert plain_key.startswith("est_")
