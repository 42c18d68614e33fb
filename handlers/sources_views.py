"""The operators' sources as messages: /addfeed's answers, /feeds and a feed's card.

Pure: the handlers (handlers/sources.py) ask the source service and send what these return.
What feeds and sites wrote (titles, error messages) is cleaned of control and bidi
characters and escaped; an Arabic line that would start left to right gets an RLM.
Callback data is "fd:<action>:<feed id>[:<value>]" (always under 64 bytes).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from babel import Locale
from babel.dates import format_timedelta
from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Settings
from bot.news.presenter import page_buttons
from bot.preview import Destination, PreviewItem
from bot.sources import (
    INTERVALS,
    AddResult,
    Checked,
    FeedLine,
    FeedsPage,
    Health,
    ImportReport,
    PollReport,
    PreviewResult,
)
from bot.text.dates import Digits, format_moment, to_digits
from bot.text.html import escape, visible
from bot.text.messages import directed, fitted, language_of, plural, text
from bot.text.messages import number as numeral

PREFIX = "fd:"
ERROR_CHARS = 300  # of a feed's last error shown
TITLE_CHARS = 60  # of a feed's title on a button


def data(action: str, feed_id: int, value: int | None = None) -> str:
    return f"{PREFIX}{action}:{feed_id}" if value is None else f"{PREFIX}{action}:{feed_id}:{value}"


def safe(raw: str | None, limit: int = ERROR_CHARS) -> str:
    value = visible(raw or "")
    return escape(value if len(value) <= limit else value[: limit - 1] + "…")


class Formats:
    """Dates, decimals and durations in the reader's language and the deployment's calendar."""

    def __init__(self, settings: Settings, language_code: str | None) -> None:
        self.language_code = language_code
        self.arabic = language_of(language_code) == "ar"
        self.locale = settings.locale if self.arabic else "en"
        self.digits: Digits = settings.digits if self.arabic else "latn"
        self.zone = settings.zone
        self.default_interval = settings.poll_interval_seconds

    @staticmethod
    def digits_of(language_code: str | None) -> Digits:
        return "arab" if language_of(language_code) == "ar" else "latn"

    def moment(self, value: datetime | None) -> str:
        if value is None:
            return text("feed_never", self.language_code)
        return format_moment(value, locale=self.locale, digits=self.digits, tz=self.zone)

    def decimal(self, value: float) -> str:
        system = "latn" if self.digits == "latn" else "default"
        shown = format_decimal(value, format="#,##0.#", locale=self.locale, numbering_system=system)
        return to_digits(shown, self.digits)

    def duration(self, seconds: int) -> str:
        shown = format_timedelta(timedelta(seconds=seconds), threshold=1, locale=self.locale)
        return to_digits(shown, self.digits)

    def interval(self, seconds: int | None) -> str:
        if seconds is None:
            every = self.duration(self.default_interval)
            return text("feed_every_default", self.language_code, every=every)
        return text("feed_every", self.language_code, every=self.duration(seconds))


def state(line: FeedLine, formats: Formats) -> str:
    """ "✅ يعمل", "⚠️ يفشل منذ …", "⏸ موقوف مؤقتاً", "⛔ معطّل بعد …"; and "⚡ بالدفع"
    when its hub pushes it (WebSub)."""
    lang = formats.language_code
    if line.pushed:
        return _health_state(line, formats) + text("feed_state_pushed", lang)
    return _health_state(line, formats)


def _health_state(line: FeedLine, formats: Formats) -> str:
    lang = formats.language_code
    if line.health is Health.FAILING:
        count = to_digits(plural("failures", line.failures, lang), formats.digits)
        return text(
            "feed_state_failing", lang, since=formats.moment(line.failing_since), count=count
        )
    if line.health is Health.DISABLED:
        count = to_digits(plural("failures", line.failures, lang), formats.digits)
        return text("feed_state_disabled", lang, count=count)
    return text(f"feed_state_{line.health.value}", lang)


def _error(line: FeedLine, lang: str | None) -> str:
    if line.health in (Health.FAILING, Health.DISABLED) and line.last_error:
        return "\n" + text("feed_last_error", lang, error=safe(line.last_error))
    return ""


def _title(line: FeedLine) -> str:
    return safe(line.title, 200)


def feeds(
    page: FeedsPage, settings: Settings, language_code: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """/feeds and its pages: each feed's state and activity, a button to open it, paging."""
    formats = Formats(settings, language_code)
    language = language_of(language_code)
    rows = [
        [
            InlineKeyboardButton(
                f"{to_digits(str(n), formats.digits)}. {visible(line.title)[:TITLE_CHARS]}",
                callback_data=data("o", line.id),
            )
        ]
        for n, line in enumerate(page.lines, page.offset + 1)
    ]
    paging = [
        InlineKeyboardButton(label, callback_data=f"{PREFIX}p:{offset}")
        for label, offset in page_buttons(page.offset, page.next_offset, page.limit, language)
    ]
    if paging:
        rows.append(paging)
    markup = InlineKeyboardMarkup(rows) if rows else None
    if not page.lines:
        return text("feeds_end" if page.offset else "feeds_none", language_code), markup
    parts = [text("feeds_heading", language_code, count=plural("feeds", page.total, language))]
    for number, line in enumerate(page.lines, page.offset + 1):
        entry = text(
            "feeds_line",
            language_code,
            n=to_digits(str(number), formats.digits),
            title=_title(line),
            state=state(line, formats),
            last=formats.moment(line.last_article_at),
            per_day=formats.decimal(line.per_day),
        )
        parts.append(entry + _error(line, language_code))
    return directed("\n\n".join(parts), language_code), markup


def card(
    line: FeedLine, settings: Settings, language_code: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """One feed: everything about it, and what can be done to it."""
    formats = Formats(settings, language_code)
    lang = language_code
    names = (
        "، ".join(escape(name) for _, name in line.categories)
        if formats.arabic
        else ", ".join(escape(name) for _, name in line.categories)
    )
    message = text(
        "feed_card",
        lang,
        title=_title(line),
        url=escape(line.url),
        state=state(line, formats),
        categories=names or text("none", lang),
        interval=formats.interval(line.interval),
        last=formats.moment(line.last_article_at),
        per_day=formats.decimal(line.per_day),
    ) + _error(line, lang)
    if line.health is Health.DISABLED:
        toggle = _button("feed_retry_button", lang, "retry", line.id)
    elif line.health is Health.PAUSED:
        toggle = _button("feed_resume_button", lang, "resume", line.id)
    else:
        toggle = _button("feed_pause_button", lang, "pause", line.id)
    rows = [
        [toggle, _button("feed_poll_button", lang, "poll", line.id)],
        [
            _button("feed_categories_button", lang, "cats", line.id),
            _button("feed_interval_button", lang, "int", line.id),
        ],
        [
            _button("feed_remove_button", lang, "rm", line.id),
            InlineKeyboardButton(text("feed_back_button", lang), callback_data=f"{PREFIX}p:0"),
        ],
    ]
    return directed(message, lang), InlineKeyboardMarkup(rows)


def _button(key: str, lang: str | None, action: str, feed_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text(key, lang), callback_data=data(action, feed_id))


def _back(line: FeedLine, lang: str | None) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text("feed_card_button", lang), callback_data=data("o", line.id))]


def categories(
    line: FeedLine, every: list[tuple[int, str]], language_code: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The category toggles of a feed: ✅ on the chosen ones."""
    chosen = {category_id for category_id, _ in line.categories}
    rows = [
        [
            InlineKeyboardButton(
                f"{'✅ ' if category_id in chosen else ''}{name}",
                callback_data=data("cat", line.id, category_id),
            )
        ]
        for category_id, name in every
    ]
    rows.append(_back(line, language_code))
    message = text("feed_categories_pick", language_code, title=_title(line))
    return directed(message, language_code), InlineKeyboardMarkup(rows)


def intervals(
    line: FeedLine, settings: Settings, language_code: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The preset intervals of a feed (0 in the data: the default)."""
    formats = Formats(settings, language_code)
    buttons = []
    for seconds in INTERVALS:
        label = (
            text("feed_default_button", language_code)
            if seconds is None
            else formats.duration(seconds)
        )
        if seconds == line.interval:
            label = f"✅ {label}"
        buttons.append(InlineKeyboardButton(label, callback_data=data("iv", line.id, seconds or 0)))
    rows = [buttons[:3], buttons[3:], _back(line, language_code)]
    message = text(
        "feed_interval_pick",
        language_code,
        title=_title(line),
        interval=formats.interval(line.interval),
    )
    return directed(message, language_code), InlineKeyboardMarkup(rows)


def remove_confirmation(
    line: FeedLine, language_code: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            _button("feed_remove_yes", language_code, "rmy", line.id),
            _button("feed_remove_no", language_code, "o", line.id),
        ]
    ]
    message = text("feed_remove_confirm", language_code, title=_title(line), url=escape(line.url))
    return directed(message, language_code), InlineKeyboardMarkup(rows)


def removed(line: FeedLine, language_code: str | None) -> str:
    return directed(text("feed_removed", language_code, title=_title(line)), language_code)


def polled(
    report: PollReport, settings: Settings, language_code: str | None, *, enabled: bool = False
) -> str:
    """What «حدّث الآن» (or «إعادة المحاولة», which `enabled` the feed again) found."""
    lang = language_code
    formats = Formats(settings, lang)
    title = _title(report.feed)
    outcome = report.outcome
    if outcome is None:
        message = text("feed_not_polled", lang, title=title, state=state(report.feed, formats))
    elif outcome.error:
        message = text("feed_polled_failed", lang, title=title, error=safe(outcome.error))
    elif outcome.new:
        message = text(
            "feed_polled_new",
            lang,
            title=title,
            new=plural("articles", outcome.new, lang),
            planned=plural("articles", outcome.planned, lang),
        )
    else:
        message = text("feed_polled_nothing", lang, title=title)
    if enabled:
        message = text("feed_enabled", lang, url=escape(report.feed.url)) + "\n" + message
    return directed(message, lang)


def added(result: AddResult, language_code: str | None) -> str:
    """The answer to an /addfeed that stored the feed (its newest entry follows apart)."""
    lang = language_code
    line = result.feed
    assert line is not None
    names = [escape(name) for _, name in line.categories]
    message = text(
        "addfeed_added",
        lang,
        title=_title(line),
        count=plural("articles", result.entries, lang),
        url=escape(line.url),
        categories=("، " if language_of(lang) == "ar" else ", ").join(names) or text("none", lang),
    )
    if result.found_on:
        message += "\n" + text("addfeed_found_on", lang, page=escape(result.found_on))
    message += "\n\n" + text("addfeed_newest" if result.post else "addfeed_empty", lang)
    return directed(message, lang)


def problem(
    result: AddResult | PreviewResult,
    known: list[str],
    language_code: str | None,
    lead: str = "addfeed_lead",
) -> str:
    """Why /addfeed stored nothing (or, with lead "preview_lead", why /preview shows
    nothing)."""
    assert result.problem is not None
    message = text(
        f"addfeed_{result.problem.value}",
        language_code,
        lead=text(lead, language_code),
        url=escape(result.url),
        detail=safe(result.detail),
        known="، ".join(escape(name) for name in known) or text("none", language_code),
    )
    return directed(message, language_code)


def _count(checked: Checked, language_code: str | None) -> str:
    return plural("articles", len(checked.parsed.entries), language_code)


def choices(
    result: AddResult, token: str, language_code: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """Several feeds found on a page: one button each ("dsc:<token>:<n>")."""
    rows = [
        [
            InlineKeyboardButton(
                f"{visible(checked.title)[:TITLE_CHARS]} ({_count(checked, language_code)})",
                callback_data=f"dsc:{token}:{n}",
            )
        ]
        for n, checked in enumerate(result.candidates)
    ]
    lines = [text("addfeed_choose", language_code, url=escape(result.url))]
    lines += [f"{n}. {_url(checked.url)}" for n, checked in enumerate(result.candidates, 1)]
    return directed("\n".join(lines), language_code), InlineKeyboardMarkup(rows)


# Feeds named in an import's report, at most, tried in turn until the report fits one
# message (the counts are all there).
REPORT_LINES = (30, 15, 8, 3, 0)
URL_CHARS = 120  # of a URL named in a list


def _url(url: str) -> str:
    return escape(url if len(url) <= URL_CHARS else url[:URL_CHARS] + "…")


def _reason(result: AddResult, lang: str | None) -> str:
    assert result.problem is not None
    reason = text(f"feed_problem_{result.problem.value}", lang)
    return f"{reason} ({safe(result.detail, 150)})" if result.detail else reason


def import_report(report: ImportReport, language_code: str | None) -> str:
    """What an OPML import did: the counts, then the feeds added, already there, and not
    added with why (as many as fit one message, REPORT_LINES at most)."""
    return fitted(lambda most: _import_report(report, language_code, most), REPORT_LINES)


def _import_report(report: ImportReport, language_code: str | None, most: int) -> str:
    lang = language_code
    lines = [
        text(
            "opml_report",
            lang,
            total=plural("feeds", report.total, lang),
            added=plural("feeds", len(report.added), lang),
            already=plural("feeds", len(report.already), lang),
            failed=plural("feeds", len(report.failed), lang),
        )
    ]
    named = 0
    groups = (
        ("opml_failed_heading", report.failed, True),
        ("opml_added_heading", report.added, False),
        ("opml_already_heading", report.already, False),
    )
    for heading, results, why in groups:
        if not results:
            continue
        lines += ["", text(heading, lang)]
        for result in results:
            if named == most:
                break
            named += 1
            url = _url(result.url)
            title = f"{_title(result.feed)} — " if result.feed else ""
            lines.append(f"• {title}{url}" + (f" — {_reason(result, lang)}" if why else ""))
    if report.done > named:
        lines += [
            "",
            text(
                "more",
                lang,
                n=to_digits(str(report.done - named), Formats.digits_of(lang)),
            ),
        ]
    return directed("\n".join(lines), lang)


def import_progress(done: int, total: int, language_code: str | None) -> str:
    digits = Formats.digits_of(language_code)
    message = text(
        "opml_progress",
        language_code,
        done=to_digits(str(done), digits),
        total=to_digits(str(total), digits),
    )
    return directed(message, language_code)


PREVIEW_HEADLINE_CHARS = 90  # of an entry's headline in /preview's list


def _destination(chat: Destination) -> str:
    if chat.username:
        return f"@{escape(chat.username)}"
    return f"«{safe(chat.title, TITLE_CHARS)}»" if chat.title else str(chat.id)


def _targets(item: PreviewItem, lang: str | None, most: int | None = None) -> str:
    names = [_destination(chat) for chat in item.channels[:most]]
    if most is not None and len(item.channels) > most:
        names.append(text("more", lang, n=numeral(len(item.channels) - most, language_of(lang))))
    if item.readers:
        names.append(plural("readers", item.readers, lang))
    if not names:
        return text("preview_nobody", lang)
    return ("، " if language_of(lang) == "ar" else ", ").join(names)


def _language(item: PreviewItem, lang: str | None) -> str:
    """The entry's language by its name in the admin's language (Babel's CLDR names)."""
    code = item.entry.language
    name = Locale.parse(language_of(lang)).languages.get(code) if code else None
    return escape(name) if name else text("preview_language_other", lang)


# Tried in turn until /preview's answer fits one message: the feeds of a page listed, and
# the channels named for each post.
CANDIDATES_SHOWN = (12, 6, 3, 1)
CHANNELS_SHOWN: tuple[int | None, ...] = (None, 10, 4, 1)


def preview(result: PreviewResult, language_code: str | None) -> str:
    """/preview's answer before the posts: the feed, then each post's categories and
    destinations in the order the posts follow; or the feeds found on a page."""
    if result.shown is None:
        return fitted(lambda most: _page_feeds(result, language_code, most), CANDIDATES_SHOWN)
    return fitted(lambda most: _preview(result, language_code, most), CHANNELS_SHOWN)


def _page_feeds(result: PreviewResult, lang: str | None, most: int) -> str:
    """A page's feeds, each with the /preview command to copy (whole, so it still works)."""
    lines = [text("preview_choose", lang, url=_url(result.url))]
    lines += [
        f"• {safe(checked.title, TITLE_CHARS)} ({_count(checked, lang)})\n"
        f"<code>/preview {escape(checked.url)}</code>"
        for checked in result.candidates[:most]
    ]
    if len(result.candidates) > most:
        lines.append(
            text("more", lang, n=numeral(len(result.candidates) - most, language_of(lang)))
        )
    return directed("\n".join(lines), lang)


def _preview(result: PreviewResult, lang: str | None, most: int | None) -> str:
    shown = result.shown
    assert shown is not None
    count = plural("articles", shown.entries, lang)
    lines = [text("preview_heading", lang, title=safe(shown.title, TITLE_CHARS), count=count,
                  url=_url(shown.url))]  # fmt: skip
    lines.append(text("preview_stored" if shown.stored else "preview_not_stored", lang))
    if shown.warning:
        lines.append(text("preview_warning", lang, warning=safe(shown.warning)))
    if not shown.items:
        lines.append(text("preview_empty", lang))
        return directed("\n\n".join(lines), lang)
    items = [text("preview_following", lang, count=plural("articles", len(shown.items), lang))]
    separator = "، " if language_of(lang) == "ar" else ", "
    for n, item in enumerate(shown.items, 1):
        line = text(
            "preview_item", lang,
            n=numeral(n, language_of(lang)),
            headline=f"<b>{safe(item.entry.title, PREVIEW_HEADLINE_CHARS)}</b>",
            categories=separator.join(escape(name) for name in item.categories)
            or text("none", lang),
            targets=_targets(item, lang, most),
        )  # fmt: skip
        if not item.posted:
            line += "\n" + text("preview_not_posted", lang, language=_language(item, lang))
        items.append(line)
    lines.append("\n\n".join(items))
    return directed("\n\n".join(lines), lang)
