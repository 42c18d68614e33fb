"""The same-story check: copies from several outlets match, different stories on one topic don't.

The fixtures are written for these tests: a wire story (a border crossing reopening) as three
outlets carry it, each with its own headline, opening or closing words around the agency's core;
and stories that share its words, or each other's, without being the same story.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from bot.news.stories import (
    HEADLINE_WINDOW,
    NUM_PERM,
    WINDOW,
    Fingerprint,
    StoryIndex,
    containment,
    fingerprint,
    jaccard,
    same_story,
    shingles,
)
from tests.support import REPO

T0 = datetime(2026, 1, 11, 8, 0, tzinfo=UTC)

CORE = (
    "أعلنت وزارة النقل السورية إعادة فتح معبر نصيب الحدودي مع الأردن أمام حركة الشاحنات "
    "والمسافرين اعتباراً من صباح الأحد، بعد إغلاق استمر ثلاثة أسابيع بسبب أعمال صيانة في ساحات "
    "التفتيش.\n"
    "وأوضح مدير المعبر أن الطاقة الاستيعابية سترتفع إلى ألف وخمسمئة شاحنة يومياً، وأن ساعات العمل "
    "ستمتد من السادسة صباحاً حتى منتصف الليل.\n"
    "وأكدت الوزارة أن الرسوم الجمركية ستبقى على حالها، وأن التنسيق مع الجانب الأردني مستمر لتسهيل "
    "عبور البضائع الزراعية المتجهة إلى دول الخليج."
)

# The agency's copy with its dateline.
AGENCY = ("إعادة فتح معبر نصيب مع الأردن أمام الشاحنات الأحد", "دمشق - سانا\n" + CORE)
# A newspaper: its own first words and a closing paragraph of background.
NEWSPAPER = (
    "سوريا تعيد فتح معبر نصيب بعد إغلاق ثلاثة أسابيع",
    "في خطوة ينتظرها التجار والمزارعون منذ أسابيع، " + CORE + "\n"
    "ويعد المعبر الشريان الرئيسي لصادرات الخضار والفواكه السورية، وقد تراجعت حركته خلال العام "
    "الماضي بسبب ارتفاع تكاليف النقل.",
)
# A site with its own first and last lines, and one phrase of the core changed.
REWRITE = (
    "معبر نصيب يستقبل الشاحنات من جديد",
    "بشرى سارة لسائقي الشاحنات على طريق عمان دمشق.\n"
    + CORE.replace("اعتباراً من", "بدءاً من")
    + "\nوكان المعبر قد أغلق مطلع الشهر الماضي لإجراء أعمال الصيانة.",
)
OUTLETS = [AGENCY, NEWSPAPER, REWRITE]

# The newspaper's feed entry: its headline, and the text cut after the first sentence.
TEASER = (
    "بعد ثلاثة أسابيع من الإغلاق.. نصيب يعود للعمل",
    "في خطوة ينتظرها التجار والمزارعون منذ أسابيع، أعلنت وزارة النقل السورية إعادة فتح معبر "
    "نصيب الحدودي مع الأردن أمام حركة الشاحنات والمسافرين اعتباراً من صباح الأحد، بعد إغلاق "
    "استمر ثلاثة أسابيع…",
)

SALARY_HEADLINE = "الحكومة تقر زيادة الرواتب بنسبة خمسين بالمئة"
SALARY_DECISION = (
    SALARY_HEADLINE,
    "أقر مجلس الوزراء في جلسته الأسبوعية زيادة رواتب العاملين في الدولة والمتقاعدين بنسبة خمسين "
    "بالمئة، على أن تصرف مع رواتب الشهر المقبل. وقال وزير المالية إن كلفة الزيادة تبلغ ثلاثة "
    "آلاف مليار ليرة تمول من إيرادات الضرائب وتحسين الجباية.",
)
SALARY_REACTIONS = (
    "الحكومة تُقرّ زيادةَ الرواتب بنسبة خمسين بالمئة",  # the same headline, with harakat
    "رحب موظفون في دمشق بالقرار، لكنهم تساءلوا عن قدرته على اللحاق بارتفاع الأسعار. ويقول "
    "اقتصاديون إن أي زيادة لا ترافقها سياسة نقدية صارمة ستذوب قيمتها في السوق خلال أشهر.",
)

# Different stories on one topic, written with the same vocabulary.
CEASEFIRE_IDLIB = (
    "وقف لإطلاق النار في إدلب برعاية تركية روسية",
    "دخل اتفاق لوقف إطلاق النار حيز التنفيذ في محافظة إدلب منتصف الليلة الماضية، بعد أسبوع من "
    "المعارك بين القوات الحكومية والفصائل المسلحة في ريف المحافظة الجنوبي. وينص الاتفاق الذي "
    "رعته تركيا وروسيا على انسحاب الأسلحة الثقيلة مسافة عشرة كيلومترات عن خطوط التماس، وتسيير "
    "دوريات مشتركة على الطريق الدولي. ورحبت الأمم المتحدة بالاتفاق ودعت إلى فتح ممرات إنسانية "
    "لإيصال المساعدات إلى النازحين.",
)
CEASEFIRE_DARAA = (
    "اتفاق على وقف إطلاق النار في درعا البلد",
    "توصلت لجنة التفاوض في درعا البلد إلى اتفاق لوقف إطلاق النار مع القوات الحكومية بوساطة "
    "روسية، بعد اشتباكات استمرت ثلاثة أيام في أحياء المدينة القديمة. ويقضي الاتفاق بتسليم "
    "السلاح الخفيف وتسوية أوضاع المطلوبين ونشر نقاط للشرطة العسكرية الروسية في الأحياء. وطالبت "
    "الأمم المتحدة بضمان عودة آمنة للعائلات التي نزحت عن المدينة خلال الاشتباكات.",
)
WEATHER_SUNDAY = (
    "حالة الطقس",
    "تتأثر البلاد اليوم بمنخفض جوي قادم من شرق المتوسط، فتكون الأجواء غائمة وتهطل أمطار غزيرة "
    "على المناطق الساحلية والغربية مع احتمال تشكل السيول في الأودية. وتنخفض درجات الحرارة إلى "
    "أدنى من معدلاتها بنحو ست درجات، والرياح جنوبية غربية نشطة السرعة، والبحر عالي الموج.",
)
WEATHER_MONDAY = (
    "حالة الطقس",
    "تتأثر البلاد اليوم بامتداد مرتفع جوي سيبيري، فتكون الأجواء باردة وصافية في معظم المناطق "
    "مع تشكل الصقيع والضباب في ساعات الصباح الباكر على المرتفعات والبادية. وتبقى درجات الحرارة "
    "أدنى من معدلاتها بقليل، والرياح شمالية شرقية خفيفة، والبحر منخفض الموج.",
)
CROSSING_CLOSED = (
    "إغلاق معبر باب الهوى أمام الشاحنات لأسبوع",
    "أعلنت إدارة معبر باب الهوى الحدودي مع تركيا إغلاقه أمام حركة الشاحنات التجارية لمدة أسبوع "
    "اعتباراً من صباح الإثنين، لإجراء أعمال توسعة في ساحات التفتيش الجمركي. وأوضحت الإدارة أن "
    "حركة المسافرين والحالات الإنسانية لن تتأثر، وأن شاحنات المساعدات الأممية ستعبر عبر معبر "
    "باب السلامة خلال فترة الإغلاق.",
)
DIFFERENT_STORIES = [CEASEFIRE_IDLIB, CEASEFIRE_DARAA, WEATHER_SUNDAY, WEATHER_MONDAY]


def prints(*articles: tuple[str, str]) -> list[Fingerprint]:
    return [fingerprint(headline, text) for headline, text in articles]


# --- shingles ------------------------------------------------------------------------------------


def test_shingles_are_runs_of_three_terms_and_a_short_text_is_one() -> None:
    assert shingles(["أ", "ب", "ج", "د"]) == ["أ ب ج", "ب ج د"]
    assert shingles(["أ", "ب"]) == ["أ ب"]
    assert shingles([]) == []


def test_clitics_harakat_and_stopwords_do_not_change_the_shingles() -> None:
    plain = fingerprint("", "انسحاب القوات من المدينة بعد اشتباكات عنيفة في الأحياء الشرقية")
    varied = fingerprint("", "الانسحابُ للقوّاتِ من مدينة بعد الاشتباكات العنيفة بالأحياء الشرقية")
    assert jaccard(plain, varied) == 1.0


# --- the same story ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [(0, 1), (0, 2), (1, 2)],
    ids=["agency-newspaper", "agency-rewrite", "newspaper-rewrite"],
)
def test_three_outlets_with_their_own_words_around_one_core_match(first: int, second: int) -> None:
    one, other = prints(OUTLETS[first], OUTLETS[second])
    assert one.headline != other.headline
    assert jaccard(one, other) >= 0.5
    assert same_story(one, other)
    assert same_story(other, one)


def test_a_copy_under_another_headline_matches() -> None:
    agency, copy = prints(AGENCY, ("عاجل: المعبر الحدودي مع الأردن يعود إلى العمل", AGENCY[1]))
    assert agency.headline != copy.headline
    assert jaccard(agency, copy) >= 0.8
    assert same_story(agency, copy)


def test_a_teaser_matches_its_article_by_containment() -> None:
    teaser, newspaper = prints(TEASER, NEWSPAPER)
    assert jaccard(teaser, newspaper) < 0.5  # a fifth of the article: Jaccard cannot tell
    assert containment(teaser, newspaper) >= 0.8
    assert same_story(teaser, newspaper)
    assert same_story(newspaper, teaser)


def test_a_teaser_matches_an_article_that_opens_with_a_dateline() -> None:
    teaser, agency = prints(("وزارة النقل: معبر نصيب يفتح الأحد", CORE.split("،")[0]), AGENCY)
    assert containment(teaser, agency) >= 0.8
    assert same_story(teaser, agency)


def test_the_same_headline_with_other_bodies_matches_by_headline() -> None:
    decision, reactions = prints(SALARY_DECISION, SALARY_REACTIONS)
    assert jaccard(decision, reactions) < 0.5
    assert containment(decision, reactions) < 0.8
    assert decision.headline == reactions.headline
    assert same_story(decision, reactions)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (CEASEFIRE_IDLIB, CEASEFIRE_DARAA),
        (WEATHER_SUNDAY, WEATHER_MONDAY),
        (AGENCY, CROSSING_CLOSED),
        (NEWSPAPER, CROSSING_CLOSED),
        (SALARY_DECISION, CROSSING_CLOSED),
    ],
    ids=["ceasefires", "weather", "crossings", "crossings-newspaper", "salaries-crossing"],
)
def test_different_stories_with_similar_words_do_not_match(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    one, other = prints(first, second)
    assert jaccard(one, other) < 0.2
    assert containment(one, other) < 0.5
    assert not same_story(one, other)


def test_templated_items_that_name_other_numbers_are_other_news() -> None:
    """A bulletin's items differ in little but their numbers: not one story, unless the
    texts are all but the same."""

    def item(n: int) -> Fingerprint:
        return fingerprint(
            f"اجتماع وزاري لبحث الملف رقم {n}",
            f"عقد الوزراء اجتماعاً لبحث الملف رقم {n}. وقال مصدر إن النقاش مستمر.",
        )

    assert jaccard(item(2), item(101)) >= 0.5  # alike enough to be taken for copies
    assert not same_story(item(2), item(101))
    assert same_story(item(2), item(2))
    long = " ".join(AGENCY[1].split()[:60])
    toll = fingerprint("مقتل 5 في قصف على ريف إدلب", long)
    assert same_story(toll, fingerprint("مقتل 7 في قصف على ريف إدلب", long))


def test_a_recurring_short_headline_is_no_match_by_itself() -> None:
    sunday, monday = prints(WEATHER_SUNDAY, WEATHER_MONDAY)
    assert sunday.headline == monday.headline == 0  # «حالة الطقس»: two words, a label


def test_empty_articles_match_nothing() -> None:
    empty, also_empty, agency = prints(("", ""), ("عاجل", ""), AGENCY)
    assert not same_story(empty, also_empty)
    assert not same_story(empty, agency)


# --- the index -----------------------------------------------------------------------------------


def indexed(*articles: tuple[int, tuple[str, str], datetime]) -> StoryIndex:
    index = StoryIndex()
    for article_id, (headline, text), published_at in articles:
        index.add(article_id, fingerprint(headline, text), published_at)
    return index


def test_the_index_finds_the_oldest_copy_of_the_story() -> None:
    index = indexed(
        (30, REWRITE, T0 + timedelta(hours=3)),
        (10, NEWSPAPER, T0),
        (20, AGENCY, T0 + timedelta(hours=1)),
        (40, CEASEFIRE_IDLIB, T0 - timedelta(hours=1)),
    )
    new = fingerprint("عاجل: المعبر الحدودي مع الأردن يعود إلى العمل", AGENCY[1])
    assert {10, 20, 30} <= index.query(new)
    assert index.earlier_story(new) == 10


@pytest.mark.parametrize("teaser_first", [True, False], ids=["teaser-first", "article-first"])
def test_the_index_finds_a_teaser_and_its_article_in_either_order(teaser_first: bool) -> None:
    earlier, later = (TEASER, NEWSPAPER) if teaser_first else (NEWSPAPER, TEASER)
    index = indexed((1, earlier, T0), (2, CROSSING_CLOSED, T0))
    assert index.earlier_story(fingerprint(*later)) == 1


def test_the_index_finds_the_same_headline() -> None:
    index = indexed((1, SALARY_DECISION, T0))
    assert index.earlier_story(fingerprint(*SALARY_REACTIONS)) == 1


def test_the_same_headline_a_day_later_is_another_days_news() -> None:
    """A recurring title of four words or more («قرار زيادة الرواتب …» today, its reactions
    tomorrow under the same title) tells one story within HEADLINE_WINDOW only."""
    index = indexed((1, SALARY_DECISION, T0))
    reactions = fingerprint(*SALARY_REACTIONS)
    assert index.earlier_story(reactions, T0 + HEADLINE_WINDOW) == 1
    assert index.earlier_story(reactions, T0 + HEADLINE_WINDOW + timedelta(minutes=1)) is None
    # A near-copy is the same story whenever it comes within the window.
    assert index.earlier_story(fingerprint(*SALARY_DECISION), T0 + timedelta(hours=60)) == 1


def test_the_index_keeps_different_stories_apart() -> None:
    stories = [*DIFFERENT_STORIES, CROSSING_CLOSED, SALARY_DECISION, AGENCY]
    index = indexed(*((n, story, T0) for n, story in enumerate(stories)))
    for n, story in enumerate(stories):
        index.remove(n)
        assert index.earlier_story(fingerprint(*story)) is None, story[0]
        index.add(n, fingerprint(*story), T0)


def test_articles_expire_after_72_hours() -> None:
    index = indexed((1, AGENCY, T0), (2, CEASEFIRE_IDLIB, T0 + timedelta(hours=5)))
    copy = fingerprint(*NEWSPAPER)
    assert index.expire(T0 + WINDOW) == []
    assert index.earlier_story(copy) == 1
    assert index.expire(T0 + WINDOW + timedelta(seconds=1)) == [1]
    assert 1 not in index
    assert 2 in index
    assert len(index) == 1
    assert index.query(copy) == set()
    assert index.earlier_story(copy) is None


def test_removed_and_replaced_articles() -> None:
    index = indexed((1, AGENCY, T0))
    index.remove(1)
    index.remove(99)  # not indexed: nothing happens
    assert index.earlier_story(fingerprint(*NEWSPAPER)) is None
    index.add(1, fingerprint(*CEASEFIRE_IDLIB), T0)
    index.add(1, fingerprint(*AGENCY), T0 + timedelta(hours=1))  # replaced, not added twice
    assert len(index) == 1
    assert index.earlier_story(fingerprint(*NEWSPAPER)) == 1
    assert index.earlier_story(fingerprint(*CEASEFIRE_DARAA)) is None


def test_many_articles_merge_and_compact_without_losing_any() -> None:
    index = StoryIndex()
    stories = [AGENCY, CEASEFIRE_IDLIB, SALARY_DECISION, WEATHER_SUNDAY]
    for n in range(800):  # several merges of the unsorted tail, and compactions on removal
        headline, text = stories[n % len(stories)]
        index.add(n, fingerprint(f"{headline} {n}", f"{text} رقم {n}"), T0 + timedelta(minutes=n))
    index.expire(T0 + WINDOW + timedelta(minutes=599, seconds=30))  # the first 600 go
    assert len(index) == 200
    assert index.earlier_story(fingerprint(*NEWSPAPER)) == 600
    assert index.earlier_story(fingerprint(*CEASEFIRE_DARAA)) is None


# --- stored form and determinism -----------------------------------------------------------------


def test_the_stored_form_round_trips_and_rebuilds_the_index() -> None:
    stored = {n: fingerprint(*story).to_bytes() for n, story in enumerate(OUTLETS)}
    for data in stored.values():
        assert Fingerprint.from_bytes(data).to_bytes() == data
        assert len(data) < 4 * NUM_PERM + 4 * 64 + 32
    rebuilt = StoryIndex()
    for n, data in stored.items():
        rebuilt.add(n, Fingerprint.from_bytes(data), T0 + timedelta(hours=n))
    assert rebuilt.earlier_story(fingerprint(*TEASER)) == 1
    assert rebuilt.earlier_story(fingerprint("عاجل: المعبر يعود إلى العمل", AGENCY[1])) == 0


@pytest.mark.parametrize(
    "data", [b"", b"\x01\x00", fingerprint(*AGENCY).to_bytes()[:-1], b"\x02" + bytes(600)]
)
def test_other_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="story fingerprint"):
        Fingerprint.from_bytes(data)


def test_fingerprints_are_the_same_in_another_process() -> None:
    """Processes hash strings with different seeds; fingerprints must not depend on them."""
    program = (
        "from bot.news.stories import fingerprint\n"
        "from tests.news.test_stories import OUTLETS, TEASER\n"
        "for story in [*OUTLETS, TEASER]:\n"
        "    print(fingerprint(*story).to_bytes().hex())\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", program],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for seed in ("1", "2")
    ]
    here = [fingerprint(*story).to_bytes().hex() for story in [*OUTLETS, TEASER]]
    assert outputs[0] == outputs[1] == here
