"""/stats as messages: the report's text, its chart's labels and the chart's caption.

Pure: handlers/operations.py asks the stats service and sends what these return. Numbers are
written in the admin's language (Arabic-Indic digits and separators from CLDR for Arabic),
days and times in the deployment's TIMEZONE. The text fits one Telegram message: each list
shows its top entries and counts the rest («… و٣ أخرى»), and when names are long the lists
shrink until the whole fits 4096 characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from babel.dates import format_date as babel_format_date
from babel.dates import get_timezone_location

from bot.broadcasts import Progress
from bot.charts import Chart, Series
from bot.config import Settings
from bot.stats import CHART_DAYS, WEEK, Report, Tally
from bot.text.dates import format_day, relative_date, to_digits
from bot.text.html import visible
from bot.text.messages import directed, fitted, plural, text
from handlers.sources_views import Formats, safe, state

# How many entries each list shows, tried in turn until the message fits.
TOPS = (10, 5, 3, 1)
NAME_CHARS = 60  # of a source's or category's name
ERROR_CHARS = 120  # of a failing feed's last error
CHART_SERIES = 8  # categories drawn by name; the rest are one grey «أخرى»


class _View:
    def __init__(self, settings: Settings, language_code: str | None) -> None:
        self.settings = settings
        self.lang = language_code
        self.formats = Formats(settings, language_code)

    def n(self, value: int) -> str:
        return self.formats.decimal(value)

    def days(self, count: int) -> str:
        return to_digits(plural("ca_days", count, self.lang), self.formats.digits)

    def name(self, name: str | None) -> str:
        """A source's or category's name, as HTML; None is the articles in no category."""
        return text("stats_no_category", self.lang) if name is None else safe(name, NAME_CHARS)

    def label(self, name: str | None) -> str:
        """The same in the chart, where it is drawn as it is written (not HTML)."""
        if name is None:
            return text("stats_no_category", self.lang)
        shown = visible(name)
        return shown if len(shown) <= NAME_CHARS else shown[: NAME_CHARS - 1] + "…"

    def more(self, hidden: int) -> list[str]:
        return [text("more", self.lang, n=self.n(hidden))] if hidden > 0 else []

    def zone(self) -> str:
        return get_timezone_location(self.settings.zone, locale=self.formats.locale)


def _top(lines: Sequence[str], top: int, view: _View, total: int | None = None) -> list[str]:
    shown = list(lines[:top])
    return shown + view.more((len(lines) if total is None else total) - len(shown))


def _readers(report: Report, view: _View, top: int) -> list[str]:
    counts = report.readers
    head = text("stats_readers", view.lang, active=view.n(counts.active),
                stopped=view.n(counts.stopped), blocked=view.n(counts.blocked))  # fmt: skip
    if not counts.by_category:
        return [head]
    shares = [f"• {safe(name, NAME_CHARS)}: {view.n(n)}" for name, n in counts.by_category]
    return [head, text("stats_readers_by_category", view.lang), *_top(shares, top, view)]


def _tallies(title: str, tallies: Sequence[Tally], view: _View, top: int) -> list[str]:
    if not tallies:
        return []
    lines = [f"• {view.name(t.name)}: {view.n(t.today)} / {view.n(t.week)}" for t in tallies]
    return [text(title, view.lang, days=view.days(WEEK)), *_top(lines, top, view)]


def _articles(report: Report, view: _View, top: int) -> list[str]:
    head = text("stats_articles", view.lang, today=view.n(report.articles_today),
                days=view.days(WEEK), week=view.n(report.articles_week))  # fmt: skip
    return [head, *_tallies("stats_by_source", report.sources, view, top),
            *_tallies("stats_by_category", report.categories, view, top)]  # fmt: skip


def _deliveries(report: Report, view: _View) -> list[str]:
    sent = report.deliveries
    oldest = ""
    if sent.oldest_pending is not None:
        just_now = text("stats_just_now", view.lang)
        age = relative_date(sent.oldest_pending, report.at, view.formats.locale,
                            view.formats.digits, just_now=just_now)  # fmt: skip
        oldest = text("stats_oldest", view.lang, age=age)
    retention = view.settings.outbox_retention_days
    kept = text("stats_kept", view.lang, days=view.days(retention)) if retention < WEEK else ""
    return [
        text(
            "stats_deliveries",
            view.lang,
            today=view.n(sent.sent_today),
            days=view.days(WEEK),
            week=view.n(sent.sent_week),
            pending=view.n(sent.pending),
            oldest=oldest,
            held=view.n(sent.held),
            failed=view.n(sent.failed_week),
            kept=kept,
        )  # fmt: skip
    ]


def _troubled(report: Report, view: _View, top: int) -> list[str]:
    if not report.troubled_total:
        return [text("stats_troubled_none", view.lang)]
    lines = []
    for line in report.troubled:
        entry = f"• {safe(line.title, NAME_CHARS)} — {state(line, view.formats)}"
        if line.last_error:
            entry += f"\n  {safe(line.last_error, ERROR_CHARS)}"
        lines.append(entry)
    head = text("stats_troubled", view.lang, count=view.n(report.troubled_total))
    return [head, *_top(lines, top, view, report.troubled_total)]


def _broadcast(progress: Progress, view: _View) -> str:
    when = view.formats.moment(progress.sent_at)
    counts = " / ".join(view.n(n) for n in (progress.sent, progress.pending, progress.failed))
    return f"• {when}: {counts}"


def _broadcasts(report: Report, view: _View, top: int) -> list[str]:
    if not report.broadcasts:
        return []
    lines = [_broadcast(p, view) for p in report.broadcasts]
    return [text("stats_broadcasts", view.lang), *_top(lines, top, view)]


def _sections(report: Report, view: _View, top: int) -> Iterable[list[str]]:
    moment = view.formats.moment(report.at)
    yield [text("stats_title", view.lang, moment=moment, zone=view.zone())]
    yield _readers(report, view, top)
    yield _articles(report, view, top)
    yield _deliveries(report, view)
    yield _troubled(report, view, top)
    yield _broadcasts(report, view, top)


def report(result: Report, settings: Settings, language_code: str | None) -> str:
    """The whole report, as Telegram HTML within one message."""
    view = _View(settings, language_code)

    def build(top: int) -> str:
        blocks = ("\n".join(lines) for lines in _sections(result, view, top) if lines)
        return directed("\n\n".join(blocks), language_code)

    return fitted(build, TOPS)


def _day_labels(report: Report, view: _View) -> list[str]:
    """Each day's number; the month's name under the first day and under each 1st."""
    labels = []
    for i, day in enumerate(report.days):
        label = to_digits(str(day.day), view.formats.digits)
        if i == 0 or day.day == 1:
            width = "LLLL" if view.formats.arabic else "LLL"
            label += "\n" + babel_format_date(day, width, locale=view.formats.locale)
        labels.append(label)
    return labels


def chart(result: Report, settings: Settings, language_code: str | None) -> Chart:
    """The chart of articles per category over the report's days: the categories with the
    most articles by name (and their totals), the rest together."""
    view = _View(settings, language_code)
    ranked = sorted(result.per_category.items(), key=lambda item: (-sum(item[1]), item[0] or ""))
    named, rest = ranked[:CHART_SERIES], ranked[CHART_SERIES:]
    series = [
        Series(f"{view.label(name)} ({view.n(sum(counts))})", counts) for name, counts in named
    ]
    if rest:
        together = [sum(day) for day in zip(*(counts for _, counts in rest), strict=True)]
        label = f"{text('stats_chart_others', view.lang)} ({view.n(sum(together))})"
        series.append(Series(label, together, others=True))
    return Chart(
        title=text("stats_chart_title", view.lang, days=view.days(CHART_DAYS)),
        days=_day_labels(result, view),
        series=series,
        y_label=text("stats_chart_axis", view.lang),
        right_to_left=view.formats.arabic,
        digits=view.formats.digits,
        total=Series(text("stats_chart_total", view.lang), result.per_day),
    )


def caption(result: Report, settings: Settings, language_code: str | None) -> str:
    view = _View(settings, language_code)
    first, last = (format_day(day, locale=view.formats.locale, digits=view.formats.digits)
                   for day in (result.days[0], result.days[-1]))  # fmt: skip
    message = text("stats_chart_caption", language_code, first=first, last=last, zone=view.zone())
    return directed(message, language_code)
