"""/categories_admin as messages and keyboards: the list, a category's card, the questions,
the answers to changes and the removal screens.

Pure: the handlers (handlers/categories.py) ask the category service and send what these
return. Every name, alias and keyword is shown cleaned of control and bidi characters and
escaped (an operator may well type «<» or «&»); an Arabic line that would start left to
right gets an RLM. Callback data is "ca:" and a verb (see handlers/categories.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.categories import (
    ALIAS_CHARS,
    KEYWORD_CHARS,
    MAX_ALIASES,
    MAX_KEYWORDS,
    NAME_CHARS,
    RECENT,
    CategoryCard,
    LabelKind,
    LabelProblem,
    LabelsResult,
    NameResult,
    RemoveResult,
    label_token,
)
from bot.news.formatter import TELEGRAM_TEXT_LIMIT
from bot.news.presenter import page_buttons
from bot.text.html import escape, telegram_length, visible
from bot.text.messages import directed, language_of, number, plural, text
from storage.catalog import CategoryUsage

LIST_PAGE = 10  # categories a page of the list (and of the move targets)
LABEL_PAGE = 10  # aliases or keywords a page of their removal screen
LABELS_SHOWN_CHARS = 900  # of each list of labels on the card; the rest is counted
ADDED_SHOWN_CHARS = 600  # of the labels just added, above the card
BUTTON_CHARS = 48  # of a name or label on a button
REFUSED_SHOWN = 10  # refused labels listed after an add; the rest is counted
REFUSED_CHARS = 40  # of a refused label, shown back

Screen = tuple[str, InlineKeyboardMarkup | None]


def _name(name: str) -> str:
    return escape(visible(name))


def _short(label: str, limit: int = BUTTON_CHARS) -> str:
    label = visible(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _pairs(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def _paging(
    offset: int, total: int, step: int, data: str, language_code: str | None
) -> list[InlineKeyboardButton]:
    more = offset + step if offset + step < total else None
    language = language_of(language_code)
    return [
        _button(label, f"{data}{at}") for label, at in page_buttons(offset, more, step, language)
    ]


def _page_start(offset: int, total: int, step: int) -> int:
    """A page that exists: a stale or forged offset past the end shows the last page."""
    if offset < total:
        return offset - offset % step
    return max(0, (total - 1) // step * step)


# ---------------------------------------------------------------------------- the list


def _followers(usage: CategoryUsage, language_code: str | None) -> str:
    return text(
        "ca_followers",
        language_code,
        readers=plural("ca_readers", usage.readers, language_code),
        channels=plural("ca_channels", usage.channels, language_code),
    )


def _articles(usage: CategoryUsage, language_code: str | None) -> str:
    if not usage.articles:
        return plural("ca_articles", 0, language_code)
    return text(
        "ca_articles",
        language_code,
        articles=plural("ca_articles", usage.articles, language_code),
        recent=plural("ca_articles", usage.articles_since, language_code),
        days=plural("ca_days", RECENT.days, language_code),
    )


def overview(cards: Sequence[CategoryCard], offset: int, language_code: str | None) -> Screen:
    """/categories_admin: the categories with their followers and articles, a button each."""
    language = language_of(language_code)
    add = [_button(text("ca_add_button", language_code), "ca:a")]
    if not cards:
        return text("ca_none", language_code), InlineKeyboardMarkup([add])
    offset = _page_start(offset, len(cards), LIST_PAGE)
    page = cards[offset : offset + LIST_PAGE]
    lines = [text("ca_heading", language_code, count=plural("ca_categories", len(cards), language))]
    for n, card in enumerate(page, offset + 1):
        lines.append(
            text(
                "ca_line",
                language_code,
                n=number(n, language),
                name=_name(card.name),
                followers=_followers(card.usage, language_code),
                articles=_articles(card.usage, language_code),
            )
        )
    rows = _pairs([_button(_short(card.name), f"ca:c:{card.id}") for card in page])
    if paging := _paging(offset, len(cards), LIST_PAGE, "ca:l:", language_code):
        rows.append(paging)
    rows.append(add)
    return directed("\n".join(lines), language_code), InlineKeyboardMarkup(rows)


# ---------------------------------------------------------------------------- the card


def _labels(
    labels: Sequence[str], language_code: str | None, budget: int = LABELS_SHOWN_CHARS
) -> str:
    if not labels:
        return text("none", language_code)
    shown: list[str] = []
    size = 0
    for label in labels:
        cleaned = visible(label)
        if shown and size + len(cleaned) > budget:
            break
        shown.append(cleaned)
        size += len(cleaned) + 2
    listed = escape("، ".join(shown))
    rest = len(labels) - len(shown)
    if rest:
        listed += " " + text("more", language_code, n=number(rest, language_of(language_code)))
    return listed


def card_text(card: CategoryCard, language_code: str | None) -> str:
    usage = card.usage
    language = language_of(language_code)
    stopped = (
        text("ca_stopped", language_code, stopped=plural("ca_stopped", usage.inactive, language))
        if usage.inactive
        else ""
    )
    return text(
        "ca_card",
        language_code,
        name=_name(card.name),
        followers=_followers(usage, language_code) + stopped,
        feeds=plural("ca_feeds", usage.feeds, language),
        articles=_articles(usage, language_code),
        alias_count=number(len(card.aliases), language),
        aliases=_labels(card.aliases, language_code),
        keyword_count=number(len(card.keywords), language),
        keywords=_labels(card.keywords, language_code),
    )


def card(card: CategoryCard, language_code: str | None, heading: str = "") -> Screen:
    """A category's card: what uses it, its aliases and keywords, and what can be done."""
    message = card_text(card, language_code)
    if heading:
        message = heading + "\n\n" + message
        if telegram_length(message) > TELEGRAM_TEXT_LIMIT:  # a long report: the buttons stay
            message = heading
    c = card.id

    def button(key: str, data: str) -> InlineKeyboardButton:
        return _button(text(key, language_code), data)

    rows = [
        [button("ca_rename_button", f"ca:n:{c}"), button("ca_remove_button", f"ca:d:{c}")],
        [button("ca_add_aliases", f"ca:aa:{c}"), button("ca_remove_aliases", f"ca:ra:{c}:0")],
        [button("ca_add_keywords", f"ca:ak:{c}"), button("ca_remove_keywords", f"ca:rk:{c}:0")],
        [button("ca_back_button", "ca:l:0")],
    ]
    return directed(message, language_code), InlineKeyboardMarkup(rows)


def gone(language_code: str | None) -> str:
    return text("category_gone", language_code)


# ---------------------------------------------------------------------------- questions


def ask_name(language_code: str | None, renaming: str | None = None) -> str:
    limit = number(NAME_CHARS, language_of(language_code))
    if renaming is None:
        return directed(text("ca_ask_name", language_code, limit=limit), language_code)
    return directed(
        text("ca_ask_rename", language_code, name=_name(renaming), limit=limit), language_code
    )


def ask_labels(kind: LabelKind, name: str, language_code: str | None) -> str:
    language = language_of(language_code)
    key = "ca_ask_aliases" if kind is LabelKind.ALIAS else "ca_ask_keywords"
    limit = ALIAS_CHARS if kind is LabelKind.ALIAS else KEYWORD_CHARS
    return directed(
        text(key, language_code, name=_name(name), limit=number(limit, language)), language_code
    )


# ---------------------------------------------------------------------------- answers


def name_problem(result: NameResult, language_code: str | None) -> str:
    """Why a name was refused, and the question again."""
    assert result.problem is not None
    language = language_of(language_code)
    why = text(
        f"ca_name_{result.problem.value}",
        language_code,
        name=_name(_short(result.name, REFUSED_CHARS)),
        other=_name(result.other or ""),
        limit=number(NAME_CHARS, language),
        length=number(len(result.name), language),
    )
    return directed(why + "\n" + text("ca_ask_again", language_code), language_code)


def named(result: NameResult, language_code: str | None) -> Screen:
    """The card of a category just added or renamed, under what happened."""
    assert result.card is not None
    if result.old_name is None:
        heading = text("ca_added", language_code, name=_name(result.name))
    else:
        heading = text(
            "ca_renamed", language_code, old=_name(result.old_name), name=_name(result.name)
        )
        if result.kept_alias:
            heading += "\n" + text("ca_renamed_alias", language_code, old=_name(result.old_name))
    return card(result.card, language_code, heading)


def _why(problem: LabelProblem, kind: LabelKind, other: str | None, lang: str | None) -> str:
    language = language_of(lang)
    limit = ALIAS_CHARS if kind is LabelKind.ALIAS else KEYWORD_CHARS
    most = MAX_ALIASES if kind is LabelKind.ALIAS else MAX_KEYWORDS
    return text(
        f"ca_why_{problem.value}",
        lang,
        limit=number(limit, language),
        most=number(most, language),
        other=_name(other or ""),
    )


def labels_added(result: LabelsResult, kind: LabelKind, language_code: str | None) -> Screen:
    """The card after aliases or keywords were added, under which were and which were not."""
    assert result.card is not None
    name = _name(result.card.name)
    lines = []
    if result.added:
        added = _labels(result.added, language_code, ADDED_SHOWN_CHARS)
        key = "ca_aliases_added" if kind is LabelKind.ALIAS else "ca_keywords_added"
        lines.append(text(key, language_code, name=name, labels=added))
    else:
        lines.append(text("ca_nothing_added", language_code))
    if result.refused:
        lines.append(text("ca_not_added", language_code))
        for refused in result.refused[:REFUSED_SHOWN]:
            label = _name(_short(refused.label, REFUSED_CHARS))
            why = _why(refused.problem, kind, refused.other, language_code)
            lines.append(text("ca_refused_line", language_code, label=label, why=why))
        if (rest := len(result.refused) - REFUSED_SHOWN) > 0:
            lines.append(text("more", language_code, n=number(rest, language_of(language_code))))
    return card(result.card, language_code, "\n".join(lines))


def labels_picker(
    card_: CategoryCard, kind: LabelKind, offset: int, language_code: str | None
) -> Screen:
    """The aliases or keywords as buttons: a press removes that one."""
    labels = card_.labels(kind)
    c = card_.id
    back = [_button(text("ca_back_card", language_code), f"ca:c:{c}")]
    prefix = "a" if kind is LabelKind.ALIAS else "k"
    if not labels:
        key = "ca_no_aliases" if kind is LabelKind.ALIAS else "ca_no_keywords"
        message = text(key, language_code, name=_name(card_.name))
        return directed(message, language_code), InlineKeyboardMarkup([back])
    offset = _page_start(offset, len(labels), LABEL_PAGE)
    buttons = [
        _button(f"❌ {_short(label)}", f"ca:x{prefix}:{c}:{index}:{label_token(label)}")
        for index, label in enumerate(labels[offset : offset + LABEL_PAGE], offset)
    ]
    rows = _pairs(buttons)
    if paging := _paging(offset, len(labels), LABEL_PAGE, f"ca:r{prefix}:{c}:", language_code):
        rows.append(paging)
    rows.append(back)
    key = "ca_pick_alias" if kind is LabelKind.ALIAS else "ca_pick_keyword"
    message = text(key, language_code, name=_name(card_.name))
    return directed(message, language_code), InlineKeyboardMarkup(rows)


def label_removed(label: str | None, language_code: str | None) -> str:
    """The toast of a label's removal button (at most 200 characters)."""
    if label is None:
        return text("ca_label_stale", language_code)
    return text("ca_label_removed", language_code, label=_short(label, 100))


# ---------------------------------------------------------------------------- removal


def _uses(usage: CategoryUsage, language_code: str | None) -> str:
    language = language_of(language_code)
    parts = []
    if usage.readers:
        parts.append(plural("ca_readers", usage.readers, language))
    if usage.channels:
        parts.append(plural("ca_channels", usage.channels, language))
    if usage.inactive:
        parts.append(plural("ca_stopped", usage.inactive, language))
    if usage.feeds:
        parts.append(plural("ca_feeds", usage.feeds, language))
    if usage.articles:
        parts.append(plural("ca_articles", usage.articles, language))
    return "، ".join(parts) if language == "ar" else ", ".join(parts)


def remove_screen(
    card_: CategoryCard, targets: Sequence[CategoryCard], offset: int, language_code: str | None
) -> Screen:
    """The removal button's screen: a confirmation when nothing uses the category, else the
    other categories to move what uses it to."""
    c = card_.id
    name = _name(card_.name)
    no = _button(text("ca_no", language_code), f"ca:c:{c}")
    usage = card_.usage
    if not usage.subscriptions and not usage.feeds:
        message = text("ca_remove_confirm", language_code, name=name)
        if usage.articles:
            articles = plural("ca_articles", usage.articles, language_code)
            message += "\n" + text("ca_remove_articles", language_code, articles=articles)
        yes = _button(text("ca_remove_yes", language_code), f"ca:dy:{c}")
        return directed(message, language_code), InlineKeyboardMarkup([[yes, no]])
    uses = _uses(usage, language_code)
    if not targets:
        message = text("ca_in_use", language_code, name=name, uses=uses)
        message += "\n" + text("ca_no_target", language_code)
        return directed(message, language_code), InlineKeyboardMarkup([[no]])
    offset = _page_start(offset, len(targets), LIST_PAGE)
    page = targets[offset : offset + LIST_PAGE]
    rows = _pairs([_button(_short(t.name), f"ca:m:{c}:{t.id}") for t in page])
    if paging := _paging(offset, len(targets), LIST_PAGE, f"ca:mo:{c}:", language_code):
        rows.append(paging)
    rows.append([no])
    message = text("ca_in_use", language_code, name=name, uses=uses)
    message += "\n" + text("ca_pick_target", language_code)
    return directed(message, language_code), InlineKeyboardMarkup(rows)


def move_confirm(card_: CategoryCard, target: CategoryCard, language_code: str | None) -> Screen:
    message = text(
        "ca_move_confirm",
        language_code,
        name=_name(card_.name),
        target=_name(target.name),
        uses=_uses(card_.usage, language_code),
    )
    yes = _button(text("ca_move_yes", language_code), f"ca:my:{card_.id}:{target.id}")
    no = _button(text("ca_no", language_code), f"ca:c:{card_.id}")
    return directed(message, language_code), InlineKeyboardMarkup([[yes], [no]])


def removed(result: RemoveResult, language_code: str | None) -> Screen:
    """After a removal or a merge: what happened, and the way back to the list."""
    back = InlineKeyboardMarkup([[_button(text("ca_back_button", language_code), "ca:l:0")]])
    if result.target is None:
        message = text("ca_removed", language_code, name=_name(result.name))
    else:
        message = text(
            "ca_merged", language_code, name=_name(result.name), target=_name(result.target)
        )
    return directed(message, language_code), back
