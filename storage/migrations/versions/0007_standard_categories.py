"""categories: the standard sections of an Arabic news service, seeded as ordinary rows

A fresh install is usable at once: the reader's picker lists these sections, and a feed's own
`<category>` labels (in Arabic or English, with or without the article) map onto them through
their aliases. They are ordinary categories: renamed, given keywords or removed like any other.

An existing install keeps what it has: a section is not added when one of its categories
already answers to the section's name (as its name or an alias, compared as the categoriser
compares labels), and an alias that another category already claims is left to it.

The downgrade removes a seeded section only while nobody uses it (no feed, channel, reader or
article) and it is still as seeded (no keywords, no alias but the seed's); any other row stays.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.models
from bot.text.arabic import normalise

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The sections as of this revision (later changes are the operators' own, or a new
# migration's). Aliases are feed labels as feeds write them: the categoriser folds hamza,
# ta marbuta, diacritics and Latin case, but not the article, so «الصحة» is listed beside «صحة».
SECTIONS: dict[str, tuple[str, ...]] = {
    "سياسة": (
        "politics", "political", "السياسة", "سياسي", "سياسية", "أخبار سياسية",
        "شؤون سياسية", "السياسية",
    ),
    "سوريا محلي": (
        "syria", "local", "local news", "سوريا", "سورية", "محليات", "محلي", "محلية",
        "أخبار سوريا", "أخبار محلية", "شؤون محلية", "الشأن السوري", "الشأن المحلي",
    ),
    "عربي ودولي": (
        "world", "international", "world news", "arab world", "middle east",
        "around the world", "دولي", "دولية", "عربي", "عالمي", "عربيات", "دوليات",
        "عربي دولي", "عربي وعالمي", "أخبار عربية", "أخبار دولية", "أخبار العالم",
        "حول العالم", "العالم", "العالم العربي", "الشرق الأوسط",
    ),
    "اقتصاد": (
        "economy", "business", "finance", "markets", "business and economy",
        "الاقتصاد", "اقتصادي", "اقتصادية", "اقتصاد وأعمال", "الأعمال والاقتصاد",
        "مال وأعمال", "مال", "أعمال", "أسواق",
    ),
    "رياضة": (
        "sport", "sports", "football", "الرياضة", "رياضي", "رياضية", "كرة القدم",
    ),
    "ثقافة وفن": (
        "culture", "arts", "art", "entertainment", "arts & entertainment", "ثقافة",
        "الثقافة", "فن", "الفن", "فنون", "ثقافة وفنون", "فن وثقافة", "الثقافة والفنون",
    ),
    "علوم وتكنولوجيا": (
        "technology", "tech", "science", "science and technology", "تكنولوجيا",
        "التكنولوجيا", "علوم", "العلوم", "تقنية", "التقنية", "علوم وتقنية", "تكنولوجيا وعلوم",
    ),
    "صحة": ("health", "الصحة", "طب", "صحة وطب"),
    "منوعات": (
        "misc", "miscellaneous", "variety", "lifestyle", "متفرقات", "منوع", "المنوعات",
    ),
}  # fmt: skip

_categories = sa.table(
    "categories",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("aliases", sa.JSON),
    sa.column("keywords", sa.JSON),
    sa.column("created_at", storage.models.UTCDateTime(timezone=True)),
)
# The rows that use a category: a feed's defaults, a chat's subscription, an article's tag.
_USES = ("feed_categories", "subscriptions", "article_categories")


def upgrade() -> None:
    connection = op.get_bind()
    existing = connection.execute(sa.select(_categories.c.name, _categories.c.aliases)).all()
    taken = {normalise(label) for name, aliases in existing for label in (name, *(aliases or ()))}
    now = datetime.now(UTC)
    rows = []
    for name, aliases in SECTIONS.items():
        if normalise(name) in taken:
            continue
        kept = [alias for alias in aliases if normalise(alias) not in taken]
        taken.update(normalise(label) for label in (name, *kept))
        rows.append({"name": name, "aliases": kept, "keywords": [], "created_at": now})
    if rows:
        connection.execute(sa.insert(_categories), rows)


def downgrade() -> None:
    connection = op.get_bind()
    seeded = connection.execute(
        sa.select(_categories.c.id, _categories.c.name, _categories.c.aliases,
                  _categories.c.keywords).where(_categories.c.name.in_(list(SECTIONS)))
    ).all()  # fmt: skip
    unchanged = [
        category_id
        for category_id, name, aliases, keywords in seeded
        if not keywords and set(aliases or ()) <= set(SECTIONS[name])
    ]
    uses = [sa.table(name, sa.column("category_id", sa.Integer)) for name in _USES]
    for category_id in unchanged:
        used = any(
            connection.scalar(
                sa.select(sa.literal(1)).where(use.c.category_id == category_id).limit(1)
            )
            for use in uses
        )
        if not used:
            connection.execute(sa.delete(_categories).where(_categories.c.id == category_id))
