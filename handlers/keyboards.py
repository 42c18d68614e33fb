"""Inline keyboards and the texts that go with them; callback data stays ≤ 64 bytes."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.news.formatter import Post
from bot.readers import DIGEST_HOURS, QUIET_PRESETS, ReaderView
from bot.text.messages import clock, language_of, text
from storage.models import DeliveryMode


def picker(view: ReaderView, language_code: str | None) -> InlineKeyboardMarkup:
    """One button per category, ✅ on those followed, two to a row."""
    buttons = [
        InlineKeyboardButton(
            f"✅ {category.name}" if category.id in view.followed else category.name,
            callback_data=f"cat:{category.id}",
        )
        for category in view.categories
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(text("settings_button", language_code), callback_data="subs"),
            InlineKeyboardButton(text("done_button", language_code), callback_data="done"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def _quiet(start: int | None, end: int | None, language_code: str | None) -> str:
    language = language_of(language_code)
    if start is None or end is None:
        return text("quiet_off", language_code)
    return text(
        "quiet_range", language_code, start=clock(start, language), end=clock(end, language)
    )


def mode_text(view: ReaderView, language_code: str | None) -> str:
    mode = view.chat.delivery_mode
    if mode is DeliveryMode.DAILY:
        hour = clock(view.chat.digest_hour * 60, language_of(language_code))
        return text("mode_daily", language_code, hour=hour)
    return text(f"mode_{mode.value}", language_code)


def summary(view: ReaderView, language_code: str | None) -> str:
    """The /mysubs message."""
    none = text("none", language_code)
    followed = [c.name for c in view.categories if c.id in view.followed]
    return text(
        "mysubs",
        language_code,
        categories=escape("، ".join(followed) or none),
        alerts=escape("، ".join(view.alerts) or none),
        mutes=escape("، ".join(view.mutes) or none),
        mode=mode_text(view, language_code),
        quiet=_quiet(view.chat.quiet_start, view.chat.quiet_end, language_code),
    )


def settings(view: ReaderView, language_code: str | None) -> InlineKeyboardMarkup:
    """Delivery mode, digest hour (daily), quiet-hour presets, and back to the categories."""
    chat = view.chat
    language = language_of(language_code)

    def mark(selected: bool, label: str) -> str:
        return f"✅ {label}" if selected else label

    rows = [
        [
            InlineKeyboardButton(
                mark(chat.delivery_mode is mode, text(f"button_{mode.value}", language_code)),
                callback_data=f"mode:{mode.value}",
            )
            for mode in DeliveryMode
        ]
    ]
    if chat.delivery_mode is DeliveryMode.DAILY:
        hours = [
            InlineKeyboardButton(
                mark(chat.digest_hour == hour, clock(hour * 60, language)),
                callback_data=f"hour:{hour}",
            )
            for hour in DIGEST_HOURS
        ]
        rows += [hours[:4], hours[4:]]
    presets = [
        InlineKeyboardButton(
            mark((chat.quiet_start, chat.quiet_end) == (start, end), _short(start, end, language)),
            callback_data=f"quiet:{start}-{end}",
        )
        for start, end in QUIET_PRESETS
    ]
    presets.insert(
        0,
        InlineKeyboardButton(
            mark(chat.quiet_start is None, text("quiet_off", language_code)),
            callback_data="quiet:off",
        ),
    )
    rows += [presets[:2], presets[2:]]
    rows.append(
        [InlineKeyboardButton(text("categories_button", language_code), callback_data="cats")]
    )
    return InlineKeyboardMarkup(rows)


def _short(start: int, end: int, language: str) -> str:
    return f"{clock(start, language)}–{clock(end, language)}"


def stop_confirmation(language_code: str | None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(text("stop_yes", language_code), callback_data="stop:yes"),
                InlineKeyboardButton(text("stop_no", language_code), callback_data="stop:no"),
            ]
        ]
    )


def markup(rows: list[list[dict[str, str]]]) -> InlineKeyboardMarkup | None:
    """Bot API JSON buttons (a post's «اقرأ المزيد» and «شارك», as Post.keyboard() gives
    them) as python-telegram-bot's; None when there are none."""
    buttons = [
        [
            InlineKeyboardButton(
                button["text"],
                url=button.get("url"),
                switch_inline_query=button.get("switch_inline_query"),
            )
            for button in row
        ]
        for row in rows
    ]
    return InlineKeyboardMarkup(buttons) if any(buttons) else None


def post_markup(post: Post) -> InlineKeyboardMarkup | None:
    """A post's «اقرأ المزيد» and «شارك» buttons."""
    return markup(post.keyboard())
