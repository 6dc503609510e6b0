"""The sample module's conversation: the Ping menu entry, the /pings command and a "ping?" text it answers."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from core import modules
from core.i18n import Translator
from core.permissions import Actor, can


async def open_ping(target: Message, t: Translator, **_) -> None:
    settings = modules.settings_of("sample")
    await target.answer(t("sample-pong", greeting=" ".join([settings.greeting] * settings.repeat)))


async def open_pings(target: Message, t: Translator, **_) -> None:
    await target.answer(t("sample-pings"))


async def question(message: Message, actor: Actor, t: Translator) -> None:
    await message.answer(t("sample-answer" if can(actor, "sample.ping") else "forbidden"))


def build_router() -> Router:
    router = Router(name="sample")
    router.message.register(question, F.text == "ping?")
    return router
