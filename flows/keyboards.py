from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import Translator
from flows.callbacks import LanguageCb, MenuCb

LANGUAGE_NAMES = {"ru": "Русский", "uk": "Українська", "en": "English"}


def main_menu(items: list[str], t: Translator) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for item in items:
        builder.button(text=t(f"menu-{item}"), callback_data=MenuCb(item=item))
    builder.adjust(2)
    return builder.as_markup()


def languages() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        builder.button(text=name, callback_data=LanguageCb(code=code))
    builder.adjust(3)
    return builder.as_markup()
