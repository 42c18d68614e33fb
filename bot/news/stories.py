"""Same story, several outlets: near-duplicate detection over the last 72 hours.

An article's fingerprint is what the check needs of it, small enough to keep 50,000 of them in
memory and to store beside the article (`Fingerprint.to_bytes`), so that a process can rebuild
its index from the database at start:

- its **shingles**: runs of SHINGLE_WORDS stemmed, normalised content words (no stopwords) of the
  headline and of the text, each hashed to 32 bits (blake2b: the same in every process, unlike
  `hash()`);
- a **MinHash signature** of all of them (datasketch, NUM_PERM values, a fixed seed), whose
  agreement estimates the Jaccard similarity of two articles;
- the **opening**: the hashes of the first OPENING_SHINGLES shingles of the text, in order. A
  teaser is an outlet's opening, and the Jaccard similarity of a 30-shingle teaser with its
  400-shingle article is under 0.1, so the teaser case is decided (and found) on openings;
- a 64-bit key of the normalised headline, when it has enough words to name one story.

Pure: no database, no clock; times are given by the caller.
"""

from __future__ import annotations

import hashlib
import heapq
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
from datasketch import MinHash

from bot.text.arabic import content_terms, tokens

# Three words: stemming and stopword removal already take out what outlets vary most (clitics,
# particles, «وقال»), so the same sentence written again gives the same 3-grams; two words would
# count «وقف اطلاق» and «اطلاق نار» as shared by every ceasefire story, and four would let one
# changed word break four shingles, pushing true rewrites under the threshold.
SHINGLE_WORDS = 3
# 128 values estimate a Jaccard of 0.5 within ±0.044 (one standard deviation, √(J(1−J)/128)),
# in 512 bytes per article; 64 would be ±0.063, 256 costs twice the memory and the time.
NUM_PERM = 128
MINHASH_SEED = 20260911
# datasketch's 32-bit permutation scheme (from 2.0): stored signatures depend on it.
MINHASH_SCHEME = "affine32"

# Thresholds of the issue: a near-copy, or a copy that holds most of the other.
SAME_STORY_JACCARD = 0.5
SAME_STORY_CONTAINMENT = 0.8
# Texts this alike are one story whatever numbers their headlines name.
SAME_TEXT_JACCARD = 0.8
# Fewer shingles than this are too few to judge by: a headline-only entry is judged by its
# headline, a one-line text by nothing but its headline.
MIN_SHINGLES = 5
# Headlines of fewer normalised words are recurring labels («حالة الطقس», «نشرة الأخبار»,
# «عاجل»), used for a different story every day.
HEADLINE_MIN_WORDS = 4
# The text's first shingles kept for teasers: a 400-character teaser has about 40; 64 leave room
# for a byline or a photo caption that the full page has in front of the text.
OPENING_SHINGLES = 64
# The opening's first shingles that are indexed (see OPENING_SIGNATURE): a teaser of half of
# them has an estimated Jaccard of 0.5 with the article's opening.
OPENING_INDEXED = 32

# LSH banding: BANDS bands of ROWS values each. An article is a candidate when one band of its
# signature equals one of another's, with probability 1 − (1 − J²)²⁰: 99.7 % at J = 0.5, 97 % at
# 0.4, 18 % at 0.1, 0.2 % at 0.01. (Bands of three values would need 42 bands for 99.6 % at 0.5.)
BANDS = 20
ROWS = 2

WINDOW = timedelta(hours=72)
# The same headline with other words: the same story when published this close together (the
# outlets' versions of one event), not a day apart (a daily bulletin's recurring title).
HEADLINE_WINDOW = timedelta(hours=12)

_FORMAT_VERSION = 2
# version, num_perm, shingles, headline key, headline numbers key, opening length
_HEADER = struct.Struct("<BHIQQH")
_NO_HEADLINE = 0

_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations
# Band keys are the band's two 32-bit values in one 64-bit word, salted per band so that equal
# values in two different bands never meet.
_BAND_SALTS = np.random.default_rng(MINHASH_SEED).integers(
    0, np.iinfo(np.uint64).max, BANDS, dtype=np.uint64, endpoint=True
)

Signature = npt.NDArray[np.uint32]


def _hash32(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=4).digest(), "little")


def shingles(terms: Sequence[str]) -> list[str]:
    """The word n-grams of terms, in order, repeats kept; fewer terms than SHINGLE_WORDS are
    one shingle (a short headline still has one)."""
    if len(terms) < SHINGLE_WORDS:
        return [" ".join(terms)] if terms else []
    return [" ".join(terms[i : i + SHINGLE_WORDS]) for i in range(len(terms) - SHINGLE_WORDS + 1)]


def _distinct_hashes(terms: Sequence[str]) -> list[int]:
    return list(dict.fromkeys(_hash32(shingle) for shingle in shingles(terms)))


def _identity(value: int) -> int:
    return value


def minhash(hashes: Iterable[int]) -> Signature:
    """The MinHash signature of a set of 32-bit shingle hashes (all ones when it is empty)."""
    sketch = MinHash(
        seed=MINHASH_SEED,
        hashfunc=_identity,
        permutations=_PERMUTATIONS,
        scheme=MINHASH_SCHEME,
    )
    sketch.update_batch(hashes)
    return np.asarray(sketch.hashvalues, dtype=np.uint32)


def numbers_key(headline: str) -> int:
    """A 64-bit key of the numbers a headline names («الملف رقم 2», «مقتل 5»), 0 for none."""
    numbers = sorted({word for word in tokens(headline) if word.isdigit()})
    if not numbers:
        return _NO_HEADLINE
    digest = hashlib.blake2b(" ".join(numbers).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1


def headline_key(headline: str) -> int:
    """A 64-bit key of the normalised headline, or 0 when it is too short to name one story."""
    words = tokens(headline)
    if len(words) < HEADLINE_MIN_WORDS:
        return _NO_HEADLINE
    digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """What the same-story check knows of an article."""

    signature: Signature  # NUM_PERM uint32 MinHash values of all shingles
    opening: npt.NDArray[np.uint32]  # hashes of the text's first shingles, in order
    shingles: int  # distinct shingles of headline and text
    headline: int  # headline_key, 0 for none
    numbers: int = 0  # numbers_key of the headline, 0 for none
    # Its LSH band keys, computed with it (in the parser's workers) or when first needed; not
    # stored (they follow from the rest).
    keys: npt.NDArray[np.uint64] | None = None

    def to_bytes(self) -> bytes:
        """The compact stored form: a header, the signature's values, the opening's hashes."""
        header = _HEADER.pack(
            _FORMAT_VERSION,
            len(self.signature),
            self.shingles,
            self.headline,
            self.numbers,
            len(self.opening),
        )
        return (
            header + self.signature.astype("<u4").tobytes() + self.opening.astype("<u4").tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """Read what to_bytes wrote; ValueError for anything else."""
        if len(data) < _HEADER.size:
            raise ValueError("not a story fingerprint: too short")
        version, num_perm, count, headline, numbers, opening = _HEADER.unpack_from(data)
        if version != _FORMAT_VERSION or num_perm != NUM_PERM:
            raise ValueError(f"story fingerprint version {version} with {num_perm} values")
        if len(data) != _HEADER.size + 4 * (num_perm + opening):
            raise ValueError("story fingerprint of the wrong length")
        values = np.frombuffer(data, dtype="<u4", offset=_HEADER.size).astype(np.uint32)
        return cls(values[:num_perm], values[num_perm:], count, headline, numbers)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Fingerprint)
            and self.shingles == other.shingles
            and self.headline == other.headline
            and self.numbers == other.numbers
            and np.array_equal(self.signature, other.signature)
            and np.array_equal(self.opening, other.opening)
        )

    __hash__ = None  # type: ignore[assignment]


def fingerprint(headline: str, text: str) -> Fingerprint:
    """The fingerprint of an article, from its headline and text as the feed or page gave them."""
    headline_hashes = _distinct_hashes(content_terms(headline))
    text_hashes = _distinct_hashes(content_terms(text))
    every = set(headline_hashes) | set(text_hashes)
    made = Fingerprint(
        signature=minhash(every),
        opening=np.array(text_hashes[:OPENING_SHINGLES], dtype=np.uint32),
        shingles=len(every),
        headline=headline_key(headline),
        numbers=numbers_key(headline),
    )
    _index_keys(made)
    return made


def jaccard(first: Fingerprint, second: Fingerprint) -> float:
    """The Jaccard similarity of two articles' shingles, as their signatures estimate it."""
    return float(np.count_nonzero(first.signature == second.signature)) / NUM_PERM


def containment(first: Fingerprint, second: Fingerprint) -> float:
    """The share of the shorter opening's shingles that the other opening holds: exact for a
    teaser of up to OPENING_SHINGLES shingles; of two long articles, how alike they open."""
    shorter, longer = sorted((first.opening, second.opening), key=len)
    if len(shorter) < MIN_SHINGLES:
        return 0.0
    return float(np.count_nonzero(np.isin(shorter, longer))) / len(shorter)


def same_story(first: Fingerprint, second: Fingerprint) -> bool:
    """Tell whether two articles tell one story: the same normalised headline, a near-copy
    (estimated Jaccard ≥ 0.5) or one holding the other's opening (containment ≥ 0.8).

    Headlines that name other numbers («الملف رقم 2», «الملف رقم 101»; a toll of 5, of 7) tell
    other news unless the texts are all but the same (Jaccard ≥ 0.8): a templated bulletin
    differs from the last one in little but its numbers."""
    return same_headline(first, second) or same_text(first, second)


def same_headline(first: Fingerprint, second: Fingerprint) -> bool:
    return first.headline != _NO_HEADLINE and first.headline == second.headline


def same_text(first: Fingerprint, second: Fingerprint) -> bool:
    """A near-copy (estimated Jaccard ≥ 0.5) or one holding the other's opening, headlines
    naming the same numbers (or only one, or neither, naming any)."""
    both_long = min(first.shingles, second.shingles) >= MIN_SHINGLES
    similarity = jaccard(first, second) if both_long else 0.0
    if other_numbers(first, second) and similarity < SAME_TEXT_JACCARD:
        return False
    if similarity >= SAME_STORY_JACCARD:
        return True
    return containment(first, second) >= SAME_STORY_CONTAINMENT


def other_numbers(first: Fingerprint, second: Fingerprint) -> bool:
    """Both headlines name numbers, and not the same ones."""
    return bool(first.numbers and second.numbers) and first.numbers != second.numbers


def band_keys(signature: Signature) -> npt.NDArray[np.uint64]:
    """The BANDS keys under which a signature is indexed."""
    pairs = signature[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    keys: npt.NDArray[np.uint64] = ((pairs[:, 0] << np.uint64(32)) | pairs[:, 1]) ^ _BAND_SALTS
    return keys


def _index_keys(print_: Fingerprint) -> npt.NDArray[np.uint64]:
    """The band keys of the whole article and of its opening's first OPENING_INDEXED shingles
    (a MinHash of its own: computed once, kept on the fingerprint)."""
    if print_.keys is not None:
        return print_.keys
    keys = [band_keys(print_.signature)] if print_.shingles >= MIN_SHINGLES else []
    if len(print_.opening) >= MIN_SHINGLES:
        keys.append(band_keys(minhash(print_.opening[:OPENING_INDEXED].tolist())))
    found = np.concatenate(keys) if keys else np.empty(0, dtype=np.uint64)
    object.__setattr__(print_, "keys", found)  # a cache of what the frozen fields give
    return found


class _Bands:
    """Band keys and their article ids: a sorted array for look-ups, and the newest keys in a
    short unsorted tail that is merged in when it grows. Arrays, not a dict of sets: 50,000
    articles have two million keys, which Python objects would hold in hundreds of megabytes."""

    _MERGE_AT = 8192

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._ids = np.empty(0, dtype=np.int64)
        self._tail_keys: list[npt.NDArray[np.uint64]] = []
        self._tail_ids: list[npt.NDArray[np.int64]] = []
        self._tail_size = 0
        # The tail's keys → their ids, for look-ups: np.isin over a short tail cost more than
        # the rest of deciding (it sorts both arrays), on every look-up of every poll.
        self._tail: dict[int, list[int]] = {}
        self._dead: set[int] = set()

    def add(self, article_id: int, keys: npt.NDArray[np.uint64]) -> None:
        self._dead.discard(article_id)  # its old keys, if any, now stand for the new version
        self._tail_keys.append(keys)
        self._tail_ids.append(np.full(len(keys), article_id, dtype=np.int64))
        self._tail_size += len(keys)
        for key in keys.tolist():
            self._tail.setdefault(key, []).append(article_id)
        if self._tail_size >= self._MERGE_AT:
            self._merge()

    def _merge(self) -> None:
        keys = np.concatenate(self._tail_keys)
        ids = np.concatenate(self._tail_ids)
        order = np.argsort(keys, kind="stable")
        keys, ids = keys[order], ids[order]
        at = np.searchsorted(self._keys, keys)
        self._keys = np.insert(self._keys, at, keys)
        self._ids = np.insert(self._ids, at, ids)
        self._tail_keys, self._tail_ids, self._tail_size = [], [], 0
        self._tail = {}

    def drop(self, gone: Iterable[int]) -> None:
        """Forget these articles' keys: lazily, as look-ups skip ids that are no longer indexed,
        until a quarter of the keys are such (one pass over two million keys takes a while)."""
        self._dead.update(gone)
        if len(self._dead) * BANDS * 2 * 4 >= len(self._keys) + self._tail_size:
            if self._tail_size:
                self._merge()
            keep = ~np.isin(self._ids, np.fromiter(self._dead, dtype=np.int64))
            self._keys, self._ids = self._keys[keep], self._ids[keep]
            self._dead.clear()

    def find(self, keys: npt.NDArray[np.uint64]) -> set[int]:
        found: set[int] = set()
        if len(self._keys):
            starts = np.searchsorted(self._keys, keys, side="left")
            ends = np.searchsorted(self._keys, keys, side="right")
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                if start != end:
                    found.update(self._ids[start:end].tolist())
        if self._tail:
            tail = self._tail
            for key in keys.tolist():
                if (ids := tail.get(key)) is not None:
                    found.update(ids)
        return found

    @property
    def nbytes(self) -> int:
        return self._keys.nbytes + self._ids.nbytes + 16 * self._tail_size


@dataclass(frozen=True, slots=True)
class _Entry:
    fingerprint: Fingerprint
    published_at: datetime


def _same(print_: Fingerprint, published_at: datetime | None, entry: _Entry) -> bool:
    if same_text(print_, entry.fingerprint):
        return True
    if not same_headline(print_, entry.fingerprint):
        return False
    return published_at is None or abs(published_at - entry.published_at) <= HEADLINE_WINDOW


class StoryIndex:
    """The articles of the last WINDOW, to find an earlier copy of a new one's story.

    Times are the caller's (an article's publication time; `expire` with the clock's now).
    """

    def __init__(self, window: timedelta = WINDOW) -> None:
        self.window = window
        self._entries: dict[int, _Entry] = {}
        self._headlines: dict[int, set[int]] = {}
        self._bands = _Bands()
        self._by_time: list[tuple[datetime, int]] = []  # a heap, with removed ids left in
        self._removed = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._entries

    def add(self, article_id: int, print_: Fingerprint, published_at: datetime) -> None:
        """Index an article; adding an indexed id again replaces it."""
        if article_id in self._entries:
            self.remove(article_id)
        self._entries[article_id] = _Entry(print_, published_at)
        if print_.headline != _NO_HEADLINE:
            self._headlines.setdefault(print_.headline, set()).add(article_id)
        self._bands.add(article_id, _index_keys(print_))
        object.__setattr__(print_, "keys", None)  # the bands hold them now: not twice
        heapq.heappush(self._by_time, (published_at, article_id))

    def remove(self, article_id: int) -> None:
        """Forget an article (a deleted one); nothing happens for an id not indexed."""
        self._forget([article_id])

    def _forget(self, article_ids: Iterable[int]) -> None:
        gone: list[int] = []
        for article_id in article_ids:
            entry = self._entries.pop(article_id, None)
            if entry is None:
                continue
            gone.append(article_id)
            same_headline = self._headlines.get(entry.fingerprint.headline)
            if same_headline is not None:
                same_headline.discard(article_id)
                if not same_headline:
                    del self._headlines[entry.fingerprint.headline]
        if gone:
            self._bands.drop(gone)

    def expire(self, now: datetime) -> list[int]:
        """Forget the articles published before now − window; return their ids."""
        cutoff = now - self.window
        expired: list[int] = []
        while self._by_time and self._by_time[0][0] < cutoff:
            published_at, article_id = heapq.heappop(self._by_time)
            entry = self._entries.get(article_id)
            if entry is not None and entry.published_at == published_at:
                expired.append(article_id)
        self._forget(expired)
        return expired

    def query(self, print_: Fingerprint) -> set[int]:
        """The ids of indexed articles that may tell the same story: a band of their signature
        or opening is one of this article's, or they have its headline."""
        candidates = {
            article_id
            for article_id in self._bands.find(_index_keys(print_))
            if article_id in self._entries
        }
        if print_.headline != _NO_HEADLINE:
            candidates |= self._headlines.get(print_.headline, set())
        return candidates

    def earlier_story(
        self, print_: Fingerprint, published_at: datetime | None = None
    ) -> int | None:
        """The id of the oldest indexed article with this article's story, or None.

        With `published_at`, the same headline alone tells the same story only within
        HEADLINE_WINDOW: a recurring headline («أسعار الذهب اليوم في دمشق») is tomorrow's news.
        """
        matches = [
            (entry.published_at, article_id)
            for article_id in self.query(print_)
            if _same(print_, published_at, (entry := self._entries[article_id]))
        ]
        return min(matches)[1] if matches else None

    @property
    def index_bytes(self) -> int:
        """The bytes of the band arrays and the fingerprints' arrays (not Python's objects)."""
        arrays = sum(
            entry.fingerprint.signature.nbytes + entry.fingerprint.opening.nbytes
            for entry in self._entries.values()
        )
        return self._bands.nbytes + arrays
