"""Which of the bot's categories an article belongs to.

Three sources, in this order: the feed's default categories, the entry's own `<category>`
labels mapped through each category's aliases (and its name), and keyword rules matched on
the stemmed headline and text. Category names are data: nothing here names one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.text.arabic import index_terms, normalise


@dataclass(frozen=True)
class CategoryRule:
    id: int
    name: str
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


class Categoriser:
    """Built once per poll from the category rows; cheap to call per entry."""

    def __init__(self, rules: Sequence[CategoryRule]) -> None:
        self._by_label: dict[str, int] = {}
        self._keywords: list[tuple[str, int]] = []
        for rule in rules:
            for label in (rule.name, *rule.aliases):
                if key := normalise(label):
                    self._by_label.setdefault(key, rule.id)
            for keyword in rule.keywords:
                # Stemmed terms, so that a rule for انسحاب also catches الانسحاب.
                if terms := index_terms(keyword):
                    self._keywords.append((" " + " ".join(terms) + " ", rule.id))

    def categorise(
        self, *, defaults: Iterable[int], labels: Iterable[str], terms: str
    ) -> list[int]:
        """Categories of an entry; `terms` is index_terms of its title and text, joined."""
        found = list(dict.fromkeys(defaults))
        for label in labels:
            category = self._by_label.get(normalise(label))
            if category is not None and category not in found:
                found.append(category)
        if self._keywords:
            haystack = f" {terms} "
            for needle, category in self._keywords:
                if category not in found and needle in haystack:
                    found.append(category)
        return found
