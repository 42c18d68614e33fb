import re
from pathlib import Path

import feedparser
import pytest

from bot.text.arabic import (
    ALLAH,
    article_terms,
    detect_language,
    document_terms,
    index_terms,
    is_arabic,
    normalise,
    prefix_term,
    prefix_variants,
    split_sentences,
    stem,
    tokens,
)
from tests.support import FEEDS
from tests.support import needs_corpus as needs_feeds


def _entries(path: Path) -> list[feedparser.FeedParserDict]:
    return list(feedparser.parse(path.read_bytes()).entries)


def _entry_text(entry: feedparser.FeedParserDict) -> str:
    # Crude tag stripping is enough here: only the letters matter to detect_language.
    return re.sub(r"<[^>]*>", " ", f"{entry.get('title', '')} {entry.get('summary', '')}")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("الاِنْسِحَابُ", "الانسحاب"),  # harakat, tanween, shadda, sukun
        ("أحمد إبراهيم آمال ٱلله", "احمد ابراهيم امال الله"),  # hamza seats and wasla
        ("مستشفى", "مستشفي"),  # alef maksura
        ("مدينة", "مدينه"),  # ta marbuta
        ("مؤتمر رئيس", "موتمر رييس"),  # hamza on waw and ya
        ("کتاب ایران", "كتاب ايران"),  # Persian kaf and ya
        ("عــــاجل", "عاجل"),  # tatweel
        ("الرحمٰن", "الرحمن"),  # superscript alef
        ("حل\u200fب\u200b \u202bقسد\u202c\ufeff \u2067x\u2069\u061c", "حلب قسد x"),  # bidi, ZW
        ("١١ كانون ۲۰۲۶", "11 كانون 2026"),  # Arabic-Indic and Persian digits
        ("ﻻ ﺣﻠﺐ", "لا حلب"),  # presentation forms, via NFKC
        ("  Aleppo   STRASSE\n\tحلب ", "aleppo strasse حلب"),  # casefold, whitespace
        ("", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("انسحاب «قسد» من حلب، اليوم!", ["انسحاب", "قسد", "من", "حلب", "اليوم"]),
        ("COVID-19 في ٢٠٢٦", ["covid", "19", "في", "2026"]),
        ("...", []),
    ],
)
def test_tokens(raw: str, expected: list[str]) -> None:
    assert tokens(raw) == expected


@pytest.mark.parametrize(
    "variant",
    ["الانسحاب", "انسحاب", "بالانسحاب", "انسحابها", "والانسحاب", "فالانسحاب", "الاِنْسِحَاب"],
)
def test_stem_conflates_forms_of_a_word(variant: str) -> None:
    assert stem(variant) == stem("الانسحاب")


@pytest.mark.parametrize(
    ("word", "same_as"),
    [
        ("المقاتلين", "مقاتلي"),
        ("المدينة", "مدينة"),
        ("الأخيرة", "الاخيرة"),
    ],
)
def test_stem_matches(word: str, same_as: str) -> None:
    assert stem(word) == stem(same_as)


@pytest.mark.parametrize("word", ["والد", "والي"])
def test_waw_that_is_a_root_letter_is_kept(word: str) -> None:
    assert stem(word).startswith("و")


def test_index_terms_serve_query_and_text_alike() -> None:
    text = 'أفادت الوكالة بخروج الدفعة الأخيرة من مقاتلي "قسد" بعد الانسحاب.'
    query = "المقاتلين الاِنْسِحَاب"
    assert set(index_terms(query)) <= set(index_terms(text))
    assert "ة" not in "".join(index_terms(text))  # folded to ه, after stemming


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("... ، ؛", []),
        ("U.S. ٣.٥", ["u", "s", "3", "5"]),
    ],
)
def test_index_terms_edge_cases(text: str, expected: list[str]) -> None:
    assert index_terms(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('حلب تشهد انسحاباً كاملاً لـ"قسد" بعد اشتباكات وتفاهمات سياسية', "ar"),
        ("حلب", "ar"),
        ("آبل تطلق iPhone 17 Pro Max رسمياً", "ar"),  # Latin brand names in an Arabic headline
        ("شركة گوگل تطلق خدمة جديدة في المنطقة العربية اليوم", "ar"),  # one Persian letter
        ("پاکستان کے وزیر دفاع نے کہا ہے کہ امریکہ سے تعاون معطل کر دیا", "ur"),
        ("وزیر امور خارجه ایران گفت که مذاکرات ادامه خواهد داشت", "fa"),
        ("وزير امور خارجه ايران گفت كه مذاكرات با آمريكا ادامه پيدا خواهد كرد", "fa"),
        ("הכנסת אישרה את החוק בקריאה ראשונה", "he"),
        ("Aleppo sees full withdrawal of the SDF after clashes", None),
        ("The minister (أحمد) said the talks with Damascus will go on", None),
        ("12:30 — 2026", None),
        ("ح", None),
        ("", None),
        ("Пресс-служба сообщила", None),
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected
    assert is_arabic(text) == (expected == "ar")


@needs_feeds
@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("rtl-other/bbc-urdu-2014-03-16.xml", "ur"),
        ("rtl-other/bbc-urdu-miniflux-testdata.xml", "ur"),
        ("rtl-other/voa-urdu-2014-03-16.xml", "ur"),
        ("rtl-other/hamakor-hebrew-2014-12-21.xml", "he"),
        ("ar/bbcarabic-podcast-yastahiq-alintibah-2025-10-29.xml", "ar"),
        ("ar/doyouknow-app-ar-2026-08-18.xml", "ar"),
        ("ar/syrianpulse-weekly-ar-2026-10-05.xml", "ar"),
        ("ar/rooved-covid19-callcenter-ar-2020-04-13.xml", "ar"),
        ("ar/gndem-ar-atom-2018-11-08.xml", None),  # the "Arabic section" is in English
    ],
)
def test_detect_language_of_real_feeds(name: str, language: str | None) -> None:
    entries = _entries(FEEDS / name)
    assert detect_language(" ".join(_entry_text(e) for e in entries)) == language


@needs_feeds
@pytest.mark.parametrize(
    "name",
    [
        "rtl-other/bbc-urdu-2014-03-16.xml",
        "rtl-other/bbc-urdu-miniflux-testdata.xml",
        "rtl-other/voa-urdu-2014-03-16.xml",
        "rtl-other/hamakor-hebrew-2014-12-21.xml",
    ],
)
def test_no_entry_of_a_non_arabic_rtl_feed_is_arabic(name: str) -> None:
    texts = [_entry_text(entry) for entry in _entries(FEEDS / name)]
    assert texts
    assert [text for text in texts if is_arabic(text)] == []


@needs_feeds
def test_every_arabic_article_of_a_real_feed_is_arabic() -> None:
    entries = _entries(FEEDS / "ar" / "bbcarabic-podcast-yastahiq-alintibah-2025-10-29.xml")
    assert [e.title for e in entries if not is_arabic(_entry_text(e))] == []


@needs_feeds
def test_multilingual_feed_items_by_declared_language() -> None:
    entries = _entries(FEEDS / "ar" / "euparliamentmonitor-multilingual-2026-03-02.xml")
    detected = {(entry.language, detect_language(_entry_text(entry))) for entry in entries}
    assert {language for declared, language in detected if declared == "ar"} == {"ar"}
    assert {language for declared, language in detected if declared == "he"} == {"he"}
    assert {language for declared, language in detected if declared not in ("ar", "he")} == {None}


# Each row: a text, and the sentences it splits into, " | " between two (DESIGN.md §5, issue 9).
SENTENCES = [
    # ends: . ! ? ؟ … and a newline; a run of marks is one end
    ("انسحبوا. وعاد الهدوء! هل انتهى؟ ربما…", "انسحبوا. | وعاد الهدوء! | هل انتهى؟ | ربما…"),
    ("السطر الأول\nالسطر الثاني\n\n", "السطر الأول | السطر الثاني"),
    ("سطر بلا نقطة\r\nوسطر آخر.", "سطر بلا نقطة | وسطر آخر."),
    ("ماذا حدث؟! لا أحد يعرف...", "ماذا حدث؟! | لا أحد يعرف..."),
    ("Is it over? Yes!", "Is it over? | Yes!"),
    ("انتهى الاجتماع.وبدأ المؤتمر", "انتهى الاجتماع. | وبدأ المؤتمر"),
    ("انتهى الاجتماع۔ وبدأ المؤتمر۔", "انتهى الاجتماع۔ | وبدأ المؤتمر۔"),
    # ".." inside a headline is a dash (the reference title); at the end of a line it ends one
    ('من النفير العام إلى التفاهم.. انسحاب "قسد" تماماً من حلب', "="),
    ("حلب.. بعد الانسحاب..", "="),
    # abbreviations of one letter are not ends
    ("قال د. محمد إن م. أحمد وصل.", "="),
    ("التقى أ.د. سامي بالوفد.", "="),
    ("وصل د.محمد إلى دمشق.", "="),
    ("The U.S. envoy came. He left.", "The U.S. envoy came. | He left."),
    # decimals, times, addresses and list numbers are not ends
    ("ارتفع ٣.٥ بالمئة و3.5 نقطة. ثم تراجع.", "ارتفع ٣.٥ بالمئة و3.5 نقطة. | ثم تراجع."),
    ("بدأ الاجتماع الساعة 10.30 صباحاً.", "="),
    ("زار الموقع example.com أمس.", "="),
    ("بلغ عدد الضحايا 35. وقال المسعفون ذلك.", "بلغ عدد الضحايا 35. | وقال المسعفون ذلك."),
    ("1. خفض الضرائب\n٢. رفع الرواتب", "1. خفض الضرائب | ٢. رفع الرواتب"),
    # ؛ and ، join clauses
    ("اجتمع الوزراء؛ واتفقوا على البيان.", "="),
    ("وصل الوفد، والتقى الرئيس، ثم غادر.", "="),
    # quotes keep their sentences: an end inside a quote ends after the closing quote
    ('قالت "قسد": "لم نستهدفهم." ونفت الحكومة.', 'قالت "قسد": "لم نستهدفهم." | ونفت الحكومة.'),
    ("وقال: «انسحبنا. والوضع هادئ» ثم غادر.", "="),
    ("وقال: «انسحبنا. والوضع هادئ.» ثم غادر.", "وقال: «انسحبنا. والوضع هادئ.» | ثم غادر."),
    ('وأضاف: "هل نقبل؟ لا! لن نقبل." وختم.', 'وأضاف: "هل نقبل؟ لا! لن نقبل." | وختم.'),
    ("وقال: “انتهت الحرب. وبدأ السلام.” وصفقوا.", "وقال: “انتهت الحرب. وبدأ السلام.” | وصفقوا."),
    ('«قال لي: "انتهى." ثم صمت» وغادر. وعاد.', '«قال لي: "انتهى." ثم صمت» وغادر. | وعاد.'),
    ('دعا إلى "ضبط النفس."\nوقال المرصد.', 'دعا إلى "ضبط النفس." | وقال المرصد.'),
    # a quote that never closes is not a quote: its sentences end as usual
    ("وقال: «انسحبنا. والوضع هادئ.", "وقال: «انسحبنا. | والوضع هادئ."),
    ('وقال "انسحبنا. والوضع هادئ. وأضاف "كذا".', 'وقال "انسحبنا. | والوضع هادئ. | وأضاف "كذا".'),
    # a dateline is not a sentence of its own: it joins the next
    ("دمشق، سوريا (CNN) -- أكدوا. وقال المرصد.", "دمشق، سوريا (CNN) -- أكدوا. | وقال المرصد."),
    ("دمشق، سوريا (CNN) --\nأكدت المعارضة الخبر.", "دمشق، سوريا (CNN) -- أكدت المعارضة الخبر."),
    ("القاهرة (رويترز):\nقال مسؤول إنها انتهت.", "القاهرة (رويترز): قال مسؤول إنها انتهت."),
    ("بيروت -\nأعلنت الحكومة استقالتها.", "بيروت - أعلنت الحكومة استقالتها."),
    ("انتهى الخبر.\nدمشق (سانا)\nوصل الوفد.", "انتهى الخبر. | دمشق (سانا) وصل الوفد."),
    ("دمشق (سانا) --", "="),
    ("وتشمل الإجراءات:\n- خفض الضرائب", "وتشمل الإجراءات: | - خفض الضرائب"),
    # nothing
    ("", ""),
    ("   \n  ", ""),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_split_sentences(text: str, expected: str) -> None:
    """ "=" stands for the text itself, one sentence."""
    sentences = [text] if expected == "=" else expected.split(" | ") if expected else []
    assert split_sentences(text) == sentences


@needs_feeds
def test_split_sentences_of_the_cnn_article_joins_its_dateline() -> None:
    text = (FEEDS / "articles" / "cnn-arabic-2013-08-03-syria-clashes.txt").read_text("utf-8")
    sentences = split_sentences(text)
    assert sentences[0].startswith("دمشق، سوريا (CNN) -- أكدت جهات سورية معارضة")
    assert sentences[0].endswith('إلى "ضبط النفس."')
    assert all(sentence in text for sentence in sentences)
    assert len(sentences) == len([line for line in text.splitlines() if line.strip()])


# --- the one text path of keyword alerts and search (issue 7) ------------------------------------

# Each row: two spellings that readers and outlets use for the same word; index_terms must give
# both the same terms, so that one can never hide the other (DESIGN.md §5).
SAME_TERMS = [
    ("الاِنْسِحَابُ", "الانسحاب"),  # harakat, shadda, sukun
    ("انسحاباً", "انسحابا"),  # tanween
    ("الرحمٰن", "الرحمن"),  # superscript alef
    ("عــــاجل", "عاجل"),  # tatweel
    ("أحمد", "احمد"),  # hamza above alef
    ("إبراهيم", "ابراهيم"),  # hamza below alef
    ("آمال", "امال"),  # madda
    ("ٱلله", "الله"),  # wasla
    ("مؤتمر", "موتمر"),  # hamza on waw
    ("رئيس", "رييس"),  # hamza on ya
    ("مستشفى", "مستشفي"),  # alef maqsura
    ("المدينة", "المدينه"),  # taa marbuta written as ha
    ("المدينة", "مدينة"),  # the article
    ("بالانسحاب", "انسحاب"),  # bi + al
    ("والانسحاب", "انسحاب"),  # wa + al
    ("فالانسحاب", "انسحاب"),  # fa + al
    ("للانسحاب", "انسحاب"),  # li + al
    ("انسحابها", "انسحاب"),  # the pronoun ها
    ("المقاتلين", "مقاتلي"),  # sound plural
    ("حل\u200fب", "حلب"),  # RLM inside a word
    ("\u202eحلب\u202c", "حلب"),  # RTL override around it
    ("\u2067حلب\u2069", "حلب"),  # isolate
    ("ح\u200bلب", "حلب"),  # zero-width space inside
    ("ح\u200dلب", "حلب"),  # zero-width joiner inside
    ("\ufeffحلب", "حلب"),  # BOM
    ("ﻻ", "لا"),  # lam-alef ligature (presentation form)
    ("ﷲ", "الله"),  # the Allah ligature
    ("ﺣﻠﺐ", "حلب"),  # isolated/initial/final presentation forms
    ("کرکوک", "كركوك"),  # Persian kaf
    ("ایران", "ايران"),  # Persian ya
    ("٢٠٢٦", "2026"),  # Arabic-Indic digits
    ("۲۰۲۶", "2026"),  # Persian digits
    ("iPhone", "IPHONE"),  # Latin case
]


@pytest.mark.parametrize(("one", "other"), SAME_TERMS)
def test_spelling_variants_give_the_same_terms(one: str, other: str) -> None:
    assert index_terms(one) == index_terms(other)
    assert index_terms(one)  # and not nothing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Mixed Arabic and Latin: the Latin word is its own term, folded to lower case.
        ("آبل تطلق iPhone 17", ["ابل", "تطلق", "iphone", "17"]),
        # Digits glued to letters stay one term; punctuation between them splits.
        ("G20 في ٢٠٢٦/١/١١", ["g20", "في", "2026", "1", "11"]),
        # Emoji and symbols are not words.
        ("حلب 🔥 ★ — قسد", ["حلب", "قسد"]),
    ],
)
def test_index_terms_of_mixed_text(text: str, expected: list[str]) -> None:
    assert index_terms(text) == expected


def test_terms_carry_no_marks_or_invisible_characters() -> None:
    text = "\u202bالاِنْسِحَابُ\u202c عــاجل \u200fﻻ\u200e ٢٠٢٦"
    for term in index_terms(text):
        assert term.isalnum(), term
        assert all(ord(ch) < 0x0610 or ord(ch) > 0x06ED or ch.isalpha() for ch in term)


# A half-typed word: every way of taking a leading article or clitics off it is a start.
PREFIX_VARIANTS = [
    ("فلسطي", ("فلسطي", "لسطي", "سطي")),  # "الفلسطي": the stemmer took ف of "فلسطينية"
    ("ولاي", ("ولاي", "لاي")),  # "الولاي": و of "ولايات" taken; never «أي» (a function word)
    ("ولايا", ("ولايا", "لايا", "ايا")),
    ("والدي", ("والدي", "الدي", "دي")),  # the article, too short yet for its lookahead
    ("وبالمد", ("وبالمد", "بالمد", "المد", "مد")),
    ("فنا", ("فنا", "نا")),
    ("حلب", ("حلب",)),
    ("بل", ("بل",)),  # nothing shorter than two letters
    ("الان", ("الان",)),  # "ان*" would match «أن»
    ("الذي", ("الذي",)),
    ("والفي", ("والفي", "الفي")),
    ("الهمس", ("الهمس", "همس")),  # three letters: the article goes
]


@pytest.mark.parametrize(("prefix", "variants"), PREFIX_VARIANTS)
def test_prefix_variants_are_every_strip(prefix: str, variants: tuple[str, ...]) -> None:
    assert prefix_variants(prefix) == variants


# The name of God, with its clitics and in its spellings: one term, never a function word's.
ALLAH_FORMS = [
    "الله",
    "اللّٰه",  # shadda and superscript alef
    "ٱللَّهِ",  # wasla and harakat
    "\ufdf2",  # the ligature ﷲ
    "لله",
    "لِلّهِ",
    "ولله",
    "فلله",
    "بالله",
    "وبالله",
    "والله",
    "فالله",
    "تالله",
    "اللهم",
    "واللهم",
]


@pytest.mark.parametrize("form", ALLAH_FORMS)
def test_the_name_of_god_is_one_term(form: str) -> None:
    assert index_terms(form) == [ALLAH]
    assert document_terms(form) == [ALLAH]
    assert prefix_variants(prefix_term(form)) == (ALLAH,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("حزب الله", ["حزب", ALLAH]),
        ("رام الله", ["رام", ALLAH]),
        ("عبد الله", ["عبد", ALLAH]),
        ("عبدالله", ["عبد", ALLAH]),  # written as one word: the same terms as apart
        ("نصرالله", ["نصر", ALLAH]),
        ("وعبدالله", ["عبد", ALLAH]),
    ],
)
def test_names_with_allah(text: str, expected: list[str]) -> None:
    assert index_terms(text) == expected


# Words that are not the name of God and keep their own terms, none of them «الله».
@pytest.mark.parametrize("word", ["له", "لهم", "وله", "لها", "اللهجة", "اللهب", "للهجرة", "تخلله"])
def test_words_like_allah_are_not_it(word: str) -> None:
    assert ALLAH not in index_terms(word)
    assert index_terms(word) != index_terms("الله")


# ال before two letters that are a function word stays: the word must not become «أن», «في» …
ARTICLE_KEPT = [
    ("الآن", "أن"),
    ("الان", "إن"),
    ("الذي", "ذي"),
    ("التي", "تي"),
    ("ألفي", "في"),  # two thousand, folded الفي
    ("ألما", "ما"),  # pain, folded الما
    ("الأم", "أم"),
    ("الهم", "هم"),
    ("الكم", "كم"),
    ("ألمع", "مع"),
    ("المن", "من"),
    ("اللي", "لي"),
    ("الها", "ها"),
]


@pytest.mark.parametrize(("word", "function_word"), ARTICLE_KEPT)
def test_the_article_never_leaves_a_function_word(word: str, function_word: str) -> None:
    assert index_terms(word) != index_terms(function_word)
    assert set(document_terms(word)).isdisjoint(index_terms(function_word))


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("الآن", ["الان"]),
        ("ألفي", index_terms("ألف")),  # the stemmer sees the whole word: ألفي is ألف's dual
        ("اللذين", ["لذين"]),  # three letters after ال: the article goes
        ("الغد", ["غد"]),  # two letters that are no function word: it goes too
        ("الدم", index_terms("دم")),
    ],
)
def test_the_article_before_two_letters(word: str, expected: list[str]) -> None:
    assert index_terms(word) == expected


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("حزب الله يعلن", "قال عبدالله والأمين العام لله در الكاتب.\nوبالمدينة وأنقرة ولجنة"),
        ("", "نص فقط"),
        ("عنوان فقط", ""),
        ("الاِنْسِحَابُ \u202bعاجل", "١١ كانون ﻻ iPhone 17 للاجئين"),
    ],
)
def test_article_terms_are_the_three_functions_in_one_pass(title: str, text: str) -> None:
    terms = article_terms(title, text)
    assert terms.index == index_terms(f"{title}\n{text}")
    assert terms.title == document_terms(title)
    assert terms.text == document_terms(text)
