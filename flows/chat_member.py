"""Telegram tells us when a user blocks or unblocks the bot; the outbox stops or resumes their deliveries."""

from aiogram import Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from core import outbox


async def user_blocked_bot(event: ChatMemberUpdated) -> None:
    await outbox.mark_blocked(event.chat.id)


async def user_unblocked_bot(event: ChatMemberUpdated) -> None:
    await outbox.unblock(event.chat.id)


def build_router() -> Router:
    router = Router(name="chat_member")
    router.my_chat_member.register(user_blocked_bot, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    router.my_chat_member.register(user_unblocked_bot, ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    return router
