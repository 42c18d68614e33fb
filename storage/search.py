"""The search index: written with the articles, queried newest match first.

One code path for both engines; the dialect branches of search live here only.

- SQLite: an FTS5 table `article_search(title, body)`, contentless, rowid = article id (ids
  are the arrival order), over the normalised, stemmed terms of bot/text/arabic.py joined by
  spaces. The terms are plain word characters, so unicode61 splits them exactly where we did.
- PostgreSQL: a table `article_search(article_id, document tsvector)` with a GIN index. The
  tsvector is written as a literal of our own terms (title positions weight A, text B), and
  queries are tsquery literals of our own terms: neither the engine's parser nor its
  dictionaries ever see the text, so both engines match exactly the same terms.
- `search_terms(term, df)`: how many articles have each term, kept on insert, so that a query
  can tell its common words (stopwords of this archive) in one small lookup.

Query terms reach the engines only quoted, as bound parameters, and only ever as the plain
words that bot/news/search.py makes of a query.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Float, Integer, bindparam, column, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from bot.errors import SearchTimeout
from bot.text.arabic import document_terms, normalise
from storage.models import Article, Category, SearchTerm, article_categories

SEARCH_TABLE = "article_search"
# Terms longer than this are not indexed (a pasted URL or a run of letters with no spaces):
# nobody searches them, and PostgreSQL refuses lexemes over 2 KB.
MAX_TERM_CHARS = 64
# Terms of an article's text that are indexed; a whole book in a feed entry stops here.
MAX_TEXT_TERMS = 20_000
# Positions kept per term and weight in a PostgreSQL document: enough for ts_rank to count a
# word that recurs, small enough to keep documents short.
_POSITIONS_PER_TERM = 8
_MAX_POSITION = 16_383  # PostgreSQL's limit
# Weights of a title hit and a text hit, for bm25 (SQLite); PostgreSQL's ts_rank gets
# {D, C, B, A} = {0, 0, 0.1, 1.0}: a title hit counts ten text hits on both engines.
TITLE_WEIGHT = 10.0
_TS_WEIGHTS = "{0, 0, 0.1, 1.0}"
_CHUNK = 500


def is_search_object(name: str | None) -> bool:
    """Whether a table belongs to the search index, which the models do not describe (its
    columns differ by engine, and SQLite's FTS5 keeps shadow tables beside it)."""
    return bool(name) and (name == SEARCH_TABLE or str(name).startswith(SEARCH_TABLE + "_"))


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's filter for comparing the schema with the models."""
    return not (type_ == "table" and is_search_object(name))


# --- documents -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """What the index keeps of one article: its terms, title and text apart."""

    article_id: int
    title: tuple[str, ...]
    body: tuple[str, ...]

    @property
    def distinct_terms(self) -> set[str]:
        return set(self.title) | set(self.body)


def _indexable(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(term for term in terms if len(term) <= MAX_TERM_CHARS)


def document(article_id: int, headline: str, original_title: str, body: str) -> Document:
    """The index document of an article; the outlet's own title too when it differs."""
    title = headline if original_title in ("", headline) else f"{headline} {original_title}"
    return Document(
        article_id,
        _indexable(document_terms(title)),
        _indexable(document_terms(body))[:MAX_TEXT_TERMS],
    )


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(doc: Document) -> str:
    """The PostgreSQL tsvector of a document, written out: title terms A, text terms B."""
    positions: dict[str, list[str]] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for offset, (terms, weight) in enumerate(((doc.title, "A"), (doc.body, "B"))):
        start = 1 + offset * len(doc.title)
        for index, term in enumerate(terms):
            if counts[term, weight] >= _POSITIONS_PER_TERM:
                continue
            counts[term, weight] += 1
            position = min(start + index, _MAX_POSITION)
            positions.setdefault(term, []).append(f"{position}{weight}")
    return " ".join(f"{_lexeme(term)}:{','.join(marks)}" for term, marks in positions.items())


def _index_rows(dialect: str, docs: Sequence[Document]) -> tuple[TextClause, list[dict[str, Any]]]:
    if dialect == "postgresql":
        statement = text(
            f"INSERT INTO {SEARCH_TABLE} (article_id, document) "
            "VALUES (:id, CAST(:document AS tsvector)) ON CONFLICT (article_id) DO NOTHING"
        )
        return statement, [{"id": d.article_id, "document": tsvector_literal(d)} for d in docs]
    statement = text(f"INSERT INTO {SEARCH_TABLE} (rowid, title, body) VALUES (:id, :title, :body)")
    rows = [
        {"id": doc.article_id, "title": " ".join(doc.title), "body": " ".join(doc.body)}
        for doc in docs
    ]
    return statement, rows


def _df_statement(dialect: str) -> Any:
    table: Any = SearchTerm.__table__
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_update(
        index_elements=[table.c.term], set_={"df": table.c.df + insert.excluded.df}
    )


def index_statements(dialect: str, docs: Sequence[Document]) -> list[tuple[Any, list[Any]]]:
    """The statements that index the documents: (statement, parameter rows) pairs.

    Document frequencies go in term order, so that two transactions indexing at once take
    the rows' locks in one order and never deadlock (PostgreSQL).
    """
    statements: list[tuple[Any, list[Any]]] = []
    for start in range(0, len(docs), _CHUNK):
        chunk = docs[start : start + _CHUNK]
        statements.append(_index_rows(dialect, chunk))
        df = Counter(term for doc in chunk for term in doc.distinct_terms)
        rows = [{"term": term, "df": count} for term, count in sorted(df.items())]
        for first in range(0, len(rows), _CHUNK * 4):
            statements.append((_df_statement(dialect), rows[first : first + _CHUNK * 4]))
    return [(statement, rows) for statement, rows in statements if rows]


async def index_articles(session: AsyncSession, docs: Sequence[Document]) -> None:
    """Stage the index entries of new articles in the caller's transaction."""
    for statement, rows in index_statements(session.bind.dialect.name, docs):
        await session.execute(statement, rows)


def index_existing(connection: Connection, *, report: Any = None, batch: int = 2000) -> int:
    """Index every stored article (the migration that creates the index); return how many.

    `report(done, total)` is called after each batch, for progress output.
    """
    total = connection.execute(select(func.count()).select_from(Article)).scalar_one()
    done, last_id = 0, 0
    while True:
        rows = connection.execute(
            select(Article.id, Article.headline, Article.original_title, Article.text)
            .where(Article.id > last_id)
            .order_by(Article.id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        docs = [document(*row) for row in rows]
        for statement, parameters in index_statements(connection.dialect.name, docs):
            connection.execute(statement, parameters)
        done += len(rows)
        last_id = rows[-1][0]
        if report is not None:
            report(done, total)


def create_statements(dialect: str) -> list[str]:
    """DDL of the index."""
    if dialect == "postgresql":
        return [
            f"CREATE TABLE {SEARCH_TABLE} ("
            " article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
            " document TSVECTOR NOT NULL)",
            f"CREATE INDEX ix_{SEARCH_TABLE}_document ON {SEARCH_TABLE} USING GIN (document)",
        ]
    # Contentless: the text is in `articles` already. Prefix indexes of 2 and 3 characters
    # make a half-typed word cheap.
    return [
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
        "title, body, content='', prefix='2 3', tokenize='unicode61 remove_diacritics 0')"
    ]


def drop_statements(dialect: str) -> list[str]:
    return [f"DROP TABLE IF EXISTS {SEARCH_TABLE}"]


# --- queries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """What an article must have: every term of `terms`, and when `typed` is set, its term or
    any term starting with one of its prefixes: (term, prefixes)."""

    terms: tuple[str, ...]
    typed: tuple[str, tuple[str, ...]] | None = None

    @property
    def empty(self) -> bool:
        return not self.terms and self.typed is None

    @property
    def unmatchable(self) -> bool:
        """A term the index cannot have (empty, too long): nothing matches."""
        words = list(self.terms)
        if self.typed is not None:
            words += [self.typed[0], *self.typed[1]]
        return any(not 0 < len(word) <= MAX_TERM_CHARS for word in words)


def _quote_fts(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_expression(match: Match) -> str:
    """The FTS5 query of a match: quoted terms only, so no FTS5 syntax can come through."""
    parts = [_quote_fts(term) for term in match.terms]
    if match.typed is not None:
        term, prefixes = match.typed
        starts = " OR ".join(f"{_quote_fts(prefix)}*" for prefix in prefixes)
        parts.append(f"({_quote_fts(term)} OR {starts})")
    return " AND ".join(parts)


def tsquery_literal(match: Match) -> str:
    """The PostgreSQL tsquery of a match, written out from quoted lexemes."""
    parts = [_lexeme(term) for term in match.terms]
    if match.typed is not None:
        term, prefixes = match.typed
        starts = " | ".join(f"{_lexeme(prefix)}:*" for prefix in prefixes)
        parts.append(f"({_lexeme(term)} | {starts})")
    return " & ".join(parts)


@dataclass(frozen=True)
class Filters:
    """Which articles a search may return: None is no filter, () matches nothing."""

    category_ids: tuple[int, ...] | None = None
    sources: tuple[str, ...] | None = None

    @property
    def impossible(self) -> bool:
        return self.category_ids == () or self.sources == ()


@dataclass(frozen=True)
class Candidate:
    """A matching article, with the engine's relevance (higher is better) and its date."""

    article_id: int
    relevance: float
    published: float  # POSIX seconds: a thousand datetimes cost more to read than the query


def _filter_sql(filters: Filters, id_column: str) -> tuple[str, dict[str, Any], list[Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    binds: list[Any] = []
    if filters.sources is not None:
        clauses.append("a.source_domain IN :sources")
        params["sources"] = list(filters.sources)
        binds.append(bindparam("sources", expanding=True))
    if filters.category_ids is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM article_categories AS ac"
            f" WHERE ac.article_id = {id_column} AND ac.category_id IN :categories)"
        )
        params["categories"] = list(filters.category_ids)
        binds.append(bindparam("categories", expanding=True))
    return "".join(f" AND {clause}" for clause in clauses), params, binds


async def newest_matches(
    session: AsyncSession, match: Match, filters: Filters, *, limit: int, rank: bool = True
) -> list[Candidate]:
    """The newest `limit` articles that match, newest first, with their relevance."""
    if match.empty or match.unmatchable or filters.impossible:
        return []
    postgres = session.bind.dialect.name == "postgresql"
    where, params, binds = _filter_sql(filters, "s.article_id" if postgres else "s.rowid")
    params["limit"] = limit
    if postgres:
        params["query"] = tsquery_literal(match)
        relevance = f"ts_rank('{_TS_WEIGHTS}', m.document, CAST(:query AS tsquery))"
        sql = (
            f"SELECT m.article_id, {relevance if rank else '0.0'},"
            " CAST(EXTRACT(EPOCH FROM m.published_at) AS DOUBLE PRECISION) FROM ("
            " SELECT s.article_id, s.document, a.published_at"
            f" FROM {SEARCH_TABLE} AS s JOIN articles AS a ON a.id = s.article_id"
            f" WHERE s.document @@ CAST(:query AS tsquery){where}"
            " ORDER BY s.article_id DESC LIMIT :limit) AS m ORDER BY m.article_id DESC"
        )
    else:
        params["query"] = fts5_expression(match)
        relevance = f"-bm25({SEARCH_TABLE}, {TITLE_WEIGHT}, 1.0)"
        sql = (
            f"SELECT s.rowid, {relevance if rank else '0.0'},"
            " (julianday(a.published_at) - 2440587.5) * 86400.0"
            f" FROM {SEARCH_TABLE} AS s JOIN articles AS a ON a.id = s.rowid"
            f" WHERE {SEARCH_TABLE} MATCH :query{where}"
            " ORDER BY s.rowid DESC LIMIT :limit"
        )
    statement = (
        text(sql)
        .bindparams(*binds)
        .columns(column("id", Integer), column("relevance", Float), column("published", Float))
    )
    result = await session.execute(statement, params)
    return [Candidate(int(id_), float(score), float(when)) for id_, score, when in result.all()]


async def latest_ids(
    session: AsyncSession, filters: Filters, *, offset: int, limit: int
) -> list[int]:
    """Ids of the newest articles within the filters, newest first."""
    if filters.impossible:
        return []
    query = select(Article.id).order_by(Article.id.desc()).offset(offset).limit(limit)
    if filters.sources is not None:
        query = query.where(Article.source_domain.in_(filters.sources))
    if filters.category_ids is not None:
        tagged = select(article_categories.c.article_id).where(
            article_categories.c.article_id == Article.id,
            article_categories.c.category_id.in_(filters.category_ids),
        )
        query = query.where(tagged.exists())
    return list((await session.scalars(query)).all())


async def document_frequencies(session: AsyncSession, terms: Iterable[str]) -> dict[str, int]:
    """How many articles have each term (terms never indexed are absent)."""
    wanted = sorted(set(terms))
    if not wanted:
        return {}
    query = select(SearchTerm.term, SearchTerm.df).where(SearchTerm.term.in_(wanted))
    return {term: df for term, df in (await session.execute(query)).all()}


async def archive_size(session: AsyncSession) -> int:
    """About how many articles there are: the newest id (one index lookup; ids are dense,
    and the share of stopwords needs no more precision than that)."""
    return int((await session.scalar(select(func.max(Article.id)))) or 0)


async def category_ids_by_prefix(session: AsyncSession, names: Iterable[str]) -> tuple[int, ...]:
    """Categories whose normalised name starts with one of the normalised names given."""
    wanted = [normalise(name) for name in names]
    rows = (await session.execute(select(Category.id, Category.name))).all()
    return tuple(
        sorted(
            category_id
            for category_id, name in rows
            if any(normalise(name).startswith(prefix) for prefix in wanted if prefix)
        )
    )


# --- time limits ---------------------------------------------------------------------------------

_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for statement_timeout
_PROGRESS_STEPS = 1000  # SQLite VM steps between two looks at the clock


@asynccontextmanager
async def time_limit(session: AsyncSession, seconds: float | None) -> AsyncIterator[None]:
    """Cut the queries of this block off after `seconds` with SearchTimeout.

    PostgreSQL: `SET LOCAL statement_timeout` (for this transaction only). SQLite: a progress
    handler that interrupts the statement past the deadline; the connection stays usable.
    """
    if seconds is None:
        yield
        return
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        milliseconds = max(1, int(seconds * 1000))
        await session.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))
        try:
            yield
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == _QUERY_CANCELED or "57014" in str(exc):
                raise SearchTimeout(f"search cut off after {seconds:g} s") from None
            raise
        return
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    deadline = time.monotonic() + seconds

    def past_deadline() -> int:
        return 1 if time.monotonic() > deadline else 0

    await driver.set_progress_handler(past_deadline, _PROGRESS_STEPS)
    try:
        yield
    except DBAPIError as exc:
        if "interrupted" in str(exc.orig):
            raise SearchTimeout(f"search cut off after {seconds:g} s") from None
        raise
    finally:
        await driver.set_progress_handler(None, 0)
