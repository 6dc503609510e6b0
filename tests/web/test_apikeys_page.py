"""API keys of lead sources in the panel: create (shown once, with a curl example), errors, revoke, who may."""

from __future__ import annotations

import html
import re
import shlex

import pytest

from core import intake
from core.i18n import translator
from models import ApiKey, Card
from tests.web.crm_helpers import more_people, signed_in, token_of

RU = translator("ru", strict=True)
KEY = re.compile(r'id="api-key" value="(est_[A-Za-z0-9_-]+)"')


@pytest.fixture
async def staff(people):
    return await more_people(people)


async def test_create_a_key_shown_once(panel, staff, settings):
    client = await signed_in(panel, settings, "admin")
    page = await (await client.get("/apikeys")).text()
    assert RU("web-apikeys-empty") in page and '<option value="sales" selected>Продажи</option>' in page
    token = await token_of(client, "/apikeys")

    created = await client.post("/apikeys", data={"csrf_token": token, "source": " site ", "pipeline": "sales"},
                                allow_redirects=False)
    assert created.status == 303
    api_key = await ApiKey.get(source="site")
    assert created.headers["Location"] == f"/apikeys/{api_key.id}" and api_key.pipeline_key == "sales"

    shown = await (await client.get(f"/apikeys/{api_key.id}")).text()
    match = KEY.search(shown)
    assert match, shown
    plain = match.group(1)
    assert api_key.key_hash == intake.hash_key(plain) and plain not in api_key.key_hash
    assert RU("web-apikey-once") in shown and RU("web-apikey-ready-title") in shown
    # A curl example that works as it is: this server's address, the key, JSON and an idempotency key.
    for expected in ("curl -X POST http://127.0.0.1:", "/api/v1/leads", f"Authorization: Bearer {plain}",
                     "Content-Type: application/json", "Idempotency-Key: form-0001", "+380671234567"):
        assert expected in shown, expected
    assert (await intake.authenticate(plain)).id == api_key.id
    # The example works as it is: its headers and body make a lead.
    curl = html.unescape(re.search(r'<textarea id="api-curl"[^>]*>(.*?)</textarea>', shown, re.S).group(1))
    words = shlex.split(curl.replace("\\\n", " "))
    headers = dict(words[index + 1].split(": ", 1) for index, word in enumerate(words) if word == "-H")
    lead = await client.post("/api/v1/leads", data=words[-1].encode(), headers=headers)
    assert lead.status == 201, await lead.text()
    card = await Card.get(id=(await lead.json())["card_id"]).select_related("customer", "pipeline")
    assert card.pipeline.key == "sales" and card.customer.name == RU("web-apikey-example-name")

    # Reloading the page no longer shows the key; the list shows the source.
    again = await (await client.get(f"/apikeys/{api_key.id}")).text()
    assert plain not in again and RU("web-apikey-hidden") in again
    listing = await (await client.get("/apikeys")).text()
    assert "site" in listing and RU("web-apikey-active") in listing and plain not in listing
    assert RU("web-apikey-never-used") not in listing  # authenticate() above counted as a use


async def test_create_errors_are_messages(panel, staff, settings):
    client = await signed_in(panel, settings, "admin")
    token = await token_of(client, "/apikeys")
    empty = await client.post("/apikeys", data={"csrf_token": token, "source": "  ", "pipeline": "sales"})
    assert empty.status == 400 and RU("web-apikey-error-source-required") in await empty.text()
    long = await client.post("/apikeys", data={"csrf_token": token, "source": "x" * 65, "pipeline": "sales"})
    assert long.status == 400 and RU("web-apikey-error-source-too-long", max=64) in await long.text()
    pipeline = await client.post("/apikeys", data={"csrf_token": token, "source": "site", "pipeline": "nope"})
    assert pipeline.status == 400
    text = await pipeline.text()
    assert RU("web-apikey-error-pipeline") in text and 'value="site"' in text  # the form keeps what was typed
    assert not await ApiKey.exists()

    await intake.create_api_key("site", "sales")
    twice = await client.post("/apikeys", data={"csrf_token": token, "source": "site", "pipeline": "sales"})
    assert twice.status == 409 and RU("web-apikey-error-source-exists") in await twice.text()


async def test_revoke_and_issue_again(panel, staff, settings):
    plain = await intake.create_api_key("landing", "sales")
    api_key = await ApiKey.get(source="landing")
    client = await signed_in(panel, settings, "admin")
    token = await token_of(client, "/apikeys")
    revoked = await client.post(f"/apikeys/{api_key.id}/revoke", data={"csrf_token": token}, allow_redirects=False)
    assert revoked.status == 303 and revoked.headers["Location"] == "/apikeys"
    assert not (await ApiKey.get(id=api_key.id)).active and await intake.authenticate(plain) is None
    listing = await (await client.get("/apikeys")).text()
    assert RU("web-apikey-revoked", name="landing") in listing and RU("web-apikey-revoked-badge") in listing
    twice = await client.post(f"/apikeys/{api_key.id}/revoke", data={"csrf_token": token})
    assert RU("web-apikey-already-revoked", name="landing") in await twice.text()

    # A revoked source gets a fresh key: that is how a key is rotated.
    created = await client.post("/apikeys", data={"csrf_token": token, "source": "landing", "pipeline": "sales"})
    fresh = KEY.search(await created.text()).group(1)
    assert fresh != plain and (await intake.authenticate(fresh)).id == api_key.id
    assert (await client.post("/apikeys/999/revoke", data={"csrf_token": token})).status == 404


async def test_only_admins_manage_keys(panel, staff, settings):
    await intake.create_api_key("site", "sales")
    api_key = await ApiKey.get(source="site")
    for who in ("manager", "head"):
        client = await signed_in(panel, settings, who)
        page = await client.get("/apikeys")
        assert page.status == 403 and RU("web-error-denied-title") in await page.text(), who
        assert 'href="/apikeys"' not in await (await client.get("/cards")).text()
        token = await token_of(client, "/cards")
        created = await client.post("/apikeys", data={"csrf_token": token, "source": "x", "pipeline": "sales"})
        assert created.status == 403
        revoked = await client.post(f"/apikeys/{api_key.id}/revoke", data={"csrf_token": token})
        assert revoked.status == 403
        assert (await client.get(f"/apikeys/{api_key.id}")).status == 403
    assert await ApiKey.filter(active=True).count() == 1
    admin = await signed_in(panel, settings, "admin")
    forged = await admin.post("/apikeys", data={"source": "evil", "pipeline": "sales"})
    assert forged.status == 403 and not await ApiKey.exists(source="evil")
