from tests.bot.conftest import estafeta, sandbox  # noqa: F401  (fixtures: the whole app and its sandbox chat)
