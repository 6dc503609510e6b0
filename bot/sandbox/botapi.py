"""The fake Bot API: the methods the bot calls, run against the sandbox state.

To add a method, write ``async def handler(api: BotApi, params: Params) -> result`` and give it a row in
``SEND_METHODS`` (it posts a message: flood control and delivery records apply) or ``OTHER_METHODS``.
Errors are ``ApiError``s (``bad_request(...)`` for a 400) worded as Telegram words them, since the bot's
error handling matches on them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from .params import Params, Upload
from .pusher import WebhookPusher, long_poll
from .state import ApiError, Chat, ChatMessage, SandboxState, StoredFile, bad_request, parse_text


class BotApi:
    """One sandbox's Bot API: its state and the pusher that carries updates to a webhook once one is set."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.pusher = WebhookPusher(state, run_reply=self.call)

    @staticmethod
    def has_method(method: str) -> bool:
        return method.lower() in _HANDLERS

    async def call(self, method: str, params: Params) -> Any:
        """Run one Bot API method; raises ApiError. Faults, flood control and recording happen here."""
        state = self.state
        handler = _HANDLERS.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found")
        chat_id = _chat_id_of(params)
        sends = method.lower() in _SENDERS
        status = 200
        try:
            fault = state.take_fault(method, chat_id)
            if fault is not None:
                raise fault
            if sends:
                flood = state.check_flood(chat_id)
                if flood is not None:
                    raise flood
            result = await handler(self, params)
            if sends:
                state.record_delivery(method, chat_id)
                if params.bool("disable_notification"):  # shown as silent in the chat and the persona API
                    for sent in result if isinstance(result, list) else [result]:
                        state.mark_silent(sent["chat"]["id"], sent["message_id"])
            return result
        except ApiError as exc:
            status = exc.code
            raise
        finally:
            state.record_call(method, chat_id, status)


BotMethod = Callable[[BotApi, Params], Awaitable[Any]]


def _chat_id_of(params: Params) -> int | None:
    try:
        return params.int("chat_id")
    except ApiError:
        return None


# --------------------------------------------------------------------------------------------------------------
# Reading a call's parts: chat, message, keyboard, text, reply target, files
# --------------------------------------------------------------------------------------------------------------


def _resolve_chat(state: SandboxState, params: Params, *, check_blocked: bool = True) -> Chat:
    raw = params.values.get("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    try:
        chat_id = params.int("chat_id")
    except ApiError:
        raise bad_request("chat not found") from None
    chat = state.chat(chat_id) if chat_id is not None else None
    if chat is None:
        raise bad_request("chat not found")
    if check_blocked and state.users[chat.user_id].blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat


def _resolve_message(state: SandboxState, params: Params, not_found: str) -> tuple[Chat, ChatMessage]:
    if params.values.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = _resolve_chat(state, params)
    message_id = params.int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.messages.get(message_id)
    if message is None or message.deleted:
        raise bad_request(not_found)
    return chat, message


_URL_SCHEMES = re.compile(r"^(https?|tg)://\S+$", re.I)
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _parse_rows(
    rows: Any, field: str, markup_type: str, parse_button: Callable[[Any], dict[str, Any]]
) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field}" of the {markup_type} must be an Array of Arrays')
    parsed = [[parse_button(button) for button in row] for row in rows]
    return [row for row in parsed if row]


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    actions = [key for key in _INLINE_ACTIONS if button.get(key) is not None]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        if not isinstance(button["url"], str) or not _URL_SCHEMES.match(button["url"]):
            raise bad_request("BUTTON_URL_INVALID")
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID" if "callback_data" not in actions else "BUTTON_TYPE_INVALID")
    return {"text": text, **{key: button[key] for key in actions}}


def _reply_button(button: Any) -> dict[str, Any]:
    if isinstance(button, str):
        button = {"text": button}
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    return {k: v for k, v in button.items() if v not in (None, False)}


def _parse_reply_keyboard(markup: dict[str, Any]) -> dict[str, Any]:
    keyboard = _parse_rows(markup.get("keyboard"), "keyboard", "ReplyKeyboardMarkup", _reply_button)
    if not keyboard:
        raise bad_request("keyboard must be non-empty")
    result: dict[str, Any] = {"keyboard": keyboard}
    for key in ("is_persistent", "resize_keyboard", "one_time_keyboard", "selective"):
        if markup.get(key) in (True, "true"):
            result[key] = True
    if isinstance(markup.get("input_field_placeholder"), str):
        result["input_field_placeholder"] = markup["input_field_placeholder"]
    return result


def _parse_markup(params: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
    markup = params.json("reply_markup", "reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = _parse_rows(markup["inline_keyboard"], "inline_keyboard", "InlineKeyboardMarkup", _inline_button)
        return {"inline_keyboard": rows} if rows else None
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        return _parse_reply_keyboard(markup)
    if markup.get("remove_keyboard") in (True, "true"):
        return {"remove_keyboard": True}
    if markup.get("force_reply") in (True, "true"):
        result: dict[str, Any] = {"force_reply": True}
        if isinstance(markup.get("input_field_placeholder"), str):
            result["input_field_placeholder"] = markup["input_field_placeholder"]
        return result
    raise bad_request("can't parse reply keyboard markup JSON object")


def _parse_formatted(
    params: Params, text_key: str, entities_key: str, *, allow_empty: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    source = params.str(text_key)
    if source is None or source == "":
        if allow_empty:
            return "", []
        raise bad_request("message text is empty")
    parse_mode = params.str("parse_mode")
    if parse_mode:
        return parse_text(source, parse_mode)
    entities = params.json(entities_key) or []
    if not isinstance(entities, list):
        raise bad_request(f"can't parse {entities_key} JSON object")
    return source, entities


def _text_content(params: Params) -> dict[str, Any]:
    text, entities = _parse_formatted(params, "text", "entities")
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > 4096:
        raise bad_request("message is too long")
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    return content


def _caption_content(params: Params, caption_key: str = "caption") -> dict[str, Any]:
    caption, entities = _parse_formatted(params, caption_key, "caption_entities", allow_empty=True)
    if len(caption) > 1024:
        raise bad_request("message caption is too long")
    content: dict[str, Any] = {}
    if caption:
        content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
    return content


def _reply_target(chat: Chat, params: Params) -> dict[str, Any]:
    reply_to = params.int("reply_to_message_id") if params.values.get("reply_to_message_id") else None
    allow_without = params.bool("allow_sending_without_reply")
    reply_parameters = params.json("reply_parameters")
    if isinstance(reply_parameters, dict) and reply_parameters.get("message_id") is not None:
        try:
            reply_to = int(reply_parameters["message_id"])
        except (TypeError, ValueError):
            raise bad_request("message to be replied not found") from None
        allow_without = allow_without or bool(reply_parameters.get("allow_sending_without_reply"))
    if reply_to is None:
        return {}
    target = chat.messages.get(reply_to)
    if target is None or target.deleted:
        if allow_without:
            return {}
        raise bad_request("message to be replied not found")
    return {"reply_to_message": dict(target.tg)}


_MEDIA_KINDS = ("photo", "video", "document", "audio")


def _resolve_input_file(state: SandboxState, params: Params, value: Any, kind: str) -> StoredFile:
    if isinstance(value, Upload):
        return state.add_file(kind, data=value.data, file_name=value.filename, mime_type=value.content_type)
    if not isinstance(value, str) or not value:
        raise bad_request("there is no file in the request")
    if value.startswith("attach://"):
        upload = params.files.get(value.removeprefix("attach://"))
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return state.add_file(kind, data=upload.data, file_name=upload.filename, mime_type=upload.content_type)
    if re.match(r"^https?://", value, re.I):
        name = value.rsplit("/", 1)[-1].split("?", 1)[0] or None
        return state.add_file(kind, url=value, file_name=name)
    stored = state.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


def _media_content(stored: StoredFile, kind: str) -> dict[str, Any]:
    if kind == "photo":
        return {"photo": stored.photo_sizes()}
    doc = stored.tg_document()
    return {kind: doc}


def _bot_message(state: SandboxState, chat: Chat, content: dict[str, Any], markup: dict | None) -> dict:
    message = state.add_message(chat, "bot", content, markup)
    return message.tg


# --------------------------------------------------------------------------------------------------------------
# The bot's profile
# --------------------------------------------------------------------------------------------------------------


async def get_me(api: BotApi, params: Params) -> Any:
    return api.state.get_me()


async def accept(api: BotApi, params: Params) -> Any:
    """Answered and otherwise ignored: the sandbox keeps no bot profile and has no other server to log out to."""
    return True


async def get_my_description(api: BotApi, params: Params) -> Any:
    return {"description": ""}


async def get_my_short_description(api: BotApi, params: Params) -> Any:
    return {"short_description": ""}


async def get_my_name(api: BotApi, params: Params) -> Any:
    return {"name": api.state.bot_first_name}


async def get_chat_menu_button(api: BotApi, params: Params) -> Any:
    return {"type": "commands"}


_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def _commands_key(state: SandboxState, params: Params) -> tuple[str, int | None, str]:
    scope = params.json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    allowed = {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
    if kind not in allowed:
        raise bad_request("wrong BotCommandScope type specified")
    chat_id = None
    if kind in ("chat", "chat_administrators", "chat_member"):
        try:
            chat_id = int(scope.get("chat_id"))
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if state.chat(chat_id) is None:
            raise bad_request("chat not found")
    language = params.str("language_code") or ""
    return kind, chat_id, language


async def set_my_commands(api: BotApi, params: Params) -> Any:
    commands = params.json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands")
    result = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command") or "").removeprefix("/")
        description = str(command.get("description") or "")
        if not _COMMAND_RE.match(name.lower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        result.append({"command": name.lower(), "description": description})
    key = _commands_key(api.state, params)
    if result:
        api.state.commands[key] = result
    else:
        api.state.commands.pop(key, None)
    api.state.activity.notify()
    return True


async def get_my_commands(api: BotApi, params: Params) -> Any:
    return list(api.state.commands.get(_commands_key(api.state, params), []))


async def delete_my_commands(api: BotApi, params: Params) -> Any:
    api.state.commands.pop(_commands_key(api.state, params), None)
    api.state.activity.notify()
    return True


# --------------------------------------------------------------------------------------------------------------
# Updates: long polling and the webhook
# --------------------------------------------------------------------------------------------------------------


async def get_updates(api: BotApi, params: Params) -> Any:
    if api.state.webhook.url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = params.int("offset")
    limit = params.int("limit") or 100
    limit = max(1, min(100, limit))
    timeout = max(0, min(params.int("timeout") or 0, 60))
    return await long_poll(api.state, offset, limit, timeout)


async def set_webhook(api: BotApi, params: Params) -> Any:
    state = api.state
    url = (params.str("url") or "").strip()
    if url and not re.match(r"^https?://", url, re.I):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.str("secret_token")
    if secret is not None and secret != "" and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    if params.bool("drop_pending_updates"):
        state.drop_pending_updates()
    state.webhook.url = url
    state.webhook.secret_token = secret or None
    state.webhook.max_connections = params.int("max_connections") or 40
    allowed = params.json("allowed_updates")
    state.webhook.allowed_updates = allowed if isinstance(allowed, list) else None
    state.webhook.ip_address = params.str("ip_address")
    state.webhook.last_error_date = None
    state.webhook.last_error_message = None
    state.updates_changed.notify()
    if url:
        api.pusher.ensure_running()
    return True


async def delete_webhook(api: BotApi, params: Params) -> Any:
    state = api.state
    if params.bool("drop_pending_updates"):
        state.drop_pending_updates()
    state.webhook.url = ""
    state.webhook.secret_token = None
    state.updates_changed.notify()
    return True


async def get_webhook_info(api: BotApi, params: Params) -> Any:
    hook = api.state.webhook
    info: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(api.state.pending_updates),
    }
    if hook.url:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.ip_address:
            info["ip_address"] = hook.ip_address
    if hook.last_error_date:
        info["last_error_date"] = hook.last_error_date
        info["last_error_message"] = hook.last_error_message
    return info


# --------------------------------------------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------------------------------------------


async def send_message(api: BotApi, params: Params) -> Any:
    chat = _resolve_chat(api.state, params)
    content = _text_content(params)
    markup = _parse_markup(params)
    content.update(_reply_target(chat, params))
    return _bot_message(api.state, chat, content, markup)


def media_sender(kind: str) -> BotMethod:
    """sendPhoto, sendVideo, ...: one handler shape for every kind of file the message carries."""

    async def send(api: BotApi, params: Params) -> Any:
        chat = _resolve_chat(api.state, params)
        value = params.raw(kind)
        if value is None:
            raise bad_request(f"there is no {kind} in the request")
        content = _caption_content(params)
        markup = _parse_markup(params)
        stored = _resolve_input_file(api.state, params, value, kind)
        content = {**_media_content(stored, kind), **content, **_reply_target(chat, params)}
        return _bot_message(api.state, chat, content, markup)

    return send


async def send_location(api: BotApi, params: Params) -> Any:
    chat = _resolve_chat(api.state, params)
    latitude = params.float("latitude", required=True)
    longitude = params.float("longitude", required=True)
    assert latitude is not None and longitude is not None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong latitude or longitude")
    markup = _parse_markup(params)
    content = {"location": {"latitude": latitude, "longitude": longitude}, **_reply_target(chat, params)}
    return _bot_message(api.state, chat, content, markup)


async def send_media_group(api: BotApi, params: Params) -> Any:
    chat = _resolve_chat(api.state, params)
    media = params.json("media")
    if not media:
        raise bad_request("media is empty")
    if not isinstance(media, list):
        raise bad_request("can't parse media JSON object")
    if not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media in the media group (2-10 expected)")
    prepared = []
    for item in media:
        if not isinstance(item, dict) or item.get("type") not in _MEDIA_KINDS:
            raise bad_request("can't parse InputMedia: unsupported media type")
        kind = item["type"]
        stored = _resolve_input_file(api.state, params, item.get("media"), kind)
        item_params = Params(
            {
                "caption": item.get("caption"),
                "parse_mode": item.get("parse_mode"),
                "caption_entities": item.get("caption_entities"),
            }
        )
        prepared.append((kind, stored, _caption_content(item_params)))
    group_id = str(secrets.randbits(60))
    reply = _reply_target(chat, params)
    results = []
    for kind, stored, caption in prepared:
        content = {**_media_content(stored, kind), **caption, "media_group_id": group_id, **reply}
        results.append(_bot_message(api.state, chat, content, None))
    return results


async def send_chat_action(api: BotApi, params: Params) -> Any:
    _resolve_chat(api.state, params)
    if not params.str("action"):
        raise bad_request("action is empty")
    return True


# --------------------------------------------------------------------------------------------------------------
# Editing and deleting
# --------------------------------------------------------------------------------------------------------------


def _editable_message(state: SandboxState, params: Params) -> tuple[Chat, ChatMessage]:
    chat, message = _resolve_message(state, params, "message to edit not found")
    if message.sender != "bot":
        raise bad_request("message can't be edited")
    return chat, message


def _apply_edit(
    state: SandboxState,
    chat: Chat,
    message: ChatMessage,
    content: dict[str, Any],
    markup: dict[str, Any] | None,
    keys: tuple[str, ...],
) -> None:
    tg = message.tg
    same_content = all(tg.get(key) == content.get(key) for key in keys)
    if same_content and tg.get("reply_markup") == markup:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are exactly the same "
            "as a current content and reply markup of the message"
        )
    for key in keys:
        if content.get(key) is None:
            tg.pop(key, None)
        else:
            tg[key] = content[key]
    if markup:
        tg["reply_markup"] = markup
    else:
        tg.pop("reply_markup", None)
    message.markup = markup
    state.touch_message(chat, message)


def part_editor(
    part: str, entities_key: str, read: Callable[[Params], dict[str, Any]], *, found_in: tuple[str, ...]
) -> BotMethod:
    """editMessageText, editMessageCaption: replace one part of a bot message (if it has one of ``found_in``)."""

    async def edit(api: BotApi, params: Params) -> Any:
        chat, message = _editable_message(api.state, params)
        if not any(key in message.tg for key in found_in):
            raise bad_request(f"there is no {part} in the message to edit")
        content = read(params)
        markup = _parse_markup(params, inline_only=True)
        _apply_edit(api.state, chat, message, content, markup, (part, entities_key))
        return message.tg

    return edit


async def edit_message_reply_markup(api: BotApi, params: Params) -> Any:
    chat, message = _editable_message(api.state, params)
    markup = _parse_markup(params, inline_only=True)
    _apply_edit(api.state, chat, message, {}, markup, ())
    return message.tg


async def delete_message(api: BotApi, params: Params) -> Any:
    chat, message = _resolve_message(api.state, params, "message to delete not found")
    api.state.delete_message(chat, message)
    return True


async def delete_messages(api: BotApi, params: Params) -> Any:
    chat = _resolve_chat(api.state, params)
    ids = params.json("message_ids")
    if not isinstance(ids, list) or not ids:
        raise bad_request("message_ids is empty")
    for message_id in ids:
        message = chat.messages.get(int(message_id))
        if message is not None and not message.deleted:
            api.state.delete_message(chat, message)
    return True


# --------------------------------------------------------------------------------------------------------------
# Callbacks, files, chats
# --------------------------------------------------------------------------------------------------------------


async def answer_callback_query(api: BotApi, params: Params) -> Any:
    query_id = params.str("callback_query_id")
    record = api.state.callback_queries.get(query_id or "")
    if record is None or record.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answer = {"text": text, "show_alert": params.bool("show_alert"), "url": params.str("url")}
    api.state.activity.notify()
    return True


async def get_file(api: BotApi, params: Params) -> Any:
    stored = api.state.files.get(params.str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.tg_file()


async def get_chat(api: BotApi, params: Params) -> Any:
    chat = _resolve_chat(api.state, params, check_blocked=False)
    info = api.state.tg_chat(chat)
    info.update(
        {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    return info


# --------------------------------------------------------------------------------------------------------------
# The method tables (Telegram matches method names case-insensitively)
# --------------------------------------------------------------------------------------------------------------

SEND_METHODS: dict[str, BotMethod] = {
    "sendMessage": send_message,
    "sendPhoto": media_sender("photo"),
    "sendVideo": media_sender("video"),
    "sendDocument": media_sender("document"),
    "sendAudio": media_sender("audio"),
    "sendLocation": send_location,
    "sendMediaGroup": send_media_group,
}

OTHER_METHODS: dict[str, BotMethod] = {
    "getMe": get_me,
    "logOut": accept,
    "close": accept,
    "setMyDescription": accept,
    "setMyShortDescription": accept,
    "setMyName": accept,
    "setChatMenuButton": accept,
    "setMyDefaultAdministratorRights": accept,
    "getMyDescription": get_my_description,
    "getMyShortDescription": get_my_short_description,
    "getMyName": get_my_name,
    "getChatMenuButton": get_chat_menu_button,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "sendChatAction": send_chat_action,
    "editMessageText": part_editor("text", "entities", _text_content, found_in=("text",)),
    "editMessageCaption": part_editor("caption", "caption_entities", _caption_content, found_in=_MEDIA_KINDS),
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "answerCallbackQuery": answer_callback_query,
    "getFile": get_file,
    "getChat": get_chat,
}

_HANDLERS: dict[str, BotMethod] = {name.lower(): handler for name, handler in (SEND_METHODS | OTHER_METHODS).items()}
_SENDERS = frozenset(name.lower() for name in SEND_METHODS)
