"""Raw Telegram updates for tests that post to the webhook or the inbox directly."""


def start_update(update_id: int, user_id: int, language_code: str = "en") -> dict:
    return {
        "update_id": update_id,
        "message": {"message_id": 1, "date": 1700000000, "text": "/start",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                    "chat": {"id": user_id, "type": "private"},
                    "from": {"id": user_id, "is_bot": False, "first_name": "Guest", "language_code": language_code}},
    }


def text_update(update_id: int, user_id: int, text: str, language_code: str = "en") -> dict:
    update = start_update(update_id, user_id, language_code)
    message = update["message"]
    message["text"] = text
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    else:
        del message["entities"]
    return update
