"""The search index on SQLite and PostgreSQL: written with the article, built by migration 0005,
queried only with plain words."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.text.arabic import stem
from bot.text.keywords import keyword_term
from storage import catalog, search
from storage.articles import TEXT_TERMS, TITLE_TERMS, insert_articles
from storage.db import downgrade, upgrade
from storage.feeds import add_feed
from storage.models import ChatKind, Keyword, SearchTerm, SearchTitle
from tests.factories import article_row, store_articles

NOW = datetime(2026, 1, 11, 12, tzinfo=UTC)


def match(*words: str) -> search.Match:
    return search.Match(tuple(stem(word) for word in words))


async def found(session: AsyncSession, *words: str) -> list[int]:
    candidates = await search.newest_matches(session, match(*words), search.Filters(), limit=50)
    return [candidate.article_id for candidate in candidates]


async def test_an_article_is_searchable_in_the_transaction_that_stores_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=NOW)
        [first] = await store_articles(
            session,
            [article_row(feed.id, "1", when=NOW, title="انسحاب قسد من حلب", text="تفاهمات")],
        )
        assert await found(session, "الانسحاب") == [first]
        assert await found(session, "تفاهمات", "حلب") == [first]
        assert await found(session, "دمشق") == []
    async with sessions() as session:
        frequencies = await search.document_frequencies(session, [stem("حلب"), stem("دمشق")])
    assert frequencies == {stem("حلب"): 1}


async def test_a_rolled_back_article_leaves_nothing_in_the_index(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=NOW)
    async with sessions() as session:
        await store_articles(session, [article_row(feed.id, "1", when=NOW, title="حلب")])
        assert await found(session, "حلب")
        await session.rollback()
    async with sessions() as session:
        assert await found(session, "حلب") == []
        assert await session.scalar(select(func.count()).select_from(SearchTerm)) == 0


async def test_newest_matches_come_first_and_are_limited(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=NOW)
        ids = await store_articles(
            session,
            [
                article_row(feed.id, str(n), when=NOW + timedelta(minutes=n), title=f"حلب {n}")
                for n in range(12)
            ],
        )
        candidates = await search.newest_matches(session, match("حلب"), search.Filters(), limit=5)
    assert [c.article_id for c in candidates] == ids[::-1][:5]
    assert all(c.title_hits == 1 for c in candidates)  # the one word, in every title
    assert candidates[0].published == pytest.approx((NOW + timedelta(minutes=11)).timestamp())


async def test_the_prefix_of_a_half_typed_word(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=NOW)
        [one, two] = await store_articles(
            session,
            [
                article_row(feed.id, "1", when=NOW, title="الانسحاب من حلب"),
                article_row(feed.id, "2", when=NOW, title="انسداد الطرق في حلب"),
            ],
        )
        typed = search.Match((stem("حلب"),), (stem("انس"), ("انس",)))
        candidates = await search.newest_matches(session, typed, search.Filters(), limit=10)
        assert {c.article_id for c in candidates} == {one, two}
        narrower = search.Match((), (stem("انسح"), "انسح"))  # one prefix, as a string
        candidates = await search.newest_matches(session, narrower, search.Filters(), limit=10)
        assert [c.article_id for c in candidates] == [one]


@pytest.mark.parametrize(
    "term", ['"', "'", "*", "AND", "NEAR(", ":*", "\\", "' | '", '" OR "', "x" * 65, ""]
)
async def test_no_term_can_break_the_query(
    sessions: async_sessionmaker[AsyncSession], term: str
) -> None:
    """Even terms that parse_query would never make are quoted safely."""
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=NOW)
        await store_articles(session, [article_row(feed.id, "1", when=NOW, title="حلب")])
        for candidate in (search.Match((term,)), search.Match((stem("حلب"),), (term, (term,)))):
            await search.newest_matches(session, candidate, search.Filters(), limit=10)


async def test_migration_builds_the_index_for_existing_articles(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=NOW)
        ids = await store_articles(
            session,
            [article_row(feed.id, str(n), when=NOW, title=f"خبر {n} من حلب") for n in range(5)],
        )
    await downgrade(engine, "0004")
    async with engine.connect() as connection:
        tables = await connection.run_sync(
            lambda sync: sync.dialect.get_table_names(sync)  # type: ignore[no-untyped-call]
        )
    assert not any(search.is_search_object(name) for name in tables)
    capsys.readouterr()
    await upgrade(engine)
    err = capsys.readouterr().err
    assert "search index: 5 of 5 articles" in err
    assert "search titles: 5 of 5 articles" in err
    async with sessions() as session:
        assert await found(session, "حلب") == ids[::-1]
        assert (await search.document_frequencies(session, [stem("حلب")])) == {stem("حلب"): 5}


async def test_migration_0009_builds_the_titles_of_existing_articles(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=NOW)
        [first, second] = await store_articles(
            session,
            [
                article_row(feed.id, "1", when=NOW, title="الانسحاب من حلب", text="قسد"),
                article_row(feed.id, "2", when=NOW + timedelta(hours=1), title="حلب حلب"),
            ],
        )
    async with sessions() as session:
        written = (
            await session.execute(select(SearchTitle).order_by(SearchTitle.article_id))
        ).all()
    await downgrade(engine, "0008")
    await upgrade(engine)
    async with sessions() as session:
        rows = (await session.scalars(select(SearchTitle).order_by(SearchTitle.article_id))).all()
    assert [(r.article_id, r.published, r.terms) for r in rows] == [
        (r.article_id, r.published, r.terms) for (r,) in written
    ]
    assert rows[0].terms == f" {stem('انسحاب')} {stem('من')} {stem('حلب')} "
    assert rows[1].terms == f" {stem('حلب')} "  # distinct terms
    assert rows[1].published == pytest.approx((NOW + timedelta(hours=1)).timestamp())
    assert [first, second] == [rows[0].article_id, rows[1].article_id]


async def test_candidates_tell_which_words_their_title_has(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=NOW)
        [both, only_aleppo, neither] = await store_articles(
            session,
            [
                article_row(feed.id, "1", when=NOW, title="قسد تنسحب من حلب", text="خبر"),
                article_row(feed.id, "2", when=NOW, title="أخبار حلب", text="قسد تنسحب"),
                article_row(feed.id, "3", when=NOW, title="خبر عاجل", text="قسد في حلب"),
            ],
        )
        two_words = search.Match((stem("حلب"), stem("قسد")))
        hits = {
            c.article_id: c.title_hits
            for c in await search.newest_matches(session, two_words, search.Filters(), limit=10)
        }
        assert hits == {both: 0b11, only_aleppo: 0b01, neither: 0}
        # A half-typed last word is a group of its own: bit 1 when a title word starts with it.
        typed = search.Match((stem("حلب"),), (stem("تنس"), ("تنس",)))
        hits = {
            c.article_id: c.title_hits
            for c in await search.newest_matches(session, typed, search.Filters(), limit=10)
        }
        assert hits == {both: 0b11, only_aleppo: 0b01}
        unranked = await search.newest_matches(
            session, two_words, search.Filters(), limit=10, rank=False
        )
        assert {c.title_hits for c in unranked} == {0}


async def test_completions_are_the_most_frequent_terms_of_a_prefix(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A range of search_terms by the code points of the prefix, whatever the database's
    collation (PostgreSQL's text_pattern_ops): «حلب» and «حلبي» start with «حل», «حمص» and
    «احلام» do not."""
    async with sessions.begin() as session:
        session.add_all(
            SearchTerm(term=term, df=df)
            for term, df in [("حلب", 5), ("حلبي", 2), ("حلو", 9), ("حمص", 20), ("احلام", 30)]
        )
    async with sessions() as session:
        assert await search.completions(session, ["حل"], limit=10) == (
            ("حلو", 9),
            ("حلب", 5),
            ("حلبي", 2),
        )
        assert await search.completions(session, ["حل"], limit=2) == (("حلو", 9), ("حلب", 5))
        assert await search.completions(session, ["حلب"], limit=10) == (("حلب", 5), ("حلبي", 2))
        assert await search.completions(session, ["حلب", "حم"], limit=2) == (
            ("حمص", 20),
            ("حلب", 5),
        )
        assert await search.completions(session, ["زز", ""], limit=10) == ()
        assert await search.completions(session, ["x" * 65], limit=10) == ()


def test_a_match_with_completions_asks_for_whole_terms_only() -> None:
    typed = search.Match(("قسد",), ("حل", ("حل",)), completions=("حلب", "حلو"))
    assert search.fts5_expression(typed) == '"قسد" AND ("حل" OR "حلب" OR "حلو")'
    assert search.tsquery_literal(typed) == "'قسد' & ('حل' | 'حلب' | 'حلو')"


async def test_postgresql_index_is_gin_and_publish_time_is_indexed(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's index")
        rows = (
            await connection.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                    "('article_search', 'articles')"
                )  # fmt: skip
            )
        ).all()
    definitions = {name: definition for name, definition in rows}
    assert "USING gin (document)" in definitions["ix_article_search_document"]
    assert any("(published_at)" in definition for definition in definitions.values())


def test_tsvector_literal_weights_title_and_text() -> None:
    doc = search.Document(7, ("حلب", "قسد"), ("حلب",) * 20 + ("o'neil",), 0.0)
    literal = search.tsvector_literal(doc)
    assert literal.startswith("'حلب':1A,3B,4B")
    assert literal.count("B") == 9  # at most 8 text positions of حلب, and o'neil's one
    assert "'o''neil':23B" in literal


async def test_migration_recomputes_readers_keyword_terms(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await downgrade(engine, "0004")
    # Terms as an older text path made them: stale, one row holding another's new term, and
    # two words of one reader that now make one term.
    words = [("الرحلات", "رحل"), ("رحلات", "stale"), ("اللاجئين", "لاج"), ("لاجئين", "لاجي")]
    async with sessions.begin() as session:
        await catalog.upsert_chat(session, 42, ChatKind.PRIVATE)
        session.add_all(
            Keyword(chat_id=42, word=word, term=term, mute=False) for word, term in words
        )
    await upgrade(engine)
    async with sessions() as session:
        rows = (await session.execute(select(Keyword.word, Keyword.term))).all()
    assert sorted(rows) == sorted(
        [("الرحلات", keyword_term("رحلات")), ("اللاجئين", keyword_term("لاجئين"))]
    )


WORDS = ["حلب", "دمشق", "انسحاب", "اسعار", "القمح", "الكهرباء", "مدرسة", "الوزير",
         "وأنقرة", "بالمدينة", "لاجئين", "الفلسطينية", "زلزال", "مطار", "الدولار", "نفط",
         "غاز", "مخيم"]  # fmt: skip


async def test_a_big_insert_upserts_frequencies_once_in_term_order(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """2,000 articles in one call (two chunks of rows, four of documents): one upsert of the
    document frequencies, its terms sorted (no two writers can deadlock on their locks), and
    the frequencies those the engine counts in its own index; a second call adds to them."""
    upserts: list[Any] = []

    def watch(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO SEARCH_TERMS"):
            upserts.append(parameters)

    rng = random.Random(3)

    def rows(feed_id: int, first: int, count: int) -> list[dict[str, Any]]:
        return [
            article_row(
                feed_id,
                f"k{n}",
                when=NOW,
                title=" ".join(rng.sample(WORDS, 3)),
                text=" ".join(rng.choices(WORDS, k=rng.randint(0, 12))),
            )
            for n in range(first, first + count)
        ]

    event.listen(engine.sync_engine, "before_cursor_execute", watch)
    try:
        async with sessions.begin() as session:
            feed = await add_feed(session, "https://a.example/feed", now=NOW)
            await insert_articles(session, rows(feed.id, 0, 2000))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", watch)
    assert len(upserts) == 1
    [parameters] = upserts
    if engine.dialect.name == "postgresql":
        terms = list(parameters[0])  # one statement over arrays: (terms, dfs)
    else:
        terms = [row[0] for row in parameters]  # executemany: (term, df) rows
    assert terms == sorted(terms)
    assert len(terms) == len(set(terms))
    async with sessions.begin() as session:
        await insert_articles(session, rows(feed.id, 2000, 300))
    async with sessions.begin() as session:
        assert await stored_frequencies(session) == await engine_frequencies(session)
        assert sum(df for df in (await stored_frequencies(session)).values()) > 2300 * 3


async def stored_frequencies(session: AsyncSession) -> dict[str, int]:
    return dict((await session.execute(select(SearchTerm.term, SearchTerm.df))).tuples().all())


async def engine_frequencies(session: AsyncSession) -> dict[str, int]:
    """Each term's document count, by the engine from the index itself."""
    if session.bind.dialect.name == "postgresql":
        sql = f"SELECT word, ndoc FROM ts_stat('SELECT document FROM {search.SEARCH_TABLE}')"
        return dict((await session.execute(text(sql))).tuples().all())
    vocabulary = f"temp.{search.SEARCH_TABLE}_check"
    await session.execute(
        text(f"CREATE VIRTUAL TABLE {vocabulary} USING fts5vocab(main, {search.SEARCH_TABLE}, row)")
    )
    result = await session.execute(text(f"SELECT term, doc FROM {vocabulary}"))
    found = dict(result.tuples().all())
    await session.execute(text(f"DROP TABLE {vocabulary}"))
    return found


async def test_terms_given_with_a_row_are_indexed_and_absent_ones_computed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The poller passes the terms its parser workers computed; factories and other callers
    pass none (or None), and insert_articles computes them: one code path either way."""
    async with sessions.begin() as session:
        feed = await add_feed(session, "https://a.example/feed", now=NOW)
        given = article_row(feed.id, "given", when=NOW, title="عنوان", text="نص")
        given |= {TITLE_TERMS: ("قسد",), TEXT_TERMS: ("حلب",)}
        none = article_row(feed.id, "none", when=NOW, title="قسد في حلب", text="نص")
        none |= {TITLE_TERMS: None, TEXT_TERMS: None}
        plain = article_row(feed.id, "plain", when=NOW, title="قسد", text="حلب")
        # Terms of the headline alone do not fit an article whose outlet title differs.
        other = article_row(feed.id, "other", when=NOW, title="عنوان", text="نص")
        other |= {"original_title": "دمشق", TITLE_TERMS: ("قسد",), TEXT_TERMS: ("حلب",)}
        ids = await insert_articles(session, [given, none, plain, other])
        assert set(await found(session, "قسد", "حلب")) == {ids["given"], ids["none"], ids["plain"]}
        assert await found(session, "عنوان") == [ids["other"]]
        assert await found(session, "دمشق") == [ids["other"]]
