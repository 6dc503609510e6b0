"""Callback data factories. Prefixes carry a version digit so old buttons can be told apart after a change."""

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m1"):
    item: str


class LanguageCb(CallbackData, prefix="l1"):
    code: str


class InviteRoleCb(CallbackData, prefix="i1"):
    role: str
