"""The search index: written with the articles, queried newest match first.

One code path for both engines; the dialect branches of search live here only.

- SQLite: an FTS5 table `article_search(title, body)`, contentless, rowid = article id (ids
  are the arrival order), over the normalised, stemmed terms of bot/text/arabic.py joined by
  spaces. The terms are plain word characters, so unicode61 splits them exactly where we did.
- PostgreSQL: a table `article_search(article_id, document tsvector)` with a GIN index. The
  tsvector is written as a literal of our own terms (title positions weight A, text B), and
  queries are tsquery literals of our own terms: neither the engine's parser nor its
  dictionaries ever see the text, so both engines match exactly the same terms.
- `search_titles(article_id, published, terms)`: what ranking reads of each match, in a small
  row: the publish time and the title's distinct terms. Reading it for the newest thousand
  matches costs a fraction of bm25() (which reads every query term's whole posting list to
  count documents) or of ts_rank over a thousand detoasted documents.
- `search_terms(term, df)`: how many articles have each term, kept on insert, so that a query
  can tell its common words (stopwords of this archive) in one small lookup.

Query terms reach the engines only quoted, as bound parameters, and only ever as the plain
words that bot/news/search.py makes of a query.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import time
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, islice, repeat
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    Integer,
    Select,
    bindparam,
    column,
    event,
    func,
    literal,
    select,
    text,
    union,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from bot.errors import SearchTimeout
from bot.text.arabic import (
    MAX_TERM_CHARS,
    MAX_TEXT_TERMS,
    document_terms,
    indexable_text_terms,
    normalise,
)
from storage.models import Article, Category, SearchTerm, SearchTitle, article_categories

SEARCH_TABLE = "article_search"
TITLES_TABLE = SearchTitle.__tablename__
# Positions kept per term and weight in a PostgreSQL document: enough for a phrase or a
# ranking function to count a word that recurs, small enough to keep documents short.
_POSITIONS_PER_TERM = 8
_MAX_POSITION = 16_383  # PostgreSQL's limit
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
    published: float  # POSIX seconds

    @property
    def distinct_terms(self) -> set[str]:
        return set(self.title) | set(self.body)

    @property
    def title_words(self) -> str:
        """The title's distinct terms as search_titles keeps them: ' a b c '."""
        return " " + " ".join(dict.fromkeys(self.title)) + " "


def _indexable(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(term for term in terms if len(term) <= MAX_TERM_CHARS)


def _cut(terms: Sequence[str], cut: Callable[[Iterable[str]], tuple[str, ...]]) -> tuple[str, ...]:
    """`cut(terms)`, skipped when it would keep every term: the parser's workers cut the terms
    they give already, and filtering them again term by term on the event loop cost more
    than a third of indexing an article there."""
    if len(terms) <= MAX_TEXT_TERMS and max(map(len, terms), default=0) <= MAX_TERM_CHARS:
        return tuple(terms)
    return cut(terms)


def document(
    article_id: int,
    headline: str,
    original_title: str,
    body: str,
    published_at: datetime,
    *,
    terms: tuple[Sequence[str], Sequence[str]] | None = None,
) -> Document:
    """The index document of an article; the outlet's own title too when it differs.

    `terms` are document_terms of the title and of the body when the caller has them (the
    feed parser computes them in its worker processes); they are computed here when absent.
    """
    if terms is None:
        title = headline if original_title in ("", headline) else f"{headline} {original_title}"
        terms = (document_terms(title), document_terms(body))
    title_terms, body_terms = terms
    return Document(
        article_id,
        _cut(title_terms, _indexable),
        _cut(body_terms, indexable_text_terms),
        published_at.timestamp(),
    )


def _lexeme(term: str) -> str:
    if "'" in term or "\\" in term:
        term = term.replace("\\", "\\\\").replace("'", "''")
    return "'" + term + "'"


@functools.cache
def _marks(weight: str) -> tuple[list[str], str]:
    """The position marks of a weight ("1B", "2B", …) made once, and the mark of every
    position from _MAX_POSITION on (PostgreSQL keeps none beyond it)."""
    return [f"{position}{weight}" for position in range(_MAX_POSITION)], f"{_MAX_POSITION}{weight}"


def _positions(terms: Sequence[str], start: int, weight: str) -> dict[str, list[str]]:
    """Term → its first _POSITIONS_PER_TERM position marks, in order of first appearance."""
    marks, last = _marks(weight)
    found: dict[str, list[str]] = {}
    # strict=False: the marks never end (the last one repeats), the terms do.
    for mark, term in zip(chain(islice(marks, start, None), repeat(last)), terms, strict=False):
        kept = found.get(term)
        if kept is None:
            found[term] = [mark]
        elif len(kept) < _POSITIONS_PER_TERM:
            kept.append(mark)
    return found


def tsvector_literal(doc: Document) -> str:
    """The PostgreSQL tsvector of a document, written out: title terms A, text terms B.

    Every term of every article goes through here on the event loop, so the loop is kept
    short (marks made once, no Counter of (term, weight) pairs, no min() per term): it was
    most of the CPU of storing an article on PostgreSQL.
    """
    title = _positions(doc.title, 1, "A")
    body = _positions(doc.body, 1 + len(doc.title), "B")
    parts: list[str] = []
    for term, marks in title.items():
        more = body.pop(term, None)
        parts.append(f"{_lexeme(term)}:{','.join(marks + more if more else marks)}")
    parts += [f"{_lexeme(term)}:{','.join(marks)}" for term, marks in body.items()]
    return " ".join(parts)


# PostgreSQL gets each chunk as one statement over arrays (unnest): asyncpg's executemany
# runs the statement once per row, which made the frequencies' upserts most of the cost of
# storing an article.
_PG_DOCUMENTS = text(
    f"INSERT INTO {SEARCH_TABLE} (article_id, document)"
    " SELECT id, CAST(document AS tsvector)"
    " FROM unnest(CAST(:ids AS INTEGER[]), CAST(:documents AS TEXT[])) AS t (id, document)"
    " ON CONFLICT (article_id) DO NOTHING"
)
_PG_FREQUENCIES = text(
    "INSERT INTO search_terms (term, df)"
    " SELECT term, df FROM unnest(CAST(:terms AS TEXT[]), CAST(:dfs AS INTEGER[])) AS t (term, df)"
    " ON CONFLICT (term) DO UPDATE SET df = search_terms.df + excluded.df"
)
_PG_TITLES = text(
    f"INSERT INTO {TITLES_TABLE} (article_id, published, terms)"
    " SELECT id, published, terms FROM unnest(CAST(:ids AS INTEGER[]),"
    " CAST(:published AS DOUBLE PRECISION[]), CAST(:terms AS TEXT[])) AS t (id, published, terms)"
    " ON CONFLICT (article_id) DO NOTHING"
)
_SQLITE_TITLES = text(
    f"INSERT INTO {TITLES_TABLE} (article_id, published, terms) VALUES (:id, :published, :terms)"
    " ON CONFLICT (article_id) DO NOTHING"
)
_SQLITE_DOCUMENTS = text(
    f"INSERT INTO {SEARCH_TABLE} (rowid, title, body) VALUES (:id, :title, :body)"
)
# SQLite gets the frequencies as one JSON array of [term, df] pairs, in one statement: a
# feed's articles have hundreds of distinct terms, and a row of parameters each (executemany)
# was most of the statements' cost of storing them, on the event loop (binding each row) and
# in the database thread (a step each). "WHERE true" tells SQLite's parser that ON CONFLICT
# is the upsert's, not the join's.
_SQLITE_FREQUENCIES = text(
    "INSERT INTO search_terms (term, df)"
    " SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(:counts)"
    " WHERE true ON CONFLICT (term) DO UPDATE SET df = df + excluded.df"
)


def _index_rows(dialect: str, docs: Sequence[Document]) -> tuple[TextClause, list[dict[str, Any]]]:
    if dialect == "postgresql":
        ids = [doc.article_id for doc in docs]
        return _PG_DOCUMENTS, [{"ids": ids, "documents": [tsvector_literal(d) for d in docs]}]
    rows = [
        {"id": doc.article_id, "title": " ".join(doc.title), "body": " ".join(doc.body)}
        for doc in docs
    ]
    return _SQLITE_DOCUMENTS, rows


def _title_rows(dialect: str, docs: Sequence[Document]) -> tuple[TextClause, list[dict[str, Any]]]:
    if dialect == "postgresql":
        return _PG_TITLES, [
            {
                "ids": [doc.article_id for doc in docs],
                "published": [doc.published for doc in docs],
                "terms": [doc.title_words for doc in docs],
            }
        ]
    rows = [
        {"id": doc.article_id, "published": doc.published, "terms": doc.title_words} for doc in docs
    ]
    return _SQLITE_TITLES, rows


def _frequency_rows(
    dialect: str, counts: list[tuple[str, int]]
) -> tuple[TextClause, list[dict[str, Any]]]:
    if dialect == "postgresql":
        terms = [term for term, _ in counts]
        return _PG_FREQUENCIES, [{"terms": terms, "dfs": [df for _, df in counts]}]
    return _SQLITE_FREQUENCIES, [{"counts": json.dumps(counts, ensure_ascii=False)}]


def index_statements(
    dialect: str,
    docs: Sequence[Document],
    *,
    frequencies: bool = True,
    documents: bool = True,
    titles: bool = True,
) -> list[tuple[Any, list[Any]]]:
    """The statements that index the documents: (statement, parameter rows) pairs; the
    migrations that built each part for an existing archive ask for that part alone.

    The documents go in chunks; the document frequencies of all of them in one upsert, last,
    in term order: two transactions indexing at once then take the rows' locks in one order
    and cannot deadlock (PostgreSQL), which upserts chunk by chunk could (each chunk sorted,
    but the second chunk's terms before the first's).
    """
    statements: list[tuple[Any, list[Any]]] = []
    for start in range(0, len(docs), _CHUNK):
        chunk = docs[start : start + _CHUNK]
        if chunk and documents:
            statements.append(_index_rows(dialect, chunk))
        if chunk and titles:
            statements.append(_title_rows(dialect, chunk))
    if frequencies:
        found: Counter[str] = Counter()
        for doc in docs:  # one C-level update per document, not a generator step per term
            found.update(doc.distinct_terms)
        counts = sorted(found.items())
        if counts:
            statements.append(_frequency_rows(dialect, counts))
    return statements


async def index_articles(session: AsyncSession, docs: Sequence[Document]) -> None:
    """Stage the index entries of new articles in the caller's transaction."""
    for statement, rows in index_statements(session.bind.dialect.name, docs):
        await session.execute(statement, rows)


def index_existing(connection: Connection, *, report: Any = None, batch: int = 2000) -> int:
    """Index every stored article (the migration that creates the index); return how many.

    `report(done, total)` is called after each batch, for progress output. The document
    frequencies are counted once at the end by the engine, from the index itself: upserting
    them batch by batch cost most of the build. (search_titles came later, with its own
    migration: titles_existing.)
    """
    done = _each_stored(connection, report, batch, with_text=True, frequencies=False, titles=False)
    for statement in _count_frequencies(connection.dialect.name):
        connection.execute(text(statement))
    return done


def titles_existing(connection: Connection, *, report: Any = None, batch: int = 5000) -> int:
    """Fill search_titles for every stored article (its migration); return how many."""
    return _each_stored(
        connection, report, batch, with_text=False, frequencies=False, documents=False
    )


def _each_stored(
    connection: Connection, report: Any, batch: int, *, with_text: bool, **parts: bool
) -> int:
    dialect = connection.dialect.name
    total = connection.execute(select(func.count()).select_from(Article)).scalar_one()
    body = Article.text if with_text else literal("")
    done, last_id = 0, 0
    while True:
        rows = connection.execute(
            select(Article.id, Article.headline, Article.original_title, body, Article.published_at)
            .where(Article.id > last_id)
            .order_by(Article.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        docs = [document(*row) for row in rows]
        for statement, parameters in index_statements(dialect, docs, **parts):
            connection.execute(statement, parameters)
        done += len(rows)
        last_id = rows[-1][0]
        if report is not None:
            report(done, total)
    return done


def _count_frequencies(dialect: str) -> list[str]:
    """Fill search_terms from the whole index (which must be all there is)."""
    if dialect == "postgresql":
        return [
            "INSERT INTO search_terms (term, df)"
            f" SELECT word, ndoc FROM ts_stat('SELECT document FROM {SEARCH_TABLE}')"
        ]
    vocabulary = f"temp.{SEARCH_TABLE}_vocabulary"
    return [
        f"CREATE VIRTUAL TABLE {vocabulary} USING fts5vocab(main, {SEARCH_TABLE}, row)",
        f"INSERT INTO search_terms (term, df) SELECT term, doc FROM {vocabulary}",
        f"DROP TABLE {vocabulary}",
    ]


def create_statements(dialect: str) -> list[str]:
    """DDL of the index's table (see finish_statements for the rest)."""
    if dialect == "postgresql":
        return [
            f"CREATE TABLE {SEARCH_TABLE} ("
            " article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
            " document TSVECTOR NOT NULL)"
        ]
    # Contentless: the text is in `articles` already. Prefix indexes of 2 and 3 characters
    # make a half-typed word cheap.
    return [
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
        "title, body, content='', prefix='2 3', tokenize='unicode61 remove_diacritics 0')"
    ]


def finish_statements(dialect: str) -> list[str]:
    """DDL that follows the table's first filling: a GIN index built in one go is several
    times faster than one grown row by row; then the planner's statistics of the lexemes."""
    if dialect == "postgresql":
        return [
            f"CREATE INDEX ix_{SEARCH_TABLE}_document ON {SEARCH_TABLE} USING GIN (document)",
            f"ANALYZE {SEARCH_TABLE}",
        ]
    return []


def drop_statements(dialect: str) -> list[str]:
    return [f"DROP TABLE IF EXISTS {SEARCH_TABLE}"]


# --- queries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """What an article must have: every term of `terms`, and when `typed` is set, its term or
    any term starting with one of its prefixes: (term, prefixes)."""

    terms: tuple[str, ...]
    typed: tuple[str, tuple[str, ...]] | None = None
    # The terms the half-typed word is taken to mean, when known (completions): matched as
    # whole terms, lazily newest first. Left to the engines, a prefix merges the whole
    # posting list of every term it starts (SQLite's FTS5 and PostgreSQL's GIN alike): 50 ms
    # for a word in a third of a million articles.
    completions: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # One prefix given as a plain string, as ParsedQuery has it, is that one prefix.
        if self.typed is not None and isinstance(self.typed[1], str):
            object.__setattr__(self, "typed", (self.typed[0], (self.typed[1],)))

    @property
    def empty(self) -> bool:
        return not self.terms and self.typed is None

    @property
    def groups(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """What an article must have, one requirement each: (term, prefixes); the terms in
        order, then the half-typed word. Bit i of a Candidate's title_hits is group i."""
        plain = tuple((term, ()) for term in self.terms)
        return plain if self.typed is None else (*plain, self.typed)

    @property
    def unmatchable(self) -> bool:
        """A term the index cannot have (empty, too long): nothing matches."""
        words = list(self.terms)
        if self.typed is not None:
            words += [self.typed[0], *self.typed[1], *(self.completions or ())]
        return any(not 0 < len(word) <= MAX_TERM_CHARS for word in words)


def _quote_fts(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_expression(match: Match) -> str:
    """The FTS5 query of a match: quoted terms only, so no FTS5 syntax can come through."""
    parts = [_quote_fts(term) for term in match.terms]
    if match.typed is not None:
        term, prefixes = match.typed
        if match.completions is not None:
            words = dict.fromkeys((term, *match.completions))
            parts.append(f"({' OR '.join(_quote_fts(word) for word in words)})")
        else:
            starts = " OR ".join(f"{_quote_fts(prefix)}*" for prefix in prefixes)
            parts.append(f"({_quote_fts(term)} OR {starts})")
    return " AND ".join(parts)


def tsquery_literal(match: Match) -> str:
    """The PostgreSQL tsquery of a match, written out from quoted lexemes."""
    parts = [_lexeme(term) for term in match.terms]
    if match.typed is not None:
        term, prefixes = match.typed
        if match.completions is not None:
            words = dict.fromkeys((term, *match.completions))
            parts.append(f"({' | '.join(_lexeme(word) for word in words)})")
        else:
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
    """A matching article: which of the match's groups its title has (bit i: Match.groups[i];
    0 when not ranked) and its publish time."""

    article_id: int
    title_hits: int
    published: float  # POSIX seconds: a thousand datetimes cost more to read than the query


def _title_hits_sql(match: Match, dialect: str) -> tuple[str, dict[str, Any]]:
    """An integer expression over `t.terms`: bit i set when group i is in the title (its
    term as a whole word, or a word starting with one of its prefixes)."""
    find = "strpos" if dialect == "postgresql" else "instr"
    bits: list[str] = []
    params: dict[str, Any] = {}
    for index, (term, prefixes) in enumerate(match.groups):
        params[f"hit{index}"] = f" {term} "
        tests = [f"{find}(t.terms, :hit{index}) > 0"]
        for number, prefix in enumerate(prefixes):
            params[f"hit{index}_{number}"] = f" {prefix}"
            tests.append(f"{find}(t.terms, :hit{index}_{number}) > 0")
        bits.append(f"(CASE WHEN {' OR '.join(tests)} THEN {1 << index} ELSE 0 END)")
    return " + ".join(bits) or "0", params


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
    session: AsyncSession,
    match: Match,
    filters: Filters,
    *,
    limit: int,
    rank: bool = True,
    expected: int | None = None,
    newest_id: int = 0,
) -> list[Candidate]:
    """The newest `limit` articles that match, newest first, with their relevance.

    `expected` (about how many articles match, from the document frequencies) and `newest_id`
    let PostgreSQL look in a window of the newest ids first (see _postgres_matches).
    """
    if match.empty or match.unmatchable or filters.impossible:
        return []
    dialect = session.bind.dialect.name
    hits, hit_params = _title_hits_sql(match, dialect) if rank else ("0", {})
    if dialect == "postgresql":
        return await _postgres_matches(
            session, match, filters, limit, (hits, hit_params), expected, newest_id
        )
    where, params, binds = _filter_sql(filters, "s.rowid")
    params |= hit_params | {"limit": limit, "query": fts5_expression(match)}
    join = " JOIN articles AS a ON a.id = s.rowid" if filters.sources is not None else ""
    # FTS5 keeps each term's articles in rowid order: newest first is a walk down the lists,
    # and search_titles is read for the rows walked only.
    sql = (
        f"SELECT s.rowid, {hits}, t.published FROM {SEARCH_TABLE} AS s"
        f" JOIN {TITLES_TABLE} AS t ON t.article_id = s.rowid{join}"
        f" WHERE {SEARCH_TABLE} MATCH :query{where}"
        " ORDER BY s.rowid DESC LIMIT :limit"
    )
    return await _candidates(session, sql, params, binds)


# PostgreSQL looks first among the newest ids where `limit` matches are expected, with this
# margin, then in windows this many times wider, then everywhere.
_WINDOW_MARGIN = 1.5
_WINDOW_GROWTH = 8
# A window wider than this many ids is planned without walking the id index: the planner
# (misled by the estimate of a word's many completions) walked 171,000 ids and read each
# document, 810 ms, where the GIN bitmap and the ids' bitmap together took 30 ms.
_BITMAP_FROM = 10_000


async def _postgres_matches(
    session: AsyncSession,
    match: Match,
    filters: Filters,
    limit: int,
    title_hits: tuple[str, dict[str, Any]],
    expected: int | None,
    newest_id: int,
) -> list[Candidate]:
    """Newest matches on PostgreSQL, which has no ordered walk through a GIN index.

    Walking the id index backwards and testing each document costs a read of every document
    passed over (all of them, for a rare word); taking every match from the GIN index and
    sorting costs a read of every match (most of the archive, for a common word). So the
    matches are taken from the GIN index within a window of the newest ids, sized from the
    document frequencies to hold about `limit` of them, and widened only when it falls short.
    """
    where, params, binds = _filter_sql(filters, "s.article_id")
    join = " JOIN articles AS a ON a.id = s.article_id" if filters.sources is not None else ""
    hits, hit_params = title_hits
    params |= hit_params | {"limit": limit, "query": tsquery_literal(match)}
    sql = (
        f"WITH matching AS MATERIALIZED (SELECT s.article_id FROM {SEARCH_TABLE} AS s{join}"
        f" WHERE s.document @@ CAST(:query AS tsquery) AND s.article_id > :floor{where})"
        f" SELECT t.article_id, {hits}, t.published"
        " FROM (SELECT article_id FROM matching ORDER BY article_id DESC LIMIT :limit) AS top"
        f" JOIN {TITLES_TABLE} AS t ON t.article_id = top.article_id"
        " ORDER BY t.article_id DESC"
    )
    floor = 0
    if expected is not None and newest_id > 0:
        window = math.ceil(_WINDOW_MARGIN * limit * newest_id / max(expected, 1))
        floor = max(0, newest_id - window)
    while True:
        wide = 0 < floor < newest_id - _BITMAP_FROM
        if wide:
            await session.execute(text("SET LOCAL enable_indexscan = off"))
        # The wide window's statement is a text of its own: a prepared statement's cached
        # generic plan would not see the setting.
        statement = sql + " /* wide window */" if wide else sql
        found = await _candidates(session, statement, params | {"floor": floor}, binds)
        if wide:
            await session.execute(text("SET LOCAL enable_indexscan TO DEFAULT"))
        if floor == 0 or len(found) >= limit:
            return found
        floor = max(0, newest_id - (newest_id - floor) * _WINDOW_GROWTH)


async def _candidates(
    session: AsyncSession, sql: str, params: dict[str, Any], binds: list[Any]
) -> list[Candidate]:
    statement = (
        text(sql)
        .bindparams(*binds)
        .columns(column("id", Integer), column("hits", Integer), column("published", Float))
    )
    result = await session.execute(statement, params)
    return [Candidate(int(id_), int(hits), float(when)) for id_, hits, when in result.all()]


async def latest_ids(
    session: AsyncSession, filters: Filters, *, offset: int, limit: int
) -> list[int]:
    """Ids of the newest articles within the filters, newest first.

    Walked from the filter's own index, one branch per category (or per source), each
    stopping at `offset + limit` ids: a rare category costs its own few rows, not a walk back
    through the archive past every article it does not have. (A rare category and a source
    together still walk the category's articles; the caller's deadline bounds that.)
    """
    if filters.impossible:
        return []
    wanted = offset + limit
    tagged = article_categories.c
    branches: list[Select[tuple[int]]] = []
    if filters.category_ids is not None:
        for category_id in sorted(set(filters.category_ids)):
            branch = select(tagged.article_id.label("id")).where(tagged.category_id == category_id)
            if filters.sources is not None:
                branch = branch.join(Article, Article.id == tagged.article_id).where(
                    Article.source_domain.in_(filters.sources)
                )
            branches.append(branch.order_by(tagged.article_id.desc()).limit(wanted))
    elif filters.sources is not None:
        for source in sorted(set(filters.sources)):
            branch = select(Article.id.label("id")).where(Article.source_domain == source)
            branches.append(branch.order_by(Article.id.desc()).limit(wanted))
    else:
        branches.append(select(Article.id.label("id")).order_by(Article.id.desc()).limit(wanted))
    if len(branches) == 1:
        query = branches[0].limit(limit).offset(offset)
    else:
        newest = union(*(select(branch.subquery().c.id) for branch in branches)).subquery()
        query = select(newest.c.id).order_by(newest.c.id.desc()).limit(limit).offset(offset)
    return [int(article_id) for article_id in (await session.scalars(query)).all()]


@dataclass(frozen=True)
class PageArticle:
    """What a page of results shows of an article: what the formatter reads, and when."""

    id: int
    headline: str
    original_title: str
    text: str
    summary: str
    link: str
    source_domain: str
    fetched_at: datetime
    published_at: datetime
    categories: tuple[str, ...]


async def page_articles(session: AsyncSession, ids: Sequence[int]) -> dict[int, PageArticle]:
    """The articles of a search's page, with their categories' names, in one statement.

    Loaded as ORM objects with their categories (selectin), a page cost two statements and a
    third of a search's time at 200,000 articles; joined in one ORM query, SQLite's planner
    materialised every article's categories through the (category_id, article_id) index."""
    if not ids:
        return {}
    tagged = article_categories.c
    query = (
        select(
            Article.id,
            Article.headline,
            Article.original_title,
            Article.text,
            Article.summary,
            func.coalesce(Article.link, Article.canonical_link, ""),
            Article.source_domain,
            Article.fetched_at,
            Article.published_at,
            Category.name,
        )
        .outerjoin(article_categories, tagged.article_id == Article.id)
        .outerjoin(Category, Category.id == tagged.category_id)
        .where(Article.id.in_(sorted(set(ids))))
        .order_by(Article.id, tagged.category_id)
    )
    found: dict[int, PageArticle] = {}
    names: dict[int, list[str]] = {}
    for row in (await session.execute(query)).all():
        article_id, headline, title, text_, summary, link, source, fetched, published, name = row
        if article_id not in found:
            found[article_id] = PageArticle(
                article_id, headline, title, text_, summary, link, source, fetched, published, ()
            )
        if name is not None:
            names.setdefault(article_id, []).append(name)
    return {
        article_id: dataclasses.replace(article, categories=tuple(names.get(article_id, ())))
        for article_id, article in found.items()
    }


async def document_frequencies(session: AsyncSession, terms: Iterable[str]) -> dict[str, int]:
    """How many articles have each term (terms never indexed are absent)."""
    wanted = sorted(set(terms))
    if not wanted:
        return {}
    query = select(SearchTerm.term, SearchTerm.df).where(SearchTerm.term.in_(wanted))
    return {term: df for term, df in (await session.execute(query)).all()}


async def completions(
    session: AsyncSession, prefixes: Sequence[str], *, limit: int
) -> tuple[tuple[str, int], ...]:
    """The `limit` most frequent indexed terms that start with one of the prefixes, with
    their document frequencies, most frequent first: what a half-typed word most likely is.
    One range walk of search_terms' term index per prefix (PostgreSQL: text_pattern_ops,
    whatever the collation)."""
    wanted = sorted({prefix for prefix in prefixes if 0 < len(prefix) <= MAX_TERM_CHARS})
    if not wanted or limit <= 0:
        return ()
    postgres = session.bind.dialect.name == "postgresql"
    low, high = ("~>=~", "~<~") if postgres else (">=", "<")
    arms: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    for index, prefix in enumerate(wanted):
        params[f"p{index}"], params[f"q{index}"] = prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
        arms.append(
            f"SELECT * FROM (SELECT term, df FROM search_terms WHERE term {low} :p{index}"
            f" AND term {high} :q{index} ORDER BY df DESC, term LIMIT :limit) AS c{index}"
        )
    rows = (await session.execute(text(" UNION ALL ".join(arms)), params)).all()
    frequencies: dict[str, int] = {str(term): int(df) for term, df in rows}
    best = sorted(frequencies, key=lambda term: (-frequencies[term], term))[:limit]
    return tuple((term, frequencies[term]) for term in best)


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


class _Deadline:
    """When the statements of one SQLite connection are to be interrupted (monotonic time)."""

    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at = math.inf

    def passed(self) -> int:
        return 1 if time.monotonic() > self.at else 0


# Driver connection → its deadline. The progress handler is installed once, when the
# connection is made (install_interrupt), so that a search sets a deadline without a trip to
# the connection's thread.
_DEADLINES: weakref.WeakKeyDictionary[Any, _Deadline] = weakref.WeakKeyDictionary()


def install_interrupt(dbapi_connection: Any) -> None:
    """Give a new SQLite connection the progress handler that time_limit relies on
    (storage/db.py calls it on connect)."""
    deadline = _Deadline()
    driver = dbapi_connection.driver_connection
    dbapi_connection.run_async(lambda c: c.set_progress_handler(deadline.passed, _PROGRESS_STEPS))
    _DEADLINES[driver] = deadline


def _timed_out(seconds: float) -> SearchTimeout:
    return SearchTimeout(f"search cut off after {seconds:g} s")


# A PostgreSQL statement may run this long past the deadline before its limit is set again
# (one trip saved per statement when a search's statements follow each other quickly).
_STATEMENT_SLACK = 0.01
_PG_LIMIT = "nashra_search_deadline"
# A bound parameter: one prepared statement, whatever the milliseconds.
_SET_STATEMENT_TIMEOUT = "SELECT set_config('statement_timeout', $1, true)"


class _StatementLimit:
    """The deadline of the statements of one PostgreSQL transaction, and the limit in force
    (seconds a statement started now may run; inf before the first)."""

    __slots__ = ("deadline", "in_force")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.in_force = math.inf

    def before_statement(self, cursor: Any) -> None:
        now = time.monotonic()
        if now + self.in_force <= self.deadline + _STATEMENT_SLACK:
            return
        milliseconds = max(1, int((self.deadline - now) * 1000))
        # SET LOCAL's equivalent (is_local = true): for this transaction only.
        cursor.execute(_SET_STATEMENT_TIMEOUT, (str(milliseconds),))
        self.in_force = milliseconds / 1000


def _limit_statement(
    connection: Connection, cursor: Any, statement: Any, parameters: Any, context: Any, many: bool
) -> None:
    """before_cursor_execute: each statement of a limited block gets the time remaining."""
    limit = connection.info.get(_PG_LIMIT)
    if limit is not None:
        limit.before_statement(cursor)


@asynccontextmanager
async def time_limit(
    session: AsyncSession, seconds: float | None = None, *, deadline: float | None = None
) -> AsyncIterator[None]:
    """Cut the queries of this block off at one deadline (`deadline`, monotonic time, or
    `seconds` from now) with SearchTimeout: the block as a whole, not each statement.

    PostgreSQL: before each statement, `statement_timeout` (for this transaction only) is set
    to the time that remains. SQLite: the connection's progress handler interrupts the
    statement running at the deadline. Either way the connection stays usable.
    """
    if deadline is None:
        if seconds is None:
            yield
            return
        deadline = time.monotonic() + seconds
    budget = max(0.0, deadline - time.monotonic())
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        engine = connection.sync_engine
        if not event.contains(engine, "before_cursor_execute", _limit_statement):
            event.listen(engine, "before_cursor_execute", _limit_statement)
        info = connection.info
        info[_PG_LIMIT] = _StatementLimit(deadline)
        try:
            yield
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == _QUERY_CANCELED or "57014" in str(exc):
                raise _timed_out(budget) from None
            raise
        finally:
            info.pop(_PG_LIMIT, None)
        return
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    sqlite_deadline = _DEADLINES.get(driver)
    installed = sqlite_deadline is not None
    if sqlite_deadline is None:  # an engine not made by storage.db: install for this block only
        sqlite_deadline = _Deadline()
        await driver.set_progress_handler(sqlite_deadline.passed, _PROGRESS_STEPS)
    sqlite_deadline.at = deadline
    try:
        yield
    except DBAPIError as exc:
        if "interrupted" in str(exc.orig):
            raise _timed_out(budget) from None
        raise
    finally:
        sqlite_deadline.at = math.inf
        if not installed:
            await driver.set_progress_handler(None, 0)
