from dataclasses import dataclass

import pytest

from bot.sandbox import SandboxState, create_sandbox_app
from bot.sandbox.client import SandboxClient
from bot.sandbox_personas import connect_sandbox
from core.packs import load_pack
from estafeta.app import Estafeta
from tests.servers import sandbox_parent, served

WEBHOOK_SECRET = "webhook-secret-for-tests"


@pytest.fixture
async def estafeta(make_settings, empty_database):
    """The whole product in this process: web panel, sandbox, bot and worker on a free 127.0.0.1 port."""
    settings = make_settings()
    app = Estafeta(settings)
    await app.start()
    await load_pack("generic", with_demo=True)
    await connect_sandbox(app.sandbox, settings)
    yield app
    await app.stop()


@pytest.fixture
async def sandbox(estafeta):
    client = SandboxClient(estafeta.base_url, token=estafeta.sandbox_token)
    yield client
    await client.close()


@dataclass
class FakeTelegram:
    state: SandboxState
    base_url: str

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/sandbox/botapi"


@pytest.fixture
async def telegram():
    """Telegram's stand-in on 127.0.0.1 for the product in webhook mode: a bare sandbox (open, a test harness)."""
    state = SandboxState()
    async with served(sandbox_parent(create_sandbox_app(state))) as base_url:
        yield FakeTelegram(state, base_url)


@pytest.fixture
async def hooked(make_settings, empty_database, telegram):
    """The whole product in webhook mode, as with real Telegram: updates come to telegram.webhook_path with the
    secret; the bot's calls (setWebhook at start, replies) go to `telegram`."""
    settings = make_settings(telegram__mode="webhook", telegram__token=telegram.state.token,
                             telegram__api_base=telegram.api_base, telegram__webhook_secret=WEBHOOK_SECRET)
    app = Estafeta(settings)
    await app.start()
    await load_pack("generic", with_demo=True, demo_records=True)
    yield app
    await app.stop()
