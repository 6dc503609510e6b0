from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import Translator
from flows.callbacks import LanguageCb, MenuCb


class InlineButtons(InlineKeyboardBuilder):
    """aiogram's builder deep-copies the whole keyboard on every button it adds (quadratic; a twentieth of the bot's
    CPU under load). Its rows are rebuilt on each change and the buttons themselves are never changed after being
    added, so copying the rows is enough."""

    def export(self) -> list[list[InlineKeyboardButton]]:
        return [list(row) for row in self._markup]


LANGUAGE_NAMES = {"ru": "Русский", "uk": "Українська", "en": "English"}


def main_menu(items: list[str], t: Translator) -> InlineKeyboardMarkup:
    builder = InlineButtons()
    for item in items:
        builder.button(text=t(f"menu-{item}"), callback_data=MenuCb(item=item))
    builder.adjust(2)
    return builder.as_markup()


def languages() -> InlineKeyboardMarkup:
    builder = InlineButtons()
    for code, name in LANGUAGE_NAMES.items():
        builder.button(text=name, callback_data=LanguageCb(code=code))
    builder.adjust(3)
    return builder.as_markup()
