import pytest

from bot.sandbox.client import SandboxClient
from bot.sandbox_personas import connect_sandbox
from core.packs import load_pack
from estafeta.app import Estafeta


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
    client = SandboxClient(estafeta.base_url)
    yield client
    await client.close()
