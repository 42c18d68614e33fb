"""Arabic text for matching: normalisation, stemming, language detection, sentences.

Everything here is for *matching* (search, dedupe, language filter, summaries). Nothing in this
module changes how text is displayed: posts show the outlet's own spelling.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

import Stemmer

# --- normalisation tables (built once at import) -------------------------------------------------


def _code_points(*ranges: tuple[int, int]) -> Iterable[int]:
    for first, last in ranges:
        yield from range(first, last + 1)


# Invisible characters that feeds paste into words; left in, they split or disguise a word.
_INVISIBLE = _code_points(
    (0x200B, 0x200F),  # zero-width space/joiners, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2066, 0x2069),  # bidi isolates
    (0xFEFF, 0xFEFF),  # BOM / zero-width no-break space
    (0x061C, 0x061C),  # Arabic letter mark
)
# Vowel signs and Quranic annotation: optional in Arabic writing, so a word must match with or
# without them.
_MARKS = _code_points(
    (0x0610, 0x061A),  # Quranic honorifics and small letters
    (0x064B, 0x065F),  # harakat, tanween, shadda, sukun, hamza above/below
    (0x0670, 0x0670),  # superscript alef
    (0x06D6, 0x06DC),  # Quranic pause marks
    (0x06DF, 0x06E8),  # Quranic small letters and marks
    (0x06EA, 0x06ED),  # Quranic vowel marks
    (0x0640, 0x0640),  # tatweel: stretches a word for layout only
)
_DROP: dict[int, None] = {cp: None for cp in (*_INVISIBLE, *_MARKS)}

# Spelling variants that writers use interchangeably (hamza seats, final ya, Persian keyboards).
_LETTER_FOLDS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ؤ": "و",
    "ئ": "ي",
    "ک": "ك",
    "ی": "ي",
}
_DIGIT_FOLDS = {chr(0x0660 + d): str(d) for d in range(10)} | {
    chr(0x06F0 + d): str(d) for d in range(10)
}
_FOLD = str.maketrans(_LETTER_FOLDS | _DIGIT_FOLDS) | _DROP

# Kept apart from _FOLD: the stemmer recognises ة as a feminine ending and strips it, but would
# take a folded ه for part of the stem (or the pronoun suffix), so ة → ه must come after stemming.
_TA_MARBUTA = str.maketrans({"ة": "ه"})

_WORD = re.compile(r"[^\W_]+")


def _fold_piece(piece: str) -> str:
    """The fold of text already NFKC-normalised: diacritics, letter variants, case."""
    return piece.translate(_FOLD).casefold()


def _fold(text: str) -> str:
    """Normalise everything except ة → ه (see _TA_MARBUTA)."""
    return " ".join(_fold_piece(unicodedata.normalize("NFKC", text)).split())


def normalise(text: str) -> str:
    """Return a matching key for text; never show the result to people."""
    return _fold(text).translate(_TA_MARBUTA)


def tokens(text: str) -> list[str]:
    """Split the normalised text into words (runs of letters and digits)."""
    # As _WORD.findall(normalise(text)), one whitespace-separated piece at a time (see _pieces).
    return [word for piece in _pieces(text) for word in _piece_tokens(piece)]


def _pieces(text: str) -> list[str]:
    """The whitespace-separated pieces of text after NFKC, which must see the whole text.

    Folding a whole text costs more than stemming its words from a cache: str.translate looks
    every character up in its table. So a text is cut into pieces, and each distinct piece is
    folded (and split into words, and stemmed) once. The words are the same as those of the
    whole text: translate, casefold and _TA_MARBUTA map each character on its own and leave
    whitespace as it is, and whitespace ends a word anyway (tests/text/test_equivalence.py
    checks every whitespace character). The caches are bounded: a piece and its words take some
    300 bytes, and the feed parser's workers keep theirs for their lifetime.
    """
    return unicodedata.normalize("NFKC", text).split()


@functools.lru_cache(maxsize=20_000)  # headlines and first sentences (summarise)
def _piece_tokens(piece: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(_fold_piece(piece).translate(_TA_MARBUTA)))


# --- stemming ------------------------------------------------------------------------------------

# PyStemmer objects keep a per-instance cache and are not safe to share between threads (feeds
# are parsed in worker threads), so the one instance is used under a lock.
_STEMMER = Stemmer.Stemmer("arabic")
_STEMMER_LOCK = threading.Lock()

# The article and the clitics glued in front of it (ال، بال، كال، لل، وال، فال، وبال …) are
# removed before the stemmer sees a word. Snowball removes some of them itself, but only
# under length conditions, so that a word and the same word with ال often got different stems
# ("رحلات" → "رحلا", "الرحلات" → "رحل"; "لاجئين" → "لاجي", "اللاجئين" → "لاج"). Over the
# Arabic feeds of the shared corpus, 1,144 of 1,456 words seen both with and without ال had
# one stem; removing the article first makes it all of them, and all of the بال, لل and وال
# pairs too. The remainder must keep three letters after a clitic and two after ال alone, so
# that words such as والد, والي or ألف (folded الف), where the letters are the root's, stay.
#
# Two letters after ال alone are not always a word with the article: «الآن» (now), «الذي»,
# «التي», «ألفي» (folded الفي), «ألما» (folded الما), «الأم» (the mother, or «أم»: or)
# would lose ال and become a function word (أن، ذي، في، ما، أم …): a keyword alert on the one
# would fire on the other, and a search for it would drop it as a stopword. Those words keep
# their ال (the stemmer then sees the whole word: «ألفي» → «الف», as «ألف»).
_FUNCTION_WORDS_2 = (
    "اذ او اي ان ام بك بل بي تي ثم ذا ذو ذي عن في قد كم كي لا لك لم لن له لو لي ما مع من "
    "ها هم هن هو هي يا"
).split()
_FUNCTION_WORD_SET = frozenset(_FUNCTION_WORDS_2)
_ARTICLE = re.compile(
    r"^(?:[وف]?[بك]?ال(?=...)|[وف]?لل(?=...)|ال(?=..)(?!(?:" + "|".join(_FUNCTION_WORDS_2) + r")$))"
)
# The name of God, with the clitics glued to it (الله، لله، والله، فالله، بالله، تالله، ولله،
# اللهم …): one term, never «له» (to him) nor «لهم» (for them), which are in every other
# article. The ligature ﷲ and «اللّٰه» fold to الله first. A name written as one word
# («عبدالله»، «نصرالله») is two terms, as written apart: «عبد الله».
ALLAH = "الله"
_ALLAH_FORM = re.compile(r"^(?:[وف]?[بتك]?ال|[وف]?ل)لهم?$")
_ALLAH_NAME = re.compile(r"^(?P<name>..+?)الله$")
# Many writers end a word with ه where ة belongs ("المدينه"). The stemmer strips ة but takes ه
# for part of the stem after ال ("المدينه" → "مدينه", yet "مدينه" → "مدين"), so a final ه is
# read as ة before stemming: over the Arabic feeds of the shared corpus this made every
# ة/ه spelling pair of a word give one term (555 of 1,212 before), and no ال pair split that
# agreed before. A real final ه (a pronoun, "اتجاه") is read the same way at index and query
# time, so it still matches itself.
_FINAL_HA = re.compile(r"(?<=...)ه$")


@functools.lru_cache(maxsize=200_000)
def _stem_folded(word: str) -> str:
    # Cached: news repeats its vocabulary, and stemming is most of the cost of indexing.
    word = _FINAL_HA.sub("ة", _ARTICLE.sub("", word))
    with _STEMMER_LOCK:
        stemmed: str = _STEMMER.stemWord(word)
    return stemmed.translate(_TA_MARBUTA)


def _word_terms(word: str) -> tuple[str, ...]:
    """The terms of one folded word: one, or two for a name such as «عبدالله»."""
    if _ALLAH_FORM.match(word):
        return (ALLAH,)
    if (name := _ALLAH_NAME.match(word)) is not None:
        return (*_word_terms(name["name"]), ALLAH)
    term = _stem_folded(word)
    return (term,) if term else ()


# Conjunctions and prepositions glued to a word without ال: "وأنقرة", "لتهريب", "بدمشق". The
# stemmer removes some (not و or ف before ا, not ل, ب or ك from a short word); a letter here may
# also be the root's own ("وزير", "بلد"), so a document gets both terms (document_terms).
_BARE_CLITIC = re.compile(r"^(?:[وف][بكل]?|[بكل])(?=...)")


@functools.lru_cache(maxsize=200_000)
def _word_index_document_terms(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A folded word's index terms, and the terms its index document adds: those of the word
    without a clitic glued on, when they differ. Cached: one look-up per word of an article."""
    own = _word_terms(word)
    bare = _BARE_CLITIC.sub("", word)
    if bare == word:
        return own, ()
    return own, tuple(term for term in _word_terms(bare) if term not in own)


def stem(word: str) -> str:
    """Return the search term for one word (normalised, stemmed); a name written as one word
    («عبدالله») has two, joined by a space."""
    return " ".join(_word_terms(_fold(word)))


_PIECES_CACHED = 50_000  # pieces of articles (article_terms, index_terms): see _pieces


@functools.lru_cache(maxsize=_PIECES_CACHED)
def _piece_terms(piece: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The index terms and the document terms of one piece of text (NFKC, no whitespace)."""
    index: list[str] = []
    document: list[str] = []
    for word in _WORD.findall(_fold_piece(piece)):
        own, bare = _word_index_document_terms(word)
        index += own
        document += own
        document += bare
    own_terms = tuple(index)
    return own_terms, (own_terms if len(document) == len(index) else tuple(document))


def index_terms(text: str) -> list[str]:
    """Return the search terms of text, in order; the same function serves queries and articles."""
    return [term for piece in _pieces(text) for term in _piece_terms(piece)[0]]


def _index_and_document_terms(text: str) -> tuple[list[str], list[str]]:
    index: list[str] = []
    document: list[str] = []
    for piece in _pieces(text):
        own, terms = _piece_terms(piece)
        index += own
        document += terms
    return index, document


def document_terms(text: str) -> list[str]:
    """Return the search index's terms of text: index_terms, and after the term of a word with a
    clitic glued on (و ف ب ك ل without ال), the term of the word without it.

    Queries use index_terms: "أنقرة" then finds "وأنقرة", while "وزير" still finds "وزير".
    """
    return _index_and_document_terms(text)[1]


@dataclass(frozen=True)
class ArticleTerms:
    """What an article's text gives matching, made in one pass over its words."""

    index: list[str]  # index_terms of the title and text together (categories, keyword alerts)
    title: list[str]  # document_terms of the title (the search index)
    text: list[str]  # document_terms of the text


def article_terms(title: str, text: str) -> ArticleTerms:
    """index_terms(title + "\n" + text), document_terms(title) and document_terms(text), each
    word folded, split and stemmed once for all three."""
    title_index, title_document = _index_and_document_terms(title)
    text_index, text_document = _index_and_document_terms(text)
    return ArticleTerms(title_index + text_index, title_document, text_document)


# Words that say nothing about what an article is about: prepositions, particles, pronouns,
# demonstratives, relatives, quantifiers, and the reporting verbs that every news sentence has
# («قال», «أضاف», «أكد»). Reviewed by hand for news; common forms with و/ف/ب/ل glued on are
# listed, as the stemmer does not take those off short words. Compared folded (_fold).
_STOPWORDS_TEXT = """
في من إلى على عن مع بين حول ضد دون لدى عبر وفق حتى منذ خلال بعد قبل عند نحو حوالي تحت فوق
أمام خلف داخل خارج ضمن إثر جراء بسبب بحسب حسب وفقا وفقاً لدى لـ بـ
و ف ثم أو أم بل لكن لكنه لكنها غير سوى إلا إن أن إنه أنه أنها إنها إنهم أنهم كأن لأن بأن
كان كانت كانوا يكون تكون يكن ليس ليست قد لقد لم لن لا ما ماذا هل كيف متى أين لماذا إذا إذ لو
لولا كي لكي حيث كما كذلك أيضا أيضاً فقط عندما بينما فيما مما ممن عما حين
هو هي هم هن هما أنا نحن أنت أنتم له لها لهم به بها بهم منه منها منهم عليه عليها عليهم فيه
فيها فيهم عنه عنها إليه إليها معه معها
هذا هذه ذلك تلك هؤلاء أولئك هنا هناك الذي التي الذين اللذين اللتين اللواتي اللاتي
كل بعض جميع عدة أي أية أكثر أقل مثل نفس ذات عدد
قال قالت يقول تقول وقال وقالت أضاف أضافت وأضاف وأضافت يضيف أكد أكدت وأكد وأكدت يؤكد
أوضح أوضحت وأوضح وأوضحت أشار أشارت وأشار وأشارت مشيرا مشيراً مضيفا مضيفاً
وفي ومن وإلى وعلى وعن ومع وبين وهو وهي وهم وهذا وهذه وذلك وقد فقد ولم ولن ولا وما وإن وأن
وكان وكانت والتي والذي والذين وكل وكما فيما وفيما وبعد وقبل وخلال ومنذ وحتى أما وأما
اليوم أمس
"""
STOPWORDS = frozenset(_fold(word) for word in _STOPWORDS_TEXT.split())


def content_terms(text: str) -> list[str]:
    """Return the index terms of the words of text that carry its meaning: no STOPWORDS."""
    return [
        term
        for word in _WORD.findall(_fold(text))
        if word not in STOPWORDS
        for term in _word_terms(word)
    ]


# What may stand glued in front of a word that is being typed: a conjunction, a preposition,
# the article, in that order (و، ف، ب، ك، ل، ال، وال، بال، وبال، لل، ولل …).
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ك", "ل")
_ARTICLE_LEADS = tuple(
    {c + p + "ال" for c in _CONJUNCTIONS for p in _PREPOSITIONS if p != "ل"}
    | {c + "لل" for c in _CONJUNCTIONS}
)
_BARE_LEADS = tuple({c + p for c in _CONJUNCTIONS for p in _PREPOSITIONS} - {""})
_MIN_PREFIX = 2  # letters a variant keeps


def prefix_variants(prefix: str) -> tuple[str, ...]:
    """The starts of terms a half-typed word may be: itself, and every way of taking a
    leading article or clitics off it that the index (or the stemmer) may have taken: the
    article (its lookahead needs letters that are not typed yet: "والدي" of "والدين"), a
    conjunction and a preposition ("فلسطي" → "لسطي" and "سطي": the stemmer took the ف of
    "فلسطينية"), or both in turn. Longest first; each keeps at least two letters, and none
    is a two-letter function word (from "الان" or "ولاي": "ان*" or "اي*" would match «أن» or
    «أي», in every other article, as the article is never taken off them either)."""
    if _ALLAH_FORM.match(prefix) or prefix.endswith(ALLAH):
        # «الله» typed in full is not the start of «له», «لها», «لهم» (prefix_term).
        return (prefix,)
    seen = {prefix}
    stripped_article = [prefix]
    for lead in _ARTICLE_LEADS:
        if prefix.startswith(lead) and len(prefix) - len(lead) >= _MIN_PREFIX:
            stripped_article.append(prefix[len(lead) :])
    seen.update(stripped_article)
    for word in stripped_article:
        for lead in _BARE_LEADS:
            if word.startswith(lead) and len(word) - len(lead) >= _MIN_PREFIX:
                seen.add(word[len(lead) :])
    rest = sorted(
        seen - {prefix} - _FUNCTION_WORD_SET, key=lambda variant: (-len(variant), variant)
    )
    return (prefix, *rest)


def prefix_term(word: str) -> str:
    """Return the start of a search term that a half-typed word can be ("بالانسح" → "انسح").

    The word is normalised, not stemmed (a stemmer would cut a partial word anywhere), and
    loses the article with its clitics, which index terms never start with.
    """
    words = _WORD.findall(normalise(word))
    if not words:
        return ""
    if _ALLAH_FORM.match(words[-1]):
        return ALLAH  # its term, which does not start like «له»
    return _ARTICLE.sub("", words[-1])


# --- language ------------------------------------------------------------------------------------

_URDU_LETTERS = frozenset("ٹڈڑںہۂۃےۓ")
# Letters Arabic does not have; an Arabic text meets them only in a transcribed foreign name.
_PERSIAN_ONLY_LETTERS = frozenset("پچژگ")
# Persian keyboards type ی and ک where Arabic ones type ي and ك: a strong, frequent signal.
_PERSIAN_YEH_KAF = frozenset("یک")
_ARABIC_YEH_KAF = frozenset("يك")
# Ta marbuta and alef maksura: frequent in Arabic, rare in Persian spelling.
_ARABIC_ENDINGS = frozenset("ةى")

_MIN_LETTERS = 3  # fewer letters than "حلب" cannot tell anything
_MIN_RTL_SHARE = 0.3  # Arabic headlines often carry Latin brand names ("آبل تطلق iPhone 17")
_MIN_URDU_SHARE = 0.01  # Urdu has ے or ہ in almost every sentence
_MIN_PERSIAN_ONLY_SHARE = 0.01  # about 2% in Persian prose, far less from a name or two


_ARABIC_RANGES = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_HEBREW_RANGES = "\u0590-\u05ff\ufb1d-\ufb4f"
# Letters only ([^\W\d_]: no digits, marks or punctuation). The regex engine tests a class of
# Unicode categories character by character, at several times the cost of a plain set of code
# points; so the letters of the Basic Multilingual Plane are listed once, as such a set (what
# [^\W\d_] matches among them, so the two agree by construction), and counted in runs. A text
# with a character beyond the BMP (an emoji, a rare script) is counted by category.
_LETTER = re.compile(r"[^\W\d_]+")
_ARABIC_LETTER = re.compile(rf"(?:(?=[^\W\d_])[{_ARABIC_RANGES}])+")
_HEBREW_LETTER = re.compile(rf"(?:(?=[^\W\d_])[{_HEBREW_RANGES}])+")
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")
_HEBREW_SCRIPT = re.compile(f"[{_HEBREW_RANGES}]")


def _is_arabic_script(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x0600 <= cp <= 0x06FF
        or 0x0750 <= cp <= 0x077F
        or 0x08A0 <= cp <= 0x08FF
        or 0xFB50 <= cp <= 0xFDFF
        or 0xFE70 <= cp <= 0xFEFF
    )


def _code_point_set(code_points: Iterable[int]) -> re.Pattern[str]:
    """Runs of the given code points (ascending), as a class of code point ranges."""
    ranges: list[list[int]] = []
    for cp in code_points:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    members = "".join(f"\\U{first:08x}-\\U{last:08x}" for first, last in ranges)
    return re.compile(f"[{members}]+")


@functools.cache
def _bmp_letter_sets() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Runs of BMP letters, of Arabic-script letters and of Hebrew letters, as code point sets.

    Built on first use (some 30 ms), not at import: most processes never detect a language.
    """
    bmp = "".join(map(chr, range(0x10000)))
    letters = [ord(ch) for run in _LETTER.findall(bmp) for ch in run]
    return (
        _code_point_set(letters),
        _code_point_set(cp for cp in letters if _is_arabic_script(chr(cp))),
        _code_point_set(cp for cp in letters if 0x0590 <= cp <= 0x05FF or 0xFB1D <= cp <= 0xFB4F),
    )


def _count(text: str, letters: frozenset[str]) -> int:
    return sum(text.count(letter) for letter in letters)


def _run_length(pattern: re.Pattern[str], text: str) -> int:
    return sum(map(len, pattern.findall(text)))


def _letters(text: str) -> int:
    """The letters in text."""
    if _BEYOND_BMP.search(text) is not None:
        # The code point sets stop at the BMP; the engine's class does not.
        return _run_length(_LETTER, text)
    return _run_length(_bmp_letter_sets()[0], text)


def _rtl_letters(text: str) -> tuple[int, int]:
    """(Arabic-script letters, Hebrew letters) in text.

    The BMP's sets are the whole of them: both scripts' ranges end below U+10000.
    """
    _, arabic_letter, hebrew_letter = _bmp_letter_sets()
    hebrew = 0
    if _HEBREW_SCRIPT.search(text) is not None:  # rarely: most texts have no Hebrew at all
        hebrew = _run_length(hebrew_letter, text)
    return _run_length(arabic_letter, text), hebrew


# The letters compared below are all Arabic-script letters: counted in the whole text, they are
# counted among its Arabic-script letters (tests/text/test_equivalence.py checks it).
_SIGNAL_LETTERS = (
    _URDU_LETTERS | _PERSIAN_ONLY_LETTERS | _PERSIAN_YEH_KAF | _ARABIC_YEH_KAF | _ARABIC_ENDINGS
)


def detect_language(text: str) -> str | None:
    """Return "ar", "fa", "ur" or "he" for right-to-left text, None for anything else.

    None also means: too few letters, or mostly Latin (or another script) letters.
    """
    text = unicodedata.normalize("NFC", text)
    total, hebrew = _rtl_letters(text)
    rtl = max(total, hebrew)
    # A text has no more letters than characters: when its right-to-left letters make the
    # share of its characters, they make it of its letters, which need not be counted.
    if rtl < max(_MIN_LETTERS, _MIN_RTL_SHARE * len(text)) and rtl < max(
        _MIN_LETTERS, _MIN_RTL_SHARE * _letters(text)
    ):
        return None
    if hebrew > total:
        return "he"

    if _count(text, _URDU_LETTERS) >= _MIN_URDU_SHARE * total:
        return "ur"
    persian_only = _count(text, _PERSIAN_ONLY_LETTERS)
    persian_yeh_kaf = _count(text, _PERSIAN_YEH_KAF)
    arabic_yeh_kaf = _count(text, _ARABIC_YEH_KAF)
    arabic_endings = _count(text, _ARABIC_ENDINGS)
    # Decided by proportions: an Arabic article that spells a name with گ or پ ("گوگل") still
    # has far more ي ك ة ى than Persian letters.
    if persian_only + persian_yeh_kaf > arabic_yeh_kaf + arabic_endings:
        return "fa"
    if persian_only >= _MIN_PERSIAN_ONLY_SHARE * total and persian_only > arabic_endings:
        return "fa"  # Persian typed on an Arabic keyboard (ي ك), as some older sites did
    return "ar"


def is_arabic(text: str) -> bool:
    """Tell whether text is written in Arabic (not Urdu, Persian or Hebrew)."""
    return detect_language(text) == "ar"


# --- sentences -----------------------------------------------------------------------------------

# A run of end marks (۔ is the Urdu full stop that some Arabic keyboards type), with the closing
# quotes or brackets that belong to the sentence.
_CLOSERS = "\"'”’»)]"
_END_MARKS = re.compile(r"[.!?؟…۔]+[\"'”’»)\]]*")
_PAIRED_QUOTES = (("«", "»"), ("“", "”"))
_PAIRED_QUOTE_MARKS = tuple(
    re.compile(f"[{opening}{closing}]") for opening, closing in _PAIRED_QUOTES
)
# A dateline on a line (or after an end) of its own: «دمشق، سوريا (CNN) --», «القاهرة (رويترز):»,
# «بيروت -». It is where the first sentence was written, not a sentence.
_DATELINE = re.compile(
    r"^[^\W\d_][^.!?؟…()\[\]«»\"]{0,48}?\s*"
    r"(?:\([^()]{1,32}\)\s*(?:--?|[–—:])?|(?:--?|[–—]))$"
)
_DATELINE_MAX_WORDS = 6


def _quoted_spans(line: str) -> list[tuple[int, int]]:
    """The (opening, closing) indexes of the quotes that open and close within the line.

    A quote that never closes is not taken for one (feeds lose closing quotes), and straight
    quotes count only when they pair up: with an odd number, which is which cannot be told.
    """
    spans: list[tuple[int, int]] = []
    for (opening, _), quotes in zip(_PAIRED_QUOTES, _PAIRED_QUOTE_MARKS, strict=True):
        if opening not in line:
            continue
        stack: list[int] = []
        for quote in quotes.finditer(line):  # the quotes only, not every character
            if quote.group() == opening:
                stack.append(quote.start())
            elif stack:
                spans.append((stack.pop(), quote.start()))
    straight = _positions(line, '"')
    if len(straight) % 2 == 0:
        spans += zip(straight[::2], straight[1::2], strict=True)
    return spans


def _positions(line: str, char: str) -> list[int]:
    positions: list[int] = []
    index = line.find(char)
    while index >= 0:
        positions.append(index)
        index = line.find(char, index + 1)
    return positions


def _is_sentence_end(line: str, sentence_start: int, start: int, end: int) -> bool:
    marks = line[start:end].rstrip(_CLOSERS)
    following = line[end] if end < len(line) else ""
    if following and not following.isspace():
        # "3.5", "٣.٥", "example.com", "U.S." mid-token: only an Arabic word glued to the mark
        # ("انتهى.وقال") is taken as a new sentence.
        if not _is_arabic_script(following) or not following.isalpha():
            return False
    if marks == ".." and following:
        # "التفاهم.. انسحاب": two dots inside a headline work as a dash.
        return False
    if marks == ".":
        before = line[start - 1] if start >= 1 else ""
        before_that = line[start - 2] if start >= 2 else ""
        if before.isalpha() and not before_that.isalpha():
            # A one-letter word before the dot is an abbreviation: "د.", "م.", "U.S."
            return False
    # Nothing to say yet: the number of a list item ("1. "), or marks that open a line.
    return any(char.isalpha() for char in line[sentence_start:start])


def _line_sentences(line: str) -> Iterator[str]:
    spans = _quoted_spans(line)
    start = 0
    for match in _END_MARKS.finditer(line):
        if any(opening < match.start() and match.end() <= closing for opening, closing in spans):
            continue  # inside a quote: the sentence ends after the closing quote, if at all
        if _is_sentence_end(line, start, match.start(), match.end()):
            if stripped := line[start : match.end()].strip():
                yield stripped
            start = match.end()
    if stripped := line[start:].strip():
        yield stripped


def is_dateline(text: str) -> bool:
    """Tell whether text is only a dateline («دمشق، سوريا (CNN) --»), no sentence of its own."""
    return len(text.split()) <= _DATELINE_MAX_WORDS and _DATELINE.match(text) is not None


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; newlines always end one, "؛" never does.

    Quotes keep their sentences: a sentence that ends inside «…» or "…" ends after the closing
    quote. A dateline joins the sentence after it.
    """
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[str]:
    """split_sentences one sentence at a time: a summary that is full stops splitting there."""
    dateline = ""
    for line in text.splitlines():
        for sentence in _line_sentences(line):
            if is_dateline(sentence):
                dateline = f"{dateline} {sentence}" if dateline else sentence
                continue
            yield f"{dateline} {sentence}" if dateline else sentence
            dateline = ""
    if dateline:
        yield dateline


# Terms longer than this are not indexed (a pasted URL or a run of letters with no spaces):
# nobody searches them, and PostgreSQL refuses lexemes over 2 KB.
MAX_TERM_CHARS = 64
# Terms of an article's text that are indexed; a whole book in a feed entry stops here.
MAX_TEXT_TERMS = 20_000


def indexable_text_terms(terms: Iterable[str]) -> tuple[str, ...]:
    """The terms of an article's text that the search index keeps: at most MAX_TEXT_TERMS,
    none longer than MAX_TERM_CHARS. The feed parser's workers cut them so, before pickling
    (here, not in storage, so that the workers need no database code)."""
    return tuple(islice((term for term in terms if len(term) <= MAX_TERM_CHARS), MAX_TEXT_TERMS))
