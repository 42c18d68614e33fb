"""The operators' console as messages: the admins' list, the replies to changes, the audit log.

Pure: the handlers (handlers/admin.py) ask the admin service and send what these return.
Everything people wrote (names, usernames) is cleaned of control and bidi characters and
escaped; an Arabic line that would start left to right gets an RLM.
"""

from __future__ import annotations

import json
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, User

from bot.admins import AdminChange, AuditPage, Person, Role
from bot.config import Settings
from bot.news.presenter import page_buttons
from bot.text.dates import format_moment, to_digits
from bot.text.html import escape, visible
from bot.text.messages import TEXTS, directed, language_of, plural, text

AUDIT_DATA_PREFIX = "aud:"  # the audit log's paging buttons: "aud:<offset>"
STATE_CHARS = 300  # of the JSON of a before or after shown in the log


def person_of(user: User) -> Person:
    """A Telegram user as the admin service knows people."""
    return Person(user.id, user.full_name, user.username)


def person(who: Person) -> str:
    """ "سارة (@sara, 777)": the name the bot knows and the id, to copy with a tap."""
    ident = f"<code>{who.user_id}</code>"
    name = visible(who.name or "")
    username = visible(who.username or "")
    extra = f"@{escape(username)}, " if username else ""
    return f"{escape(name)} ({extra}{ident})" if name else ident


def roster(people: list[tuple[Person, Role]], language_code: str | None) -> str:
    """/admin list: every owner and admin, one a line."""
    count = plural("people", len(people), language_code)
    lines = [text("admin_list", language_code, count=count)]
    for who, role in people:
        label = text("admin_owner" if role is Role.OWNER else "admin_admin", language_code)
        lines.append(f"• {person(who)} — {label}")
    return directed("\n".join(lines), language_code)


def change(result: AdminChange, added: bool, language_code: str | None) -> str:
    """The answer to /admin add or /admin remove."""
    who = person(result.person)
    if result.problem is not None:
        return directed(
            text(f"admin_{result.problem.value}", language_code, person=who), language_code
        )
    if not added:
        key = "admin_removed"
    else:
        key = "admin_added" if result.menu_shown else "admin_added_no_menu"
    return directed(text(key, language_code, person=who), language_code)


def _state(value: Any | None) -> str:
    if value is None:
        return "—"
    shown = visible(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if len(shown) > STATE_CHARS:
        shown = shown[: STATE_CHARS - 1] + "…"
    return f"<code>{escape(shown)}</code>"


def audit(
    page: AuditPage, settings: Settings, language_code: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """/audit and its pages: the entries, newest first, and «التالي» / «السابق»."""
    language = language_of(language_code)
    # Arabic readers get the deployment's calendar and digits; others, English.
    locale, digits = (settings.locale, settings.digits) if language == "ar" else ("en", "latn")
    buttons = [
        InlineKeyboardButton(label, callback_data=f"{AUDIT_DATA_PREFIX}{offset}")
        for label, offset in page_buttons(page.offset, page.next_offset, page.limit, language)
    ]
    markup = InlineKeyboardMarkup([buttons]) if buttons else None
    if not page.lines:
        return text("audit_end" if page.offset else "audit_none", language_code), markup
    parts = [text("audit_heading", language_code, count=plural("actions", page.total, language))]
    for number, line in enumerate(page.lines, page.offset + 1):
        key = f"audit_{line.action}"
        action = text(key, language_code) if key in TEXTS else line.action
        parts.append(
            text(
                "audit_entry",
                language_code,
                n=to_digits(str(number), digits),
                action=escape(action),
                when=format_moment(line.at, locale=locale, digits=digits, tz=settings.zone),
                actor=person(line.actor),
                before=_state(line.before),
                after=_state(line.after),
            )
        )
    return directed("\n\n".join(parts), language_code), markup
