"""A fixed relevance set: Arabic articles written for these tests, and queries with the
articles a reader means by them.

`STORIES` are hand-written articles, each about one thing, spelled the way outlets spell
(diacritics, hamza forms, ة written ه, tatweel, Arabic-Indic digits, clitics). `FILLERS` are
everyday local news made from templates and city names: they share the common words
(في، من، أسعار، حلب، دمشق …) and stand between a query and its story, as the rest of an
archive does. `QUERIES` are what readers type, each with the stories it is meant to find:
every variant class of issue 7 is covered, and the judgements are ours, story by story.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    key: str
    headline: str
    text: str
    category: str
    source: str


@dataclass(frozen=True)
class Query:
    text: str
    expected: tuple[str, ...]  # keys of the stories meant
    covers: str  # the variant class it exercises


S = Story
STORIES = [
    S("t01", 'حلب تشهد انسحاباً كاملاً لـ"قسد" بعد اشتباكات وتفاهمات سياسية',
      "أفادت مصادر محلية بخروج الدفعة الأخيرة من مقاتلي قسد من حيي الشيخ مقصود والأشرفية.",
      "سياسة", "hashtagsyria.com"),
    S("t02", "قسد تعلن انسحابها من مواقع شرق دير الزور",
      "قالت القوات إن الخطوة جاءت بعد اتفاق مع وجهاء العشائر في المنطقة.",
      "سوريا محلي", "enabbaladi.net"),
    S("t03", "مُفَاوَضَاتٌ جَدِيدَةٌ بَيْنَ دِمَشْقَ وَأَنْقَرَة",
      "تَنْطَلِقُ الجَوْلَةُ الثَّانِيَةُ مِنَ المُحَادَثَاتِ الأُسْبُوعَ المُقْبِلَ.",
      "سياسة", "enabbaladi.net"),
    S("t04", "ارتفاع أسعار القمح في الأسواق العالمية",
      "سجلت أسعار القمح أعلى مستوى لها منذ عام ٢٠٢٢ بسبب موجة الجفاف.",
      "اقتصاد", "hashtagsyria.com"),
    S("t05", "إيران تستضيف مؤتمراً إقليمياً للطاقة",
      "يشارك في المؤتمر وزراء الطاقة من اثنتي عشرة دولة.",
      "عربي ودولي", "enabbaladi.net"),
    S("t06", "رئيس الوزراء يزور مستشفى الأطفال في حمص",
      "تفقد رئيس الوزراء أقسام المستشفى واطلع على نقص الأدوية.",
      "سوريا محلي", "sana.sy"),
    S("t07", "افتتاح جامعه خاصه جديده في المنطقه الصناعيه",
      "تضم الجامعه كليات الهندسه والطب والصيدله.",
      "سوريا محلي", "halabtodaytv.net"),
    S("t08", "عـــاجل: زلـــزال بقوة ٥.٢ درجات يضرب شمال اللاذقية",
      "لم ترد أنباء عن إصابات حتى الآن بحسب مركز الرصد.",
      "سوريا محلي", "enabbaladi.net"),
    S("t09", "موازنة عام ٢٠٢٦ تخصص مليار ليرة للتعليم",
      "أقر مجلس الشعب الموازنة العامة للدولة لعام ٢٠٢٦ بعد نقاشات طويلة.",
      "اقتصاد", "sana.sy"),
    S("t10", "انتخابات المجالس المحلية تنطلق في 15 محافظة",
      "دعي الناخبون إلى صناديق الاقتراع صباح يوم الأحد.",
      "سياسة", "hashtagsyria.com"),
    S("t11", "الحكومة تعد بتحسين الكهرباء خلال الصيف",
      "رد نواب من الكتل كلها، والمعارضة خصوصاً، بأن الوعود تكررت دون نتائج.",
      "سياسة", "enabbaladi.net"),
    S("t12", "تأجيل تنفيذ صفقة تبادل الأسرى",
      "فالاتفاق لم يدخل حيز التنفيذ بعد، كما قال المتحدث باسم اللجنة.",
      "سياسة", "enabbaladi.net"),
    S("t13", "بالصور: الثلوج تغطي جبال القلمون",
      "غطت الثلوج قرى القلمون وقطعت الطرق الجبلية.",
      "سوريا محلي", "halabtodaytv.net"),
    S("t14", "وزارة الصحة تطلق حملة تلقيح ضد شلل الأطفال",
      "تستهدف الحملة مليون طفل دون سن الخامسة في كل المحافظات.",
      "سوريا محلي", "sana.sy"),
    S("t15", "آثار تدمر تعود إلى المتحف الوطني",
      "استعاد المتحف الوطني قطعاً أثرية نادرة كانت قد نقلت خلال الحرب.",
      "ثقافة", "enabbaladi.net"),
    S("t16", "مصطفى يفوز بذهبية بطولة آسيا للملاكمة",
      "أحرز الملاكم السوري مصطفى الميدالية الذهبية في وزن الريشة.",
      "رياضة", "hashtagsyria.com"),
    S("t17", "آبل تطلق iPhone 17 في الأسواق العربية",
      "بدأت متاجر في دبي والقاهرة بيع الهاتف الجديد.",
      "تكنولوجيا", "enabbaladi.net"),
    S("t18", "مئات اللاجئين يعودون من لبنان عبر معبر جديدة يابوس",
      "سجلت السلطات عودة ٨٠٠ لاجئ خلال الأسبوع الماضي.",
      "سوريا محلي", "enabbaladi.net"),
    S("t19", "كركوك تشهد احتجاجات على نقص المياه",
      "خرج المئات في كركوك مطالبين بحلول لأزمة المياه.",
      "عربي ودولي", "enabbaladi.net"),
    S("t20", "انقطاع الإنترنت في ريف إدلب لليوم الثالث",
      "أرجعت شركة الاتصالات العطل إلى أضرار في الكابلات الأرضية.",
      "سوريا محلي", "halabtodaytv.net"),
    S("t21", "المصرف المركزي يعدل سعر صرف الدولار الرسمي",
      "حدد المصرف سعر الصرف الجديد عند ١٣٠٠٠ ليرة للدولار الواحد.",
      "اقتصاد", "sana.sy"),
    S("t22", "منتخب سوريا يتأهل إلى نهائيات كأس آسيا",
      "فاز المنتخب على نظيره الفلسطيني بهدفين دون رد.",
      "رياضة", "hashtagsyria.com"),
    S("t23", "الرئيس يستقبل وفداً أوروبياً في دمشق",
      "بحث اللقاء عودة العلاقات الدبلوماسية وفتح السفارات.",
      "سياسة", "sana.sy"),
    S("t24", "المقاتلين الأجانب يغادرون مخيم الهول",
      "غادر عشرات المقاتلين الأجانب وعائلاتهم المخيم بإشراف دولي.",
      "سوريا محلي", "enabbaladi.net"),
    S("t25", "الأمطار الغزيرة تغرق شوارع طرطوس",
      "غمرت مياه الأمطار المحال التجارية على الكورنيش البحري.",
      "سوريا محلي", "halabtodaytv.net"),
    S("t26", "تخفيض سعر ربطة الخبز المدعوم في حماة",
      "قررت المحافظة تخفيض السعر بعد وصول شحنات الطحين.",
      "اقتصاد", "hashtagsyria.com"),
    S("t27", "الاِتِّحَادُ الأُورُوبِّيُّ يُمَدِّدُ العُقُوبَاتِ عَاماً إِضَافِيّاً",
      "مَدَّدَ الاتحاد العقوبات المفروضة على قطاعات النفط والمصارف.",
      "عربي ودولي", "enabbaladi.net"),
    S("t28", "اكتشاف حقل غاز جديد قبالة السواحل",
      "قدرت الشركة احتياطي الحقل بثلاثة مليارات متر مكعب.",
      "اقتصاد", "sana.sy"),
    S("t29", "القبض على عصابة لتهريب الآثار في درعا",
      "ضبطت الشرطة أكثر من مئتي قطعة أثرية مهربة في مستودع.",
      "سوريا محلي", "enabbaladi.net"),
    S("t30", "مهرجان الياسمين يعود إلى دمشق القديمة",
      "تنطلق فعاليات المهرجان في حي القيمرية مساء الجمعة.",
      "ثقافة", "hashtagsyria.com"),
    S("t31", "تعرفوا على أسرار المطبخ الحلبي",
      "يشتهر المطبخ الحلبي بالكبة والمحاشي وأنواع الحلويات.",
      "ثقافة", "halabtodaytv.net"),
    S("t32", "وفاة الفنان الكبير عن عمر ناهز ٨٥ عاماً",
      "نعت نقابة الفنانين الراحل وأشادت بمسيرته الطويلة.",
      "ثقافة", "enabbaladi.net"),
    S("t33", "موجة حر: ٤٥ درجة مئوية في دير الزور",
      "حذرت الأرصاد من التعرض لأشعة الشمس في ساعات الظهيرة.",
      "سوريا محلي", "enabbaladi.net"),
    S("t34", "وقف إطلاق النار يدخل حيز التنفيذ في الجنوب",
      "أعلنت الأطراف التزامها بوقف إطلاق النار اعتباراً من منتصف الليل.",
      "سياسة", "hashtagsyria.com"),
    S("t35", "سيارات كهربائية صينية تدخل السوق السورية",
      "وصلت أول شحنة من السيارات الكهربائية إلى ميناء اللاذقية.",
      "اقتصاد", "enabbaladi.net"),
    S("t36", "إغلاق مدارس ريف دمشق بسبب العاصفة الثلجية",
      "قررت مديرية التربية تعليق الدوام يومين.",
      "سوريا محلي", "sana.sy"),
    S("t37", "طلاب الشهادة الثانوية يبدأون امتحاناتهم",
      "يتقدم أكثر من ٢٠٠ ألف طالب للامتحانات هذا العام.",
      "سوريا محلي", "hashtagsyria.com"),
    S("t38", "انفجار خزان وقود في مصفاة بانياس",
      "أخمدت فرق الإطفاء الحريق بعد ساعات من اندلاعه.",
      "سوريا محلي", "enabbaladi.net"),
    S("t39", "عودة الرحلات الجوية بين دمشق والرياض",
      "هبطت أول طائرة في مطار الملك خالد بعد انقطاع دام سنوات.",
      "عربي ودولي", "hashtagsyria.com"),
    S("t40", "الأمم المتحدة تحذر من أزمة غذاء في مخيمات الشمال",
      "قالت المنظمة إن ملايين النازحين يحتاجون إلى مساعدات عاجلة.",
      "عربي ودولي", "enabbaladi.net"),
    S("t41", "قسد والحكومة تتفقان على تبادل المعتقلين",
      "يشمل التبادل مئات المعتقلين من الطرفين على دفعات.",
      "سياسة", "enabbaladi.net"),
    S("t42", "مشروع لإعادة تأهيل قلعة حلب",
      "تبدأ أعمال الترميم في القلعة مطلع الشهر المقبل بتمويل محلي.",
      "ثقافة", "halabtodaytv.net"),
    S("t43", "تراجع صادرات زيت الزيتون هذا الموسم",
      "انخفضت الصادرات إلى النصف بسبب قلة الأمطار في الربيع.",
      "اقتصاد", "enabbaladi.net"),
    S("t44", "البلدية تعلن خطتها لتوسيع الحدائق العامة",
      "تشمل الخطة زراعة ألف شجرة في الأحياء الشرقية.",
      "سوريا محلي", "halabtodaytv.net"),
    S("t45", "وزير الخارجية يلتقي نظيره الأردني في عمّان",
      "ناقش الوزيران ملف عودة اللاجئين وأمن الحدود.",
      "عربي ودولي", "sana.sy"),
    S("t46", "الجيش يستعيد السيطرة على طريق حلب – اللاذقية",
      "أعيد فتح الطريق الدولي أمام حركة الشاحنات.",
      "سوريا محلي", "enabbaladi.net"),
    S("t47", "الولايات المتحدة تفرض رسوماً جديدة على الواردات",
      "تشمل الرسوم الصلب والألمنيوم اعتباراً من الشهر المقبل.",
      "عربي ودولي", "enabbaladi.net"),
    S("t48", "السلطة الفلسطينية تدعو إلى اجتماع طارئ",
      "طالبت الرئاسة بعقد الاجتماع في القاهرة خلال أيام.",
      "عربي ودولي", "hashtagsyria.com"),
    S("t49", "تكريم الوالدين في يوم الأسرة",
      "نظمت الجمعية حفلاً لتكريم الآباء والأمهات.",
      "ثقافة", "halabtodaytv.net"),
    # The name of God in names; DISTRACTORS below have the names' other word and «له».
    S("t50", "حزب الله يعلن مقتل اثنين من عناصره في غارة جنوب لبنان",
      "قال الحزب في بيان إن الغارة استهدفت سيارة قرب بلدة حدودية.",
      "عربي ودولي", "enabbaladi.net"),
    S("t51", "رام الله تستضيف مؤتمراً للمانحين",
      "تناقش الحكومة الفلسطينية في المؤتمر تمويل إعادة إعمار المدارس.",
      "عربي ودولي", "hashtagsyria.com"),
    S("t52", "عبد الله الثاني يستقبل وفداً أوروبياً في عمّان",
      "بحث العاهل الأردني مع الوفد ملف المياه والطاقة.",
      "عربي ودولي", "sana.sy"),
    S("t53", "الملك عبدالله يفتتح مشروعاً للطاقة الشمسية في العقبة",
      "ينتج المشروع مئتي ميغاواط عند اكتماله.",
      "عربي ودولي", "enabbaladi.net"),
    S("t54", "أهالي القرية يحيون ذكرى المولد ويرددون «لا إله إلا اللّٰه»",
      "وقال إمام المسجد: الحمد لِلّهِ على عودة الأهالي.",
      "ثقافة", "halabtodaytv.net"),
]  # fmt: skip

# Articles with «له» (or «لهم», «اللهجة») beside the other word of a name with «الله»: a
# search for the name must find none of them.
DISTRACTORS = [
    S("d01", "حزب البعث يعقد مؤتمره السنوي في دمشق",
      "وقدم له الأعضاء تقارير الفروع عن العام الماضي.", "سياسة", "sana.sy"),
    S("d02", "رئيس حزب معارض: لا مكان له في الحكومة الجديدة",
      "أكد أن حزبه سيبقى في المعارضة.", "سياسة", "enabbaladi.net"),
    S("d03", "حزب جديد يطلب ترخيصاً له من وزارة الداخلية",
      "قدم المؤسسون أوراقهم وينتظرون الرد.", "سياسة", "hashtagsyria.com"),
    S("d04", "عبد الرحمن يروي قصته: لم يبق له بيت بعد الزلزال",
      "يعيش مع أسرته في خيمة منذ عام.", "سوريا محلي", "halabtodaytv.net"),
    S("d05", "المغني رام يطلق أغنية كتب له كلماتها شاعر سوري",
      "تصدرت الأغنية قوائم الاستماع في أسبوعها الأول.", "ثقافة", "halabtodaytv.net"),
    S("d06", "عبد الكريم: الحزب لم يترك لهم خياراً",
      "قال إن المفاوضات توقفت منذ شهرين.", "سياسة", "enabbaladi.net"),
    S("d07", "حزب ثقافي يدعو إلى حماية اللهجة الحلبية",
      "نظم الحزب أمسية عن أمثال المدينة وله فيها كتاب.", "ثقافة", "hashtagsyria.com"),
    S("d08", "حزب الخضر: المدينة لها حق في حدائقها",
      "طالب رئيس الحزب بوقف البناء في الحدائق.", "سياسة", "sana.sy"),
]  # fmt: skip

CITIES = ["حلب", "دمشق", "حمص", "حماة", "اللاذقية", "إدلب", "درعا", "الرقة", "طرطوس", "السويداء"]
SOURCES = ["enabbaladi.net", "hashtagsyria.com", "halabtodaytv.net"]

# (headline, text, category): everyday local news, one article per city.
TEMPLATES = [
    ("ارتفاع أسعار الخضار في أسواق {city}",
     "شهدت الأسواق ارتفاعاً في أسعار البندورة والبطاطا.", "اقتصاد"),
    ("افتتاح معرض للكتاب في {city}", "يشارك في المعرض أكثر من مئة دار نشر.", "ثقافة"),
    ("انقطاع الكهرباء عن أحياء في {city}", "أعلنت الشركة عن برنامج تقنين جديد.", "سوريا محلي"),
    ("حملة لتنظيف الشوارع في {city}", "شارك متطوعون في الحملة التي نظمتها البلدية.",
     "سوريا محلي"),
    ("نادي {city} يفوز في الدوري الممتاز", "حقق الفريق فوزه الثالث على التوالي.", "رياضة"),
    ("ازدحام على محطات الوقود في {city}", "اصطفت السيارات لساعات أمام المحطات.", "اقتصاد"),
    ("ورشة عمل حول ريادة الأعمال في {city}", "ناقش المشاركون تحديات المشاريع الصغيرة.",
     "اقتصاد"),
    ("ترميم مدرسة قديمة في {city}", "انتهت أعمال الترميم بعد ستة أشهر.", "سوريا محلي"),
    ("ندوة عن تاريخ {city}", "استعرض المحاضرون مراحل تطور المدينة عبر العصور.", "ثقافة"),
    ("توزيع سلال غذائية على الأسر في {city}", "استفادت مئات العائلات من التوزيع.",
     "سوريا محلي"),
    ("تحسن حركة السياحة في {city}", "امتلأت الفنادق بالزوار خلال العطلة.", "اقتصاد"),
    ("حفل موسيقي في المركز الثقافي في {city}", "قدمت الفرقة مقطوعات من التراث.", "ثقافة"),
    ("إصلاح شبكة المياه في {city}", "عادت المياه إلى الأحياء بعد يومين.", "سوريا محلي"),
    ("افتتاح مخبز آلي جديد في {city}", "ينتج المخبز عشرين طناً من الخبز يومياً.", "اقتصاد"),
    ("مسابقة للشعر في {city}", "تنافس عشرون شاعراً على الجائزة الأولى.", "ثقافة"),
    ("توقعات بطقس بارد في {city}", "تنخفض درجات الحرارة خلال الأيام المقبلة.", "سوريا محلي"),
]  # fmt: skip

FILLERS = [
    S(f"f{t:02d}{c}", headline.format(city=city), text, category, SOURCES[(t + c) % len(SOURCES)])
    for t, (headline, text, category) in enumerate(TEMPLATES)
    for c, city in enumerate(CITIES)
]

Q = Query
QUERIES = [
    # Diacritics, in the query or in the article.
    Q("الاِنْسِحَاب قسد", ("t01", "t02"), "diacritics in the query"),
    Q("مفاوضات دمشق انقرة", ("t03",), "diacritics in the article"),
    Q("الاتحاد الاوروبي العقوبات", ("t27",), "diacritics and shadda in the article"),
    Q("مُخَيَّم الهَوْل", ("t24",), "diacritics in the query"),
    # Hamza forms.
    Q("اسعار القمح", ("t04",), "hamza above alef"),
    Q("ايران موتمر الطاقة", ("t05",), "hamza below alef, hamza on waw"),
    Q("رييس الوزراء مستشفي", ("t06",), "hamza on ya, alef maqsura"),
    Q("اثار تدمر", ("t15",), "madda"),
    Q("تهريب الاثار درعا", ("t29",), "madda, among two stories of antiquities"),
    Q("الأمم المتحدة أزمة غذاء", ("t40",), "hamza in the query"),
    Q("اطلاق النار", ("t34",), "hamza below alef"),
    # Alef maqsura.
    Q("مصطفي ملاكمة", ("t16",), "alef maqsura"),
    Q("مستشفى حمص", ("t06",), "alef maqsura as written"),
    # Taa marbuta (and ha written for it).
    Q("جامعة خاصة", ("t07",), "ta marbuta against ha in the article"),
    Q("خبز حماه", ("t26",), "ha in the query for ta marbuta"),
    Q("العاصفه الثلجيه", ("t36",), "ha for ta marbuta, two words"),
    Q("مصفاه بانياس", ("t38",), "ha for ta marbuta"),
    Q("قلعه حلب", ("t42",), "ha for ta marbuta"),
    # Tatweel.
    Q("زلزال اللاذقية", ("t08",), "tatweel in the article"),
    Q("عــاجل زلــزال", ("t08",), "tatweel in the query"),
    # Arabic-Indic and Persian digits.
    Q("موازنة 2026", ("t09",), "Arabic-Indic digits in the article"),
    Q("١٥ محافظة", ("t10",), "Arabic-Indic digits in the query"),
    Q("۴۵ درجه", ("t33",), "Persian digits in the query"),
    Q("13000 ليرة", ("t21",), "a long number"),
    # Clitics: ال, ب, و, ف, ها.
    Q("انتخابات المجالس", ("t10",), "the article"),
    Q("صور الثلوج", ("t13",), "bi + al in the article"),
    Q("معارضة", ("t11",), "wa + al in the article"),
    Q("اتفاق تنفيذ", ("t12",), "fa + al in the article"),
    Q("والرياض رحلات", ("t39",), "wa in the query and the article"),
    Q("انسحاب قسد", ("t01", "t02"), "ha (انسحابها) and tanween in the articles"),
    Q("خطة الحدائق", ("t44",), "ha (خطتها) in the article"),
    Q("بالمطبخ الحلبي", ("t31",), "bi + al in the query"),
    # Plurals and the stemmer.
    Q("مقاتلي الهول", ("t24",), "sound plural"),
    Q("لاجئ لبنان", ("t18",), "singular against plural"),
    # Presentation forms, Persian letters, Latin.
    Q("ﻻجئين يعودون", ("t18",), "lam-alef ligature in the query"),
    Q("کرکوک", ("t19",), "Persian kaf"),
    Q("IPHONE", ("t17",), "Latin case"),
    Q("\u202bانترنت ادلب\u202c", ("t20",), "bidi embedding around the query"),
    # Multi-word.
    Q("سعر صرف الدولار", ("t21",), "three words"),
    Q("عودة الرحلات الجوية بين دمشق والرياض", ("t39",), "a whole headline"),
    Q("قسد تبادل المعتقلين", ("t41",), "three words, one shared with other stories"),
    Q("حقل غاز", ("t28",), "two words"),
    Q("مهرجان الياسمين دمشق", ("t30",), "three words, a common city"),
    Q("زيت الزيتون صادرات", ("t43",), "three words"),
    Q("وزير الخارجية الاردني", ("t45",), "hamza-less spelling of a name"),
    Q("طريق حلب اللاذقية", ("t46",), "two common cities"),
    # Prefix: the last word half-typed.
    Q("مفاو", ("t03",), "prefix of a word with diacritics in the article"),
    Q("زلز", ("t08",), "prefix of a word with tatweel in the article"),
    Q("سيارات كهرب", ("t35",), "prefix after a word"),
    Q("نقابة الفنا", ("t32",), "prefix with the article typed"),
    Q("امتحانات الثانو", ("t37",), "prefix"),
    Q("الفلسطي", ("t48", "t22"), "prefix with the article, the stemmer took the next letter"),
    Q("والفلسطي", ("t48", "t22"), "prefix with conjunction and article"),
    Q("الولاي", ("t47",), "prefix with the article, the stemmer took و"),
    Q("الولايا", ("t47",), "prefix with the article, one letter more"),
    Q("للولاي", ("t47",), "prefix with preposition and article"),
    Q("والدي", ("t49",), "prefix: the article's lookahead needs letters not typed yet"),
    # The name of God («الله، لله، اللّٰه») is never «له»: the distractors have «له».
    Q("حزب الله", ("t50",), "words with allah, not «له» (hamza-less لا إله too)"),
    Q("رام الله", ("t51",), "words with allah, a city"),
    Q("عبد الله", ("t52", "t53"), "words with allah, written apart and as one word"),
    Q("عبدالله", ("t52", "t53"), "words with allah written as one word"),
    Q("لا اله الا الله", ("t54",), "words with allah in a phrase, diacritics in the article"),
    Q("الحمد لله", ("t54",), "words with allah and a preposition"),
    # Filters.
    Q("#اقتصاد قمح", ("t04",), "category filter"),
    Q("#رياضة منتخب", ("t22",), "category filter, a word of other categories' stories"),
    Q("#سيا قسد", ("t01", "t41"), "category filter by prefix"),
    Q("@sana.sy وفد", ("t23",), "source filter"),
    Q("@hashtagsyria.com قسد", ("t01",), "source filter"),
    Q("#سوريا_محلي قسد", ("t02",), "a category of two words"),
]


# --- ranking ---------------------------------------------------------------------------------
# Queries whose story is not among the newest matches: more than five articles match, and the
# story is in the first five only because the ranking puts it there. Each story is followed
# by five newer news digests that name it in their text only (a title hit ranks above text
# hits), and half of the stories come after the same agency story run earlier by five other
# outlets, word for word (among equals the newer ranks first).


@dataclass(frozen=True)
class RankingCase:
    query: str
    story: Story
    mention: str  # how a digest names the story, in its text
    earlier_reports: bool  # five older copies by other outlets


R = RankingCase
RANKING = [
    R("محطة تحلية", S("r01", "افتتاح محطة تحلية لمياه البحر على الساحل",
      "تنتج المنشأة عشرة آلاف متر مكعب يومياً للقرى القريبة.", "اقتصاد", "sana.sy"),
      "افتتاح محطة تحلية على الساحل", True),
    R("الحصبة", S("r02", "تسجيل إصابات بمرض الحصبة في مخيمات النزوح",
      "دعت المنظمات الصحية إلى تسريع الاستجابة قبل الشتاء.", "سوريا محلي", "enabbaladi.net"),
      "تسجيل إصابات بالحصبة", False),
    R("ألواح شمسية", S("r03", "قروض ميسرة لتركيب ألواح شمسية في المنازل",
      "يمتد السداد على خمس سنوات بلا فوائد.", "اقتصاد", "hashtagsyria.com"),
      "قروض لتركيب الألواح الشمسية", True),
    R("غرامات مرورية", S("r04", "رفع قيمة الغرامات المرورية ابتداءً من الشهر القادم",
      "تشمل الزيادة تجاوز السرعة والوقوف الخاطئ.", "سوريا محلي", "sana.sy"),
      "رفع الغرامات المرورية", False),
    R("قمر صناعي", S("r05", "إطلاق قمر صناعي عربي لرصد الطقس",
      "يرسل الجهاز صوراً كل ربع ساعة إلى محطات الأرصاد.", "تكنولوجيا", "enabbaladi.net"),
      "إطلاق قمر صناعي عربي", True),
    R("حريق غابات", S("r06", "حريق غابات يلتهم مساحات واسعة في جبال الساحل",
      "تعمل فرق الدفاع المدني منذ الفجر على إخماد النيران.", "سوريا محلي",
      "halabtodaytv.net"), "حريق الغابات في جبال الساحل", False),
    R("جسر المشاة", S("r07", "إنجاز جسر المشاة فوق الأوتوستراد الجنوبي",
      "سيفتح المعبر أمام المارة بعد اختبارات السلامة.", "سوريا محلي", "hashtagsyria.com"),
      "إنجاز جسر المشاة الجنوبي", True),
    R("لقاح الانفلونزا", S("r08", "وصول دفعة من لقاح الإنفلونزا الموسمية",
      "توزع الجرعات على المراكز الصحية بدءاً من الأسبوع القادم.", "سوريا محلي", "sana.sy"),
      "وصول لقاح الإنفلونزا", False),
    R("البطاقة الذكية", S("r09", "توزيع مخصصات المازوت عبر البطاقة الذكية",
      "تصل الرسائل إلى العائلات بحسب تسلسل التسجيل.", "اقتصاد", "enabbaladi.net"),
      "توزيع المازوت عبر البطاقة الذكية", True),
    R("مكتبة رقمية", S("r10", "إطلاق مكتبة رقمية مجانية لطلاب الجامعات",
      "تضم المنصة آلاف الكتب والمراجع العلمية.", "ثقافة", "hashtagsyria.com"),
      "إطلاق مكتبة رقمية للطلاب", False),
    R("سد الفرات", S("r11", "انخفاض منسوب المياه خلف سد الفرات",
      "حذر المهندسون من أثر الجفاف على توليد الكهرباء.", "سوريا محلي", "enabbaladi.net"),
      "انخفاض المياه خلف سد الفرات", True),
    R("قوارب الصيد", S("r12", "تجديد أسطول قوارب الصيد في ميناء جبلة",
      "حصل الصيادون على محركات جديدة بأسعار مدعومة.", "اقتصاد", "halabtodaytv.net"),
      "تجديد قوارب الصيد في جبلة", False),
    R("زراعة القطن", S("r13", "توسيع زراعة القطن في سهل الغاب",
      "تقدم المصارف الزراعية بذوراً محسنة للفلاحين.", "اقتصاد", "sana.sy"),
      "توسيع زراعة القطن", True),
    R("مسرح الطفل", S("r14", "عروض جديدة على مسرح الطفل في العطلة",
      "تقدم الفرق حكايات شعبية بالدمى والموسيقى.", "ثقافة", "hashtagsyria.com"),
      "عروض مسرح الطفل", False),
    R("بطولة الشطرنج", S("r15", "انطلاق بطولة الشطرنج المدرسية",
      "يتنافس مئة لاعب من المدارس الإعدادية.", "رياضة", "enabbaladi.net"),
      "انطلاق بطولة الشطرنج المدرسية", True),
    R("مزاد السيارات", S("r16", "مزاد علني على السيارات الحكومية القديمة",
      "تبدأ الأسعار من مليون ليرة وتذهب العائدات إلى الخزينة.", "اقتصاد", "sana.sy"),
      "المزاد العلني على السيارات الحكومية", False),
]  # fmt: skip

_DIGESTS = [
    ("جولة الصحافة الصباحية", "تناولت الصحف خبر {mention}، وتتابع النشرة بقية التطورات."),
    ("ملخص أخبار اليوم", "ومن أبرز العناوين {mention}، وتتابع النشرة بقية التطورات."),
    ("أبرز عناوين المساء", "وتحدثت التقارير عن {mention}، وتتابع النشرة بقية التطورات."),
    ("نشرة منتصف النهار", "وفي الشأن المحلي تابعنا {mention}، وتتابع النشرة بقية التطورات."),
    ("حصاد الأسبوع الإخباري", "وختمت النشرة بخبر {mention}، وتتابع النشرة بقية التطورات."),
]
_OUTLETS = ["alwatan.sy", "snacksyrian.com", "syria.tv", "aljazeera.net", "alarabiya.net"]


def ranking_group(case: RankingCase) -> tuple[list[Story], Story, list[Story]]:
    """(earlier reports, the story, digests): the articles of a case, oldest first."""
    key, story = case.story.key, case.story
    earlier = [
        S(f"{key}e{n}", story.headline, story.text, story.category, outlet)
        for n, outlet in enumerate(_OUTLETS if case.earlier_reports else [])
    ]
    digests = [
        S(f"{key}d{n}", headline, body.format(mention=case.mention), "منوعات", "hashtagsyria.com")
        for n, (headline, body) in enumerate(_DIGESTS)
    ]
    return earlier, story, digests


RANKING_QUERIES = [
    Q(case.query, (case.story.key,),
      "ranking: a title hit above newer text hits"
      + (", the newest of equal title hits" if case.earlier_reports else ""))
    for case in RANKING
]  # fmt: skip
