"""The pre-issue-11 text code, frozen: kept to prove that the faster code gives identical output.

A verbatim copy of main's bot/text/arabic.py, of html_to_text (bot/text/html.py) and of
summarise (bot/news/summary.py) before issue 11 made them cheaper. Test-only (and bench/'s
baseline): never import it from bot/, never edit it to follow a change in bot/; a change of
output there is a change of behaviour, and these tests are there to show it.
"""

from __future__ import annotations

import functools
import html
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from html.entities import html5 as html5_entities
from html.parser import HTMLParser
from itertools import islice

import Stemmer

# --- bot/text/arabic.py -------------------------------------------------------------------------

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


def _fold(text: str) -> str:
    """Normalise everything except ة → ه (see _TA_MARBUTA)."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_FOLD).casefold()
    return " ".join(text.split())


def normalise(text: str) -> str:
    """Return a matching key for text; never show the result to people."""
    return _fold(text).translate(_TA_MARBUTA)


def tokens(text: str) -> list[str]:
    """Split the normalised text into words (runs of letters and digits)."""
    return _WORD.findall(normalise(text))


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


def index_terms(text: str) -> list[str]:
    """Return the search terms of text, in order; the same function serves queries and articles."""
    return [term for word in _WORD.findall(_fold(text)) for term in _word_terms(word)]


def _index_and_document_terms(text: str) -> tuple[list[str], list[str]]:
    index: list[str] = []
    document: list[str] = []
    for word in _WORD.findall(_fold(text)):
        own, bare = _word_index_document_terms(word)
        index += own
        document += own
        document += bare
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
# Letters only ([^\W\d_]: no digits, marks or punctuation), counted by the regex engine.
_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_LETTER = re.compile(rf"(?=[^\W\d_])[{_ARABIC_RANGES}]")
_HEBREW_LETTER = re.compile(rf"(?=[^\W\d_])[{_HEBREW_RANGES}]")


def _is_arabic_script(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x0600 <= cp <= 0x06FF
        or 0x0750 <= cp <= 0x077F
        or 0x08A0 <= cp <= 0x08FF
        or 0xFB50 <= cp <= 0xFDFF
        or 0xFE70 <= cp <= 0xFEFF
    )


def _count(text: str, letters: frozenset[str]) -> int:
    return sum(text.count(letter) for letter in letters)


def detect_language(text: str) -> str | None:
    """Return "ar", "fa", "ur" or "he" for right-to-left text, None for anything else.

    None also means: too few letters, or mostly Latin (or another script) letters.
    """
    text = unicodedata.normalize("NFC", text)
    letters = len(_LETTER.findall(text))
    arabic_script = "".join(_ARABIC_LETTER.findall(text))
    total = len(arabic_script)
    hebrew = len(_HEBREW_LETTER.findall(text))
    if max(total, hebrew) < max(_MIN_LETTERS, _MIN_RTL_SHARE * letters):
        return None
    if hebrew > total:
        return "he"

    if _count(arabic_script, _URDU_LETTERS) >= _MIN_URDU_SHARE * total:
        return "ur"
    persian_only = _count(arabic_script, _PERSIAN_ONLY_LETTERS)
    persian_yeh_kaf = _count(arabic_script, _PERSIAN_YEH_KAF)
    arabic_yeh_kaf = _count(arabic_script, _ARABIC_YEH_KAF)
    arabic_endings = _count(arabic_script, _ARABIC_ENDINGS)
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
    for opening, closing in _PAIRED_QUOTES:
        if opening not in line:
            continue
        stack: list[int] = []
        for index, char in enumerate(line):
            if char == opening:
                stack.append(index)
            elif char == closing and stack:
                spans.append((stack.pop(), index))
    straight = [index for index, char in enumerate(line) if char == '"']
    if len(straight) % 2 == 0:
        spans += zip(straight[::2], straight[1::2], strict=True)
    return spans


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


def _line_sentences(line: str) -> list[str]:
    spans = _quoted_spans(line)
    sentences: list[str] = []
    start = 0
    for match in _END_MARKS.finditer(line):
        if any(opening < match.start() and match.end() <= closing for opening, closing in spans):
            continue  # inside a quote: the sentence ends after the closing quote, if at all
        if _is_sentence_end(line, start, match.start(), match.end()):
            sentences.append(line[start : match.end()])
            start = match.end()
    sentences.append(line[start:])
    return [stripped for sentence in sentences if (stripped := sentence.strip())]


def is_dateline(text: str) -> bool:
    """Tell whether text is only a dateline («دمشق، سوريا (CNN) --»), no sentence of its own."""
    return len(text.split()) <= _DATELINE_MAX_WORDS and _DATELINE.match(text) is not None


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; newlines always end one, "؛" never does.

    Quotes keep their sentences: a sentence that ends inside «…» or "…" ends after the closing
    quote. A dateline joins the sentence after it.
    """
    sentences: list[str] = []
    dateline = ""
    for line in text.splitlines():
        for sentence in _line_sentences(line):
            if is_dateline(sentence):
                dateline = f"{dateline} {sentence}" if dateline else sentence
                continue
            sentences.append(f"{dateline} {sentence}" if dateline else sentence)
            dateline = ""
    if dateline:
        sentences.append(dateline)
    return sentences


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


# --- bot/text/html.py (html_to_text) -------------------------------------------------------------

# Their content is code, an embedded document or a whole page's <title>, never article text.
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "math"}
    | {"title"}
)
# Tags that end a paragraph in a browser; <br> only ends a line.
_BLOCK_TAGS = frozenset(
    "p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre tr table section article header"
    " footer aside nav figure figcaption hr main address details summary".split()
)
_LINE_BREAK = "\n"
_PARAGRAPH_BREAK = "\n\n"

# Feeds wrapped twice in CDATA leave the markers inside the HTML; the content between them is
# ordinary markup.
_CDATA_MARKERS = re.compile(r"<!\[CDATA\[|\]\]>")
# After html.parser has decoded entities once, an entity still standing came from "&amp;xxx;":
# the feed escaped its HTML twice.
_LEFTOVER_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_TAG = re.compile(r"<[^>]*>")


class _TextExtractor(HTMLParser):
    """Collect the visible text of an HTML fragment, with line and paragraph breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.saw_markup_breaks = False
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif not self._skipping:
            self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif not self._skipping and tag in _BLOCK_TAGS:
            self._break(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <script/> or <iframe/> has no content to skip; <br/> is one line break, not two.
        if not self._skipping and tag not in _SKIPPED_TAGS:
            self._break(tag)

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)

    def _break(self, tag: str) -> None:
        if tag == "br":
            self.parts.append(_LINE_BREAK)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH_BREAK)
        else:
            return
        self.saw_markup_breaks = True


def _extract(fragment: str) -> tuple[list[str], bool]:
    parser = _TextExtractor()
    try:
        parser.feed(fragment)
        parser.close()
    except (AssertionError, ValueError, IndexError):  # pragma: no cover - html.parser bugs
        # Some ill-formed declarations have made html.parser raise in past Python versions; a
        # feed must never stop on its description, so fall back to dropping anything tag-like.
        return [html.unescape(_TAG.sub(" ", fragment))], False
    return parser.parts, parser.saw_markup_breaks


def _decode_leftover_entity(match: re.Match[str]) -> str:
    entity = match.group()
    if entity.startswith("&#") or entity[1:] in html5_entities:
        return html.unescape(entity)
    # Not an entity: html.unescape would still read "&notanentity;" as "¬anentity;".
    return entity


def html_to_text(fragment: str) -> str:
    """Turn an HTML fragment from a feed into plain text, paragraphs split by one blank line."""
    fragment = _CDATA_MARKERS.sub("", fragment.replace("\r\n", "\n").replace("\r", "\n"))
    parts, saw_markup_breaks = _extract(fragment)
    if saw_markup_breaks:
        # Real HTML: a newline in the source is just a space, the tags carry the layout. A
        # description without any such tag is plain text, and its newlines are the layout.
        parts = [
            part if part in (_LINE_BREAK, _PARAGRAPH_BREAK) else part.replace("\n", " ")
            for part in parts
        ]
    text = _LEFTOVER_ENTITY.sub(_decode_leftover_entity, "".join(parts))
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


# --- bot/news/summary.py (summarise) -------------------------------------------------------------

ELLIPSIS = "…"
# Left at the end of a cut text, these would sit right before the ellipsis ("قال: …").
_TRAILING_PUNCTUATION = " \t\n,;:-–—،؛"
_PARTIAL_LAST_WORD = re.compile(r"\s+\S*$")


def truncate_words(text: str, max_chars: int) -> str:
    """Cut text to at most max_chars at a word boundary, ending it with "…" if it was cut.

    A single word longer than the budget is the only thing ever cut inside a word.
    """
    text = text.strip()
    if len(text) <= max_chars:
        return text
    budget = max_chars - len(ELLIPSIS)
    if budget <= 0:
        return ""
    cut = text[:budget]
    if not text[budget].isspace():
        # The budget ends inside a word: drop that partial word, unless it is the only one.
        cut = _PARTIAL_LAST_WORD.sub("", cut) or cut
    return cut.rstrip(_TRAILING_PUNCTUATION) + ELLIPSIS


def summarise(text: str, max_chars: int, *, headline: str = "") -> str:
    """Return the lead sentences of text that fit in max_chars, joined by spaces.

    A first sentence that only repeats the headline is skipped: the post shows the headline
    anyway. If even the first sentence is too long, it is cut at a word boundary with "…".
    """
    sentences = split_sentences(text)
    if sentences and headline and tokens(sentences[0]) == tokens(headline):
        sentences = sentences[1:]
    if not sentences or max_chars <= 0:
        return ""

    summary = sentences[0]
    if len(summary) > max_chars:
        return truncate_words(summary, max_chars)
    for sentence in sentences[1:]:
        longer = f"{summary} {sentence}"
        if len(longer) > max_chars:
            break
        summary = longer
    return summary
