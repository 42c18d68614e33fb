"""Channels and groups as messages: /addchannel's answers, /channels and its screens, the
category buttons, and the notices of the bot's membership.

Pure: the handlers (handlers/channels.py) ask the channel service and send what these
return. Replies are HTML (titles and names escaped); notices are plain text. Callback data:
"ch:l:<offset>" a page of the list, "ch:e:<chat>" its categories, "ch:t:<chat>:<category>"
a category on or off, "ch:d:<chat>" done, "ch:r:<chat>" asks to remove, "ch:x:<chat>"
removes; a binding's settings: "ch:s:<chat>" its categories to choose from, "ch:b:<chat>:
<category>" one binding, "ch:n:<chat>:<category>:<chars>" its summary length (0: the bot's),
"ch:g:<chat>:<category>:<language>" a language besides Arabic on or off.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels import (
    LANGUAGES,
    SUMMARY_LENGTHS,
    AddResult,
    BindingSettings,
    BoundCategory,
    ChannelCard,
    ChatFacts,
    ChatProblem,
    Membership,
    MembershipNews,
)
from bot.news.presenter import page_buttons
from bot.text.html import escape, visible
from bot.text.messages import directed, fitted, language_of, number, plural, text
from storage.models import Category, ChatKind

PREFIX = "ch:"
PAGE = 8  # chats a page of /channels
BINDINGS_SHOWN = (None, 6, 3, 1)  # of a chat's bindings on /channels, tried in turn
BUTTON_NAME_CHARS = 28
ERROR_CHARS = 200


def name_of(chat: ChannelCard | ChatFacts) -> str:
    """The chat as people know it: its title, else its @username, else its id (plain)."""
    title = visible(chat.title or "").strip()
    if title:
        return title
    return f"@{chat.username}" if chat.username else str(chat.id)


def _short(name: str) -> str:
    return name if len(name) <= BUTTON_NAME_CHARS else name[: BUTTON_NAME_CHARS - 1] + "…"


def bindings_text(
    bindings: Sequence[BoundCategory],
    language_code: str | None,
    *,
    html: bool = True,
    most: int | None = None,
) -> str:
    """سياسة، رياضة (الموضوع ٤٥): the categories, each with its topic (the first `most`,
    and how many more)."""
    if not bindings:
        return text("none", language_code)
    language = language_of(language_code)
    shown = []
    for binding in bindings[:most]:
        name = escape(binding.name) if html else binding.name
        if binding.thread_id is not None:
            thread = number(binding.thread_id, language)
            name = text("channel_topic", language_code, name=name, thread=thread)
        if settings := _settings(binding, language_code):
            name = text("channel_binding_settings", language_code, name=name, settings=settings)
        shown.append(name)
    listed = ("، " if language == "ar" else ", ").join(shown)
    if most is not None and len(bindings) > most:
        listed += " " + text("more", language_code, n=number(len(bindings) - most, language))
    return listed


def _settings(binding: BoundCategory, language_code: str | None) -> str:
    """A binding's settings that are not the bot's own: «الملخص ٢٠٠ حرف؛ العربية والفارسية»."""
    parts = []
    if binding.summary_chars is not None:
        chars = plural("chars", binding.summary_chars, language_code)
        parts.append(text("channel_setting_length", language_code, chars=chars))
    if binding.languages:
        names = _languages(binding.languages, language_code)
        parts.append(text("channel_setting_languages", language_code, names=names))
    return ("؛ " if language_of(language_code) == "ar" else "; ").join(parts)


def _languages(codes: Sequence[str], language_code: str | None) -> str:
    """الفارسية والأردية / Persian, Urdu."""
    joint = " و" if language_of(language_code) == "ar" else ", "
    return joint.join(text(f"language_{code}", language_code) for code in codes)


def usage(language_code: str | None) -> str:
    return directed(text("addchannel_usage", language_code), language_code)


def usage_here(language_code: str | None) -> str:
    return directed(text("addchannel_here_usage", language_code), language_code)


def problem(
    found: ChatProblem, detail: str | None, reference: str, bot: str, language_code: str | None
) -> str:
    """Why the chat cannot be bound, and what to do, step by step."""
    chat = escape(visible(reference))
    if found is ChatProblem.BAD_REFERENCE:
        usage = text("addchannel_usage", language_code)
        return directed(
            text("channel_bad_reference", language_code, reference=chat, usage=usage),
            language_code,
        )
    values = {"chat": chat, "bot": escape(bot), "detail": escape(visible(detail or ""))}
    return directed(text(f"channel_{found.value}", language_code, **values), language_code)


def unknown(names: Sequence[str], categories: Sequence[Category], language_code: str | None) -> str:
    comma = "، " if language_of(language_code) == "ar" else ", "
    wrong = comma.join(f"«{escape(visible(n))}»" for n in names)
    known = comma.join(escape(c.name) for c in categories) or text("none", language_code)
    return directed(
        text("channel_unknown_categories", language_code, names=wrong, known=known),
        language_code,
    )


def added(
    result: AddResult, categories: Sequence[Category], language_code: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The chat as /addchannel bound it (or its category buttons, when none was named)."""
    card = result.card
    assert card is not None
    chat = escape(name_of(card))
    if result.choose:
        return (
            directed(text("channel_choose", language_code, chat=chat), language_code),
            picker(card.id, categories, card.bindings, language_code),
        )
    parts = [text("channel_added", language_code, chat=chat,
                  bindings=bindings_text(card.bindings, language_code))]  # fmt: skip
    if result.created_topics:
        comma = "، " if language_of(language_code) == "ar" else ", "
        topics = comma.join(escape(name) for name in result.created_topics)
        parts.append(text("channel_topics_created", language_code, topics=topics))
    if result.general_topic:
        parts.append(text("channel_general_topic", language_code))
    return directed("\n".join(parts), language_code), None


def picker(
    chat_id: int,
    categories: Sequence[Category],
    bindings: Sequence[BoundCategory],
    language_code: str | None,
    *,
    back: bool = False,
) -> InlineKeyboardMarkup:
    """A button per category (✅ = bound), two a row, then «تم» (and «القائمة»)."""
    bound = {b.name for b in bindings}
    keys = [
        InlineKeyboardButton(
            f"✅ {c.name}" if c.name in bound else c.name,
            callback_data=f"{PREFIX}t:{chat_id}:{c.id}",
        )
        for c in categories
    ]
    rows = [keys[i : i + 2] for i in range(0, len(keys), 2)]
    last = [InlineKeyboardButton(text("done_button", language_code),
                                 callback_data=f"{PREFIX}d:{chat_id}")]  # fmt: skip
    if back:
        last.append(
            InlineKeyboardButton(
                text("channel_back_button", language_code), callback_data=f"{PREFIX}l:0"
            )
        )
        if bindings:
            settings = InlineKeyboardButton(
                text("channel_settings_button", language_code), callback_data=f"{PREFIX}s:{chat_id}"
            )
            rows.append([settings])
    return InlineKeyboardMarkup([*rows, last])


def settings_menu(card: ChannelCard, language_code: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """The chat's bindings to choose one from, with their settings shown."""
    message = text("channel_settings_choose", language_code, chat=escape(name_of(card)))
    message += "\n" + bindings_text(card.bindings, language_code)
    keys = [
        InlineKeyboardButton(
            text("channel_binding_button", language_code, name=_short(b.name)),
            callback_data=f"{PREFIX}b:{card.id}:{b.category_id}",
        )
        for b in card.bindings
        if b.category_id is not None
    ]
    rows = [keys[i : i + 2] for i in range(0, len(keys), 2)]
    back = InlineKeyboardButton(
        text("channel_settings_back", language_code), callback_data=f"{PREFIX}e:{card.id}"
    )
    return directed(message, language_code), InlineKeyboardMarkup([*rows, [back]])


def length_text(chars: int | None, default: int, language_code: str | None) -> str:
    """«متوسط (الافتراضي)، ٤٠٠ حرف», «قصير، ٢٠٠ حرف», or a length no button gives."""
    amount = plural("chars", default if chars is None else chars, language_code)
    named = [name for name, preset in SUMMARY_LENGTHS.items() if preset == chars]
    if not named:
        return amount
    name = text(f"channel_length_{named[0]}", language_code)
    if chars is None:
        name = text("channel_length_default", language_code, name=name)
    return text("channel_length_named", language_code, name=name, chars=amount)


def _length_buttons(
    found: BindingSettings, language_code: str | None
) -> list[InlineKeyboardButton]:
    """«قصير · ٢٠٠» «✅ متوسط · ٤٠٠» «طويل · ٧٠٠» «مفصّل · ١٠٠٠» (0 in the data: the bot's)."""
    language = language_of(language_code)
    buttons = []
    for key, preset in SUMMARY_LENGTHS.items():
        chars = found.default_chars if preset is None else preset
        name = text(f"channel_length_{key}", language_code)
        label = text("channel_length_button", language_code, name=name, n=number(chars, language))
        mark = "✅ " if preset == found.summary_chars else ""
        data = f"{PREFIX}n:{found.card.id}:{found.category_id}:{preset or 0}"
        buttons.append(InlineKeyboardButton(mark + label, callback_data=data))
    return buttons


def binding_screen(
    found: BindingSettings, language_code: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """One binding: its summary length and languages, each a button (✅ = chosen)."""
    chat, category = found.card.id, found.category_id
    languages = (
        text("channel_setting_languages", language_code,
             names=_languages(found.languages, language_code))
        if found.languages
        else text("channel_arabic_only", language_code)
    )  # fmt: skip
    message = text(
        "channel_binding_screen", language_code, chat=escape(name_of(found.card)),
        name=escape(found.name), languages=languages,
        length=length_text(found.summary_chars, found.default_chars, language_code),
    )  # fmt: skip
    lengths = _length_buttons(found, language_code)
    toggles = [
        InlineKeyboardButton(
            ("✅ " if code in found.languages else "") + text(f"language_{code}", language_code),
            callback_data=f"{PREFIX}g:{chat}:{category}:{code}",
        )
        for code in LANGUAGES
    ]
    last = [
        InlineKeyboardButton(
            text("channel_binding_back", language_code), callback_data=f"{PREFIX}s:{chat}"
        ),
        InlineKeyboardButton(text("done_button", language_code), callback_data=f"{PREFIX}d:{chat}"),
    ]
    rows = [lengths[:2], lengths[2:], toggles[:2], toggles[2:], last]
    return directed(message, language_code), InlineKeyboardMarkup(rows)


def binding_toast(
    found: BindingSettings, action: str, language: str | None, language_code: str | None
) -> str | None:
    """What a binding's button did: the length now, or the language on or off."""
    if action == "n":
        length = length_text(found.summary_chars, found.default_chars, language_code)
        return text("channel_length_set", language_code, length=length)
    if action == "g" and language is not None:
        key = "channel_language_on" if language in found.languages else "channel_language_off"
        return text(key, language_code, name=text(f"language_{language}", language_code))
    return None


def choose(card: ChannelCard, language_code: str | None) -> str:
    return directed(
        text("channel_choose", language_code, chat=escape(name_of(card))), language_code
    )


def done(card: ChannelCard, language_code: str | None) -> str:
    chat = escape(name_of(card))
    bindings = bindings_text(card.bindings, language_code)
    return directed(
        text("channel_done", language_code, chat=chat, bindings=bindings), language_code
    )


def _entry(
    number_shown: int, card: ChannelCard, language_code: str | None, most: int | None = None
) -> str:
    language = language_of(language_code)
    kind = text(
        "channel_kind_channel" if card.kind is ChatKind.CHANNEL else "channel_kind_group",
        language_code,
    )
    state = (
        text("channel_active", language_code)
        if card.active
        else text(
            "channel_inactive", language_code, reason=escape(visible(card.reason or ""))
        )  # fmt: skip
    )
    entry = text(
        "channel_entry",
        language_code,
        n=number(number_shown, language),
        chat=escape(name_of(card)),
        kind=kind,
        state=state,
        bindings=bindings_text(card.bindings, language_code, most=most),
        sent=plural("posts", card.sent, language_code),
    )
    if card.last_error:
        error = visible(card.last_error.split("\n", 1)[0])[:ERROR_CHARS]
        entry += "\n" + text("channel_entry_error", language_code, error=escape(error))
    return entry


def overview(
    cards: Sequence[ChannelCard], offset: int, language_code: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """/channels: a page of the chats, and a pair of buttons for each (edit, remove)."""
    if not cards:
        return text("channels_none", language_code), None
    language = language_of(language_code)
    offset = min(max(offset, 0), (len(cards) - 1) // PAGE * PAGE)
    page = cards[offset : offset + PAGE]
    heading = text("channels_heading", language_code, count=number(len(cards), language))

    def listing(most: int | None) -> str:
        entries = [_entry(n, card, language_code, most) for n, card in enumerate(page, offset + 1)]
        return directed("\n\n".join([heading, *entries]), language_code)

    rows = [
        [
            InlineKeyboardButton(
                text("channel_edit_button", language_code, chat=_short(name_of(card))),
                callback_data=f"{PREFIX}e:{card.id}",
            ),
            InlineKeyboardButton(
                text("channel_remove_button", language_code, chat=_short(name_of(card))),
                callback_data=f"{PREFIX}r:{card.id}",
            ),
        ]
        for card in page
    ]
    more = offset + PAGE if offset + PAGE < len(cards) else None
    paging = [
        InlineKeyboardButton(label, callback_data=f"{PREFIX}l:{at}")
        for label, at in page_buttons(offset, more, PAGE, language)
    ]
    if paging:
        rows.append(paging)
    # Many topics per group: their bindings are shortened until the page fits one message.
    return fitted(listing, BINDINGS_SHOWN), InlineKeyboardMarkup(rows)


def remove_ask(card: ChannelCard, language_code: str | None) -> tuple[str, InlineKeyboardMarkup]:
    message = text(
        "channel_remove_ask",
        language_code,
        chat=escape(name_of(card)),
        bindings=bindings_text(card.bindings, language_code),
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text("channel_remove_yes", language_code), callback_data=f"{PREFIX}x:{card.id}"
                ),
                InlineKeyboardButton(
                    text("channel_remove_no", language_code), callback_data=f"{PREFIX}l:0"
                ),
            ]
        ]
    )
    return directed(message, language_code), markup


def removed(card: ChannelCard, language_code: str | None) -> str:
    return directed(
        text("channel_removed", language_code, chat=escape(name_of(card))), language_code
    )


def membership_notice(
    news: MembershipNews, categories: Sequence[Category]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The operators' notice (plain text) of the bot's new membership in a chat; on an add,
    the category buttons to bind it right away."""
    facts = news.facts
    values: dict[str, object] = {"chat": name_of(facts), "chat_id": facts.id}
    names = bindings_text(news.bindings, None, html=False)
    if news.change is Membership.REMOVED:
        kept = text("channel_left_bound", names=names) if news.bindings else ""
        return text("channel_left", None, categories=kept, **values).rstrip(), None
    if news.change is Membership.CANNOT_POST:
        why = {
            ChatProblem.NO_POST_RIGHT: "channel_why_no_post",
            ChatProblem.MUTED: "channel_why_muted",
        }.get(news.problem or ChatProblem.NOT_ADMIN, "channel_why_demoted")
        return text("channel_cannot_post", None, why=text(why), **values), None
    if news.promoted:
        return text("channel_promoted", None, **values), None
    if news.bindings:
        return text("channel_back", None, categories=names, **values), None
    kind = text("channel_kind_channel" if facts.kind is ChatKind.CHANNEL else "channel_kind_group")
    message = text("channel_joined", None, kind=kind, **values)
    if facts.is_forum:
        message += "\n" + text("channel_joined_forum")
    return message, picker(facts.id, categories, [], None)
