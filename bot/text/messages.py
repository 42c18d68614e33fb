"""What the bot says to people, in Arabic first and English when the reader's Telegram is.

Numbers are written in the reader's digits, and plurals follow CLDR's rules (Babel): Arabic
has six plural forms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from babel import Locale

from bot.text.dates import to_digits
from bot.text.html import rtl_html, telegram_length
from bot.text.locale import interface_language

_AR = Locale.parse("ar")
_EN = Locale.parse("en")

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "ar": (
            "أهلاً بك في <b>نشرة</b> 📰\n"
            "أجمع لك الأخبار من مواقع إخبارية عربية كثيرة، وأرسل لك كل خبر جديد في التصنيفات "
            "التي تختارها، مع ملخص قصير ورابط إلى مصدره الأصلي.\n"
            "اختر التصنيفات التي تهمك من الأزرار أدناه:"
        ),
        "en": (
            "Welcome to <b>Nashra</b> 📰\n"
            "I collect news from many Arabic news sites and send you every new story in the "
            "categories you choose, with a short summary and a link to its original source.\n"
            "Pick the categories you want below:"
        ),
    },
    "welcome_back": {
        "ar": "أهلاً بعودتك! ستصلك الأخبار من جديد بحسب اشتراكاتك السابقة:",
        "en": "Welcome back! News will reach you again, with your earlier choices:",
    },
    "picker": {
        "ar": "اختر التصنيفات التي تريد متابعتها (✅ = تتابعه). اضغط مرة أخرى لإلغاء المتابعة.",
        "en": "Choose the categories to follow (✅ = following). Press again to stop.",
    },
    "no_categories": {
        "ar": "لا توجد تصنيفات بعد. سيضيفها المشرفون قريباً.",
        "en": "There are no categories yet; the admins will add some soon.",
    },
    "category_gone": {
        "ar": "هذا التصنيف لم يعد موجوداً.",
        "en": "That category no longer exists.",
    },
    "button_stale": {
        "ar": "هذا الزر قديم أو غير صالح. أرسل /mysubs أو /categories لتظهر الأزرار من جديد.",
        "en": "That button is out of date. Send /mysubs or /categories for fresh ones.",
    },
    "followed": {"ar": "تتابع الآن: {name}", "en": "Now following: {name}"},
    "unfollowed": {"ar": "أوقفت متابعة: {name}", "en": "Stopped following: {name}"},
    "done_button": {"ar": "تم ✔️", "en": "Done ✔️"},
    "settings_button": {"ar": "⚙️ طريقة الاستلام", "en": "⚙️ Delivery settings"},
    "categories_button": {"ar": "🗂 التصنيفات", "en": "🗂 Categories"},
    "mysubs": {
        "ar": (
            "<b>اشتراكاتك</b>\n"
            "• التصنيفات: {categories}\n"
            "• كلمات تتابعها: {alerts}\n"
            "• كلمات مكتومة: {mutes}\n"
            "• طريقة الاستلام: {mode}\n"
            "• ساعات الهدوء: {quiet}"
        ),
        "en": (
            "<b>Your subscriptions</b>\n"
            "• Categories: {categories}\n"
            "• Keyword alerts: {alerts}\n"
            "• Muted words: {mutes}\n"
            "• Delivery: {mode}\n"
            "• Quiet hours: {quiet}"
        ),
    },
    "none": {"ar": "لا شيء", "en": "none"},
    "mode_instant": {"ar": "فوراً، خبراً بخبر", "en": "instantly, story by story"},
    "mode_hourly": {"ar": "ملخص كل ساعة", "en": "an hourly digest"},
    "mode_daily": {"ar": "ملخص يومي الساعة {hour}", "en": "a daily digest at {hour}"},
    "button_instant": {"ar": "فوراً", "en": "Instant"},
    "button_hourly": {"ar": "كل ساعة", "en": "Hourly"},
    "button_daily": {"ar": "يومياً", "en": "Daily"},
    "quiet_off": {"ar": "بلا ساعات هدوء", "en": "no quiet hours"},
    "quiet_range": {
        "ar": "{start}–{end} (تصل الأخبار بلا صوت)",
        "en": "{start}–{end} (news arrives silently)",
    },
    "quiet_usage": {
        "ar": (
            "اكتب ساعات الهدوء هكذا: /quiet 00:00-07:00\n"
            "أو /quiet off لإلغائها. في ساعات الهدوء تصلك الأخبار بلا صوت."
        ),
        "en": (
            "Write quiet hours like this: /quiet 00:00-07:00\n"
            "or /quiet off to remove them. During quiet hours news arrives silently."
        ),
    },
    "quiet_set": {"ar": "ساعات الهدوء: {quiet}", "en": "Quiet hours: {quiet}"},
    "keyword_usage": {
        "ar": "اكتب الكلمة بعد الأمر، مثلاً: {command} حلب",
        "en": "Write the word after the command, for example: {command} Aleppo",
    },
    "keyword_no_letters": {
        "ar": "لم أجد كلمة في «{word}». اكتب كلمة بحروف، مثلاً: {command} حلب",
        "en": "There is no word in “{word}”. Write a word, for example: {command} Aleppo",
    },
    "keyword_one_letter": {
        "ar": "الكلمة «{word}» قصيرة جداً: حرف واحد يطابق أخباراً كثيرة لا علاقة لها بما تريد.",
        "en": "“{word}” is too short: one letter would match far too many stories.",
    },
    "keyword_too_long": {
        "ar": "الكلمة طويلة جداً؛ الحد الأقصى {limit} حرفاً.",
        "en": "That is too long; at most {limit} characters.",
    },
    "keyword_term_too_long": {
        "ar": (
            "الكلمة طويلة جداً بعد تحويلها للبحث: بعض الرموز مثل ﷺ تُكتب بعدة كلمات. اكتب كلمة أقصر."
        ),
        "en": (
            "That is too long once written out for matching (signs such as ﷺ stand for "
            "several words). Write a shorter word."
        ),
    },
    "keyword_too_many": {
        "ar": "لديك {count} بالفعل، وهو الحد الأقصى. احذف واحدة بالأمر /unfollow أو /unmute.",
        "en": "You already have {count}, the maximum. Remove one with /unfollow or /unmute.",
    },
    "keyword_already": {
        "ar": "«{word}» في قائمة تنبيهاتك من قبل.",
        "en": "“{word}” is already in your alerts.",
    },
    "keyword_muted_already": {
        "ar": "«{word}» مكتومة من قبل.",
        "en": "“{word}” is already muted.",
    },
    "keyword_not_found": {
        "ar": "«{word}» ليست في قائمتك.",
        "en": "“{word}” is not in your list.",
    },
    "follow_ok": {
        "ar": "سأرسل لك كل خبر فيه «{word}»، أياً كان تصنيفه.",
        "en": "I will send you every story that mentions “{word}”, whatever its category.",
    },
    "unfollow_ok": {"ar": "أوقفت تنبيهات «{word}».", "en": "Alerts for “{word}” removed."},
    "mute_ok": {
        "ar": "لن تصلك الأخبار التي فيها «{word}».",
        "en": "Stories that mention “{word}” will not reach you.",
    },
    "unmute_ok": {"ar": "ألغيت كتم «{word}».", "en": "“{word}” is no longer muted."},
    "stop_confirm": {
        "ar": "هل تريد إيقاف كل الأخبار؟ لن يصلك شيء بعد ذلك حتى ترسل /start من جديد.",
        "en": "Stop all news? Nothing will reach you until you send /start again.",
    },
    "stop_yes": {"ar": "نعم، أوقف كل شيء", "en": "Yes, stop everything"},
    "stop_no": {"ar": "لا، تراجع", "en": "No, keep it"},
    "stopped": {
        "ar": "أوقفت كل الأخبار. أرسل /start متى شئت لتعود، وستجد اشتراكاتك كما تركتها.",
        "en": "All news stopped. Send /start whenever you like; your choices are kept.",
    },
    "stop_cancelled": {"ar": "حسناً، لم يتغير شيء.", "en": "Fine, nothing changed."},
    "help": {
        "ar": (
            "الأوامر:\n"
            "/start — البدء واختيار التصنيفات\n"
            "/categories — اختيار التصنيفات التي تتابعها\n"
            "/mysubs — اشتراكاتك وطريقة الاستلام وساعات الهدوء\n"
            "/follow كلمة — تنبيه بكل خبر فيه هذه الكلمة\n"
            "/unfollow كلمة — إلغاء تنبيه كلمة\n"
            "/mute كلمة — عدم إرسال الأخبار التي فيها هذه الكلمة\n"
            "/unmute كلمة — إلغاء كتم كلمة\n"
            "/quiet 00:00-07:00 — ساعات تصلك فيها الأخبار بلا صوت\n"
            "/stop — إيقاف كل الأخبار\n"
            "/search كلمات — البحث في الأخبار (أو اكتب الكلمات مباشرة هنا)\n"
            "/latest — آخر الأخبار، أو /latest سياسة لآخر أخبار تصنيف\n"
            "/help — هذه القائمة\n\n"
            "وفي أي محادثة اكتب اسم البوت ثم كلمات البحث، مثلاً: @{bot} حلب، "
            "واختر الخبر لترسله هناك."
        ),
        "en": (
            "Commands:\n"
            "/start — start and pick categories\n"
            "/categories — choose the categories you follow\n"
            "/mysubs — your subscriptions, delivery mode and quiet hours\n"
            "/follow word — an alert for every story with this word\n"
            "/unfollow word — remove a keyword alert\n"
            "/mute word — never send stories with this word\n"
            "/unmute word — unmute a word\n"
            "/quiet 00:00-07:00 — hours when news arrives silently\n"
            "/stop — stop all news\n"
            "/search words — search the news (or just type the words here)\n"
            "/latest — the latest news, or /latest سياسة for a category\n"
            "/help — this list\n\n"
            "In any chat, type the bot's name and your words, e.g. @{bot} Aleppo, "
            "and pick a story to send it there."
        ),
    },
    "search_usage": {
        "ar": (
            "اكتب ما تبحث عنه بعد الأمر، مثلاً: /search انسحاب قسد\n"
            "للتصفية بتصنيف أو بمصدر: /search #سياسة حلب أو /search @hashtagsyria.com\n"
            "وفي أي محادثة: اكتب @{bot} ثم كلمات البحث."
        ),
        "en": (
            "Write what you are looking for after the command, e.g. /search انسحاب قسد\n"
            "To filter by category or source: /search #سياسة حلب or "
            "/search @hashtagsyria.com\n"
            "In any chat: type @{bot} and your words."
        ),
    },
    "search_results": {
        "ar": "🔎 نتائج البحث عن «{query}»:",
        "en": "🔎 Results for “{query}”:",
    },
    "search_none": {
        "ar": "لا توجد نتائج لـ «{query}». جرّب كلمات أقل أو كلمات أخرى.",
        "en": "No results for “{query}”. Try fewer or other words.",
    },
    # An article's age under a minute (a count of seconds reads oddly in a result).
    "just_now": {
        "ar": "الآن",
        "en": "just now",
    },
    "search_slow": {
        "ar": "استغرق البحث وقتاً أطول من المعتاد فأوقفته. جرّب كلمات أدق، أو أعد المحاولة بعد قليل.",
        "en": "The search took too long, so I stopped it. Try more specific words, or again soon.",
    },
    "search_stale": {
        "ar": "انتهت صلاحية هذا البحث. أرسل /search مع كلمات البحث من جديد.",
        "en": "This search has expired. Send /search with your words again.",
    },
    "search_end": {
        "ar": "لا توجد نتائج أخرى.",
        "en": "There are no more results.",
    },
    "latest_results": {"ar": "🗞 آخر الأخبار:", "en": "🗞 The latest news:"},
    "latest_in": {"ar": "🗞 آخر أخبار «{category}»:", "en": "🗞 The latest in “{category}”:"},
    "latest_none": {"ar": "لا توجد أخبار بعد.", "en": "There is no news yet."},
    "latest_none_in": {
        "ar": "لا توجد أخبار في «{category}». أرسل /categories لترى التصنيفات.",
        "en": "There is no news in “{category}”. Send /categories to see the categories.",
    },
    "next_button": {"ar": "التالي ◀️", "en": "Next ▶️"},
    "previous_button": {"ar": "▶️ السابق", "en": "◀️ Previous"},
    "inline_none": {
        "ar": "لا توجد نتائج لـ «{query}»",
        "en": "No results for “{query}”",
    },
    "inline_none_yet": {"ar": "لا توجد أخبار بعد", "en": "There is no news yet"},
    "unknown_command": {
        "ar": "لا أعرف هذا الأمر. اكتب /help لترى الأوامر المتاحة.",
        "en": "I don't know that command. Send /help to see what I can do.",
    },
    "not_text": {
        "ar": (
            "أرسل كلمات لأبحث عنها في الأخبار، مثل: انسحاب قسد، أو أمراً مثل /categories. "
            "اكتب /help للقائمة."
        ),
        "en": "Send words to search the news for, or a command such as /categories. Send /help.",
    },
    "private_only": {
        "ar": "هذا الأمر يعمل في المحادثة الخاصة مع البوت فقط.",
        "en": "This command works only in a private chat with the bot.",
    },
    "error": {
        "ar": "عذراً، حدث خطأ غير متوقع. أُبلغ المشرفون به، حاول مرة أخرى لاحقاً.",
        "en": "Sorry, something went wrong. The admins have been told; please try again later.",
    },
    "feed_disabled": {
        "ar": "⚠️ أوقفتُ جلب المصدر {url} بعد {count}.\nآخر خطأ: {error}",
        "en": "⚠️ I stopped polling {url} after {count}.\nLast error: {error}",
    },
    "feed_disabled_internal": {
        "ar": (
            "⚠️ أوقفتُ جلب المصدر {url} بعد {count} بسبب خلل من جهتنا (في قاعدة "
            "البيانات أو في معالجة الخلاصة، لا في الموقع نفسه).\nآخر خطأ: {error}"
        ),
        "en": (
            "⚠️ I stopped polling {url} after {count} on our side (the database or "
            "parsing, not the site).\nLast error: {error}"
        ),
    },
    "channel_lost": {
        "ar": (
            "⚠️ لم أعد أستطيع النشر في {chat} فأوقفتُ النشر فيها.\nالسبب: {reason}\n"
            "للإصلاح: اجعل البوت مشرفاً فيها مع صلاحية «نشر الرسائل»، ثم أرسل إليّ "
            "/addchannel {chat_id} أو نفّذ:\n"
            "nashra channel add {chat_id}\n"
            "فتعود إليها الأخبار بتصنيفاتها السابقة (أضف ‎--category لتصنيف جديد)."
        ),
        "en": (
            "⚠️ I can no longer post in {chat}, so I stopped posting there.\nReason: {reason}\n"
            'To fix it: make the bot an administrator there with the "Post messages" right, '
            "then send me /addchannel {chat_id} or run:\nnashra channel add {chat_id}\n"
            "and its news resumes with the categories it had (add --category for a new one)."
        ),
    },
    "admin_error": {
        "ar": "⚠️ خطأ غير متوقع في البوت: {error}",
        "en": "⚠️ Unexpected error in the bot: {error}",
    },
    # The operators' console. The refusal is the same for every admin command and button,
    # whatever follows it: nothing about who or what exists is told to anyone else.
    "admin_refused": {
        "ar": "عذراً، هذا الأمر لمشرفي البوت فقط.",
        "en": "Sorry, this is for the bot's admins only.",
    },
    "admin_help": {
        "ar": (
            "أوامر المشرفين:\n"
            "/admin list — المالكون والمشرفون\n"
            "/admin add رقم — إضافة مشرف برقم حسابه (للمالكين)\n"
            "/admin add ثم أعد توجيه رسالة منه — إضافة مشرف من رسالة كتبها "
            "(أو ردّ بـ /admin add على رسالة معاد توجيهها منه)\n"
            "/admin remove رقم — إزالة مشرف (للمالكين)\n"
            "/addfeed رابط [تصنيفات] — إضافة مصدر (خلاصة أو صفحة موقع فيها خلاصة)\n"
            "/feeds — المصادر وحالتها: إيقاف واستئناف وتحديث وتعديل وحذف\n"
            "/export — ملف OPML بكل المصادر؛ وأرسل ملف OPML لاستيراد مصادره\n"
            "/categories_admin — التصنيفات: إضافة وإعادة تسمية وحذف، وأسماؤها البديلة وكلماتها\n"
            "/addchannel @قناة تصنيفات… — ربط قناة أو مجموعة (أو موضوع فيها برابطه) بتصنيفات؛ "
            "ويُكتب /addchannel تصنيفات… داخل المجموعة أو الموضوع لربطه\n"
            "/channels — القنوات والمجموعات: تصنيفاتها ومنشوراتها، وتعديلها وإزالتها\n"
            "/broadcast نص — رسالة إلى كل القراء (بعد معاينتها وتأكيدها)\n"
            "/stats — القرّاء والأخبار والإرسال والمصادر المتعثرة، ورسم بياني لآخر أسبوعين\n"
            "/preview رابط — أحدث أخبار خلاصة كما ستُنشر وإلى أين، دون حفظ شيء\n"
            "/audit — سجل إجراءات المشرفين\n"
            "/myid — رقم حسابك في تيليغرام"
        ),
        "en": (
            "Admin commands:\n"
            "/admin list — the owners and admins\n"
            "/admin add ID — make someone an admin by their account number (owners)\n"
            "/admin add, then forward a message they wrote — the same from their message "
            "(or reply /admin add to a message forwarded from them)\n"
            "/admin remove ID — remove an admin (owners)\n"
            "/addfeed URL [categories] — add a feed (or a site's page that has one)\n"
            "/feeds — the feeds and their state: pause, resume, poll, edit, remove\n"
            "/export — an OPML file of every feed; send an OPML file to import its feeds\n"
            "/categories_admin — categories: add, rename, remove, their aliases and keywords\n"
            "/addchannel @channel categories… — bind a channel or group (or a topic of it, by "
            "its link) to categories; /addchannel categories… typed in the group or topic "
            "binds it\n"
            "/channels — the channels and groups: their categories and posts; edit, remove\n"
            "/broadcast text — a message to every reader (previewed and confirmed first)\n"
            "/stats — readers, articles, deliveries, failing feeds, and a chart of two weeks\n"
            "/preview URL — a feed's newest articles as they would be posted, and where\n"
            "/audit — the log of the admins' actions\n"
            "/myid — your Telegram account number"
        ),
    },
    "admin_forward_now": {
        "ar": (
            "أعد توجيه (Forward) إليّ الآن رسالة كتبها الشخص الذي تريد أن تجعله مشرفاً، "
            "أو اكتب /admin add ورقم حسابه."
        ),
        "en": (
            "Now forward me a message written by the person to make an admin, "
            "or send /admin add and their account number."
        ),
    },
    "admin_bad_id": {
        "ar": (
            "هذا ليس رقم حساب في تيليغرام. اكتب الرقم بعد الأمر، مثلاً: {command} 123456789 "
            "(يعرف الشخص رقمه إذا أرسل /myid إلى البوت)."
        ),
        "en": (
            "That is not a Telegram account number. Write it after the command, e.g. "
            "{command} 123456789 (the person learns theirs by sending /myid to the bot)."
        ),
    },
    "admin_hidden": {
        "ar": (
            "صاحب هذه الرسالة يخفي حسابه في الرسائل المعاد توجيهها (من إعدادات الخصوصية)، "
            "فلا أعرف رقمه. اطلب منه أن يرسل /myid إلى البوت، ثم اكتب /admin add والرقم."
        ),
        "en": (
            "Whoever wrote that message hides their account in forwards (a privacy "
            "setting), so I cannot tell who they are. Ask them to send /myid to the bot, "
            "then send /admin add and the number."
        ),
    },
    "admin_not_a_person": {
        "ar": (
            "هذه الرسالة ليست من شخص (بل من قناة أو مجموعة أو بوت). "
            "أعد توجيه رسالة كتبها الشخص نفسه."
        ),
        "en": "That message is not from a person (a channel, group or bot): forward theirs.",
    },
    "admin_added": {
        "ar": "✅ أصبح {person} مشرفاً، وتظهر له أوامر المشرفين في قائمة الأوامر.",
        "en": "✅ {person} is now an admin, with the admin commands in their command menu.",
    },
    "admin_added_no_menu": {
        "ar": (
            "✅ أصبح {person} مشرفاً. لم يراسل البوت بعد، فلم تظهر له أوامر المشرفين في "
            "القائمة: ليرسل /help إلى البوت فتظهر."
        ),
        "en": (
            "✅ {person} is now an admin. They have not written to the bot yet, so the admin "
            "commands are not in their menu: once they send /help to the bot, they are."
        ),
    },
    "admin_removed": {
        "ar": "أزلتُ {person} من المشرفين.",
        "en": "{person} is no longer an admin.",
    },
    "admin_already": {"ar": "{person} مشرف من قبل.", "en": "{person} is already an admin."},
    "admin_not_found": {"ar": "{person} ليس مشرفاً.", "en": "{person} is not an admin."},
    "admin_is_owner": {
        "ar": (
            "{person} من مالكي البوت (ADMIN_IDS في الإعدادات)، فلا يُضاف ولا يُزال بأمر: "
            "غيّر الإعداد ثم أعد تشغيل البوت."
        ),
        "en": (
            "{person} is an owner of the bot (ADMIN_IDS in the settings), never added or "
            "removed by command: change the setting and restart the bot."
        ),
    },
    "admin_owners_only": {
        "ar": "إضافة المشرفين وإزالتهم للمالكين فقط (ADMIN_IDS في الإعدادات).",
        "en": "Only owners (ADMIN_IDS in the settings) add and remove admins.",
    },
    "admin_list": {
        "ar": "<b>المالكون والمشرفون</b> ({count}):",
        "en": "<b>Owners and admins</b> ({count}):",
    },
    "admin_owner": {"ar": "مالك", "en": "owner"},
    "admin_admin": {"ar": "مشرف", "en": "admin"},
    "myid": {
        "ar": "رقم حسابك في تيليغرام: <code>{id}</code>",
        "en": "Your Telegram account number: <code>{id}</code>",
    },
    "audit_heading": {
        "ar": "📜 <b>سجل إجراءات المشرفين</b> ({count})، الأحدث أولاً:",
        "en": "📜 <b>The admins' audit log</b> ({count}), newest first:",
    },
    "audit_none": {"ar": "لا إجراءات في السجل بعد.", "en": "Nothing in the log yet."},
    "audit_end": {"ar": "لا إجراءات أخرى.", "en": "There is nothing more in the log."},
    "audit_entry": {
        "ar": "{n}. <b>{action}</b> — {when}\nبواسطة: {actor}\nقبل: {before}\nبعد: {after}",
        "en": "{n}. <b>{action}</b> — {when}\nby: {actor}\nbefore: {before}\nafter: {after}",
    },
    "audit_admin.add": {"ar": "إضافة مشرف", "en": "admin added"},
    "audit_admin.remove": {"ar": "إزالة مشرف", "en": "admin removed"},
    # --- The operators' console: categories (/categories_admin) and typed answers (prompts).
    "prompt_cancel": {"ar": "إلغاء", "en": "Cancel"},
    "prompt_cancelled": {"ar": "أُلغي، لم يتغير شيء.", "en": "Cancelled; nothing changed."},
    "prompt_none": {
        "ar": "لا شيء ينتظر ردّك الآن.",
        "en": "Nothing is waiting for your answer now.",
    },
    "ca_heading": {
        "ar": "🗂 <b>التصنيفات</b> ({count}):",
        "en": "🗂 <b>Categories</b> ({count}):",
    },
    "ca_line": {
        "ar": "{n}. <b>{name}</b> — {followers}؛ {articles}",
        "en": "{n}. <b>{name}</b> — {followers}; {articles}",
    },
    "ca_followers": {"ar": "{readers}، {channels}", "en": "{readers}, {channels}"},
    "ca_articles": {
        "ar": "{articles}، منها {recent} في آخر {days}",
        "en": "{articles}, {recent} in the last {days}",
    },
    "ca_stopped": {"ar": "، و{stopped}", "en": ", and {stopped}"},
    "ca_none": {
        "ar": "لا توجد تصنيفات بعد: لن يجد القراء ما يختارونه. أضف تصنيفاً بالزر أدناه.",
        "en": "There are no categories yet, so readers have nothing to pick. Add one below.",
    },
    # A list cut short: how many more there are.
    "more": {"ar": "… و{n} غيرها", "en": "… and {n} more"},
    "ca_card": {
        "ar": (
            "🗂 <b>{name}</b>\n"
            "• المتابعون: {followers}\n"
            "• المصادر المرتبطة به: {feeds}\n"
            "• الأخبار: {articles}\n"
            "• الأسماء البديلة ({alias_count}): {aliases}\n"
            "• الكلمات المفتاحية ({keyword_count}): {keywords}"
        ),
        "en": (
            "🗂 <b>{name}</b>\n"
            "• Followers: {followers}\n"
            "• Feeds bound to it: {feeds}\n"
            "• Articles: {articles}\n"
            "• Aliases ({alias_count}): {aliases}\n"
            "• Keywords ({keyword_count}): {keywords}"
        ),
    },
    "ca_add_button": {"ar": "➕ إضافة تصنيف", "en": "➕ Add a category"},
    "ca_rename_button": {"ar": "✏️ إعادة التسمية", "en": "✏️ Rename"},
    "ca_remove_button": {"ar": "🗑 حذف", "en": "🗑 Remove"},
    "ca_add_aliases": {"ar": "➕ أسماء بديلة", "en": "➕ Aliases"},
    "ca_remove_aliases": {"ar": "➖ حذف اسم بديل", "en": "➖ Remove an alias"},
    "ca_add_keywords": {"ar": "➕ كلمات مفتاحية", "en": "➕ Keywords"},
    "ca_remove_keywords": {"ar": "➖ حذف كلمة مفتاحية", "en": "➖ Remove a keyword"},
    "ca_back_button": {"ar": "↩️ كل التصنيفات", "en": "↩️ All categories"},
    "ca_back_card": {"ar": "↩️ رجوع", "en": "↩️ Back"},
    "ca_ask_name": {
        "ar": "اكتب اسم التصنيف الجديد (حتى {limit} حرف)، كما سيراه القراء:",
        "en": "Type the new category's name (up to {limit} characters), as readers will see it:",
    },
    "ca_ask_rename": {
        "ar": (
            "اكتب الاسم الجديد للتصنيف «{name}» (حتى {limit} حرف). يبقى متابعوه وقنواته "
            "ومصادره كما هي:"
        ),
        "en": (
            "Type the new name of “{name}” (up to {limit} characters). Its followers, "
            "channels and feeds stay with it:"
        ),
    },
    "ca_ask_aliases": {
        "ar": (
            "اكتب الأسماء البديلة لـ «{name}»: وسوم التصنيف كما تكتبها المصادر في أخبارها، "
            "بالعربية أو الإنجليزية (حتى {limit} حرف للواحد). يمكنك كتابة عدة أسماء "
            "تفصل بينها فاصلة (، أو ,) أو سطر جديد:"
        ),
        "en": (
            "Type the aliases of “{name}”: the category labels feeds put on their stories, "
            "in Arabic or English (up to {limit} characters each). Several at once, "
            "separated by commas (, or ،) or new lines:"
        ),
    },
    "ca_ask_keywords": {
        "ar": (
            "اكتب الكلمات المفتاحية لـ «{name}»: كل خبر يرد في عنوانه أو نصه إحداها يدخل "
            "هذا التصنيف (حتى {limit} حرف للواحدة). يمكنك كتابة عدة كلمات تفصل بينها "
            "فاصلة (، أو ,) أو سطر جديد:"
        ),
        "en": (
            "Type the keywords of “{name}”: every story whose headline or text has one joins "
            "this category (up to {limit} characters each). Several at once, separated by "
            "commas (, or ،) or new lines:"
        ),
    },
    "ca_ask_again": {
        "ar": "اكتب اسماً آخر، أو اضغط «إلغاء».",
        "en": "Type another name, or press “Cancel”.",
    },
    "ca_name_empty": {"ar": "لم تكتب اسماً.", "en": "That is no name."},
    "ca_name_too_long": {
        "ar": "الاسم طويل جداً ({length} حرف)؛ الحد الأقصى {limit} حرف.",
        "en": "That name is too long ({length} characters); at most {limit}.",
    },
    "ca_name_no_letters": {
        "ar": "«{name}» بلا حروف: اسم التصنيف وسم (#) في كل خبر، فيلزمه حرف على الأقل.",
        "en": "“{name}” has no letters: a category's name is a hashtag on every story.",
    },
    "ca_name_taken": {
        "ar": "«{name}» هو اسم التصنيف «{other}» أو أحد أسمائه البديلة.",
        "en": "“{name}” is the name or an alias of the category “{other}”.",
    },
    "ca_name_unchanged": {
        "ar": "هذا هو اسمه الحالي، لم يتغير شيء.",
        "en": "That is its name already; nothing changed.",
    },
    "ca_name_not_found": {
        "ar": "هذا التصنيف لم يعد موجوداً.",
        "en": "That category no longer exists.",
    },
    "ca_added": {
        "ar": "✅ أضفت التصنيف «{name}»، ويظهر الآن في قائمة القراء.",
        "en": "✅ Added the category “{name}”; readers can pick it now.",
    },
    "ca_renamed": {
        "ar": "✅ صار اسم «{old}»: «{name}». بقي متابعوه وقنواته ومصادره كما هي.",
        "en": "✅ “{old}” is now “{name}”, with its followers, channels and feeds.",
    },
    "ca_renamed_alias": {
        "ar": "وأبقيت «{old}» اسماً بديلاً له، لتبقى فيه أخبار المصادر التي تَسِمها به.",
        "en": "“{old}” stays as one of its aliases, so stories feeds label so still land here.",
    },
    "ca_aliases_added": {
        "ar": "✅ أضفت إلى أسماء «{name}» البديلة: {labels}",
        "en": "✅ Added to the aliases of “{name}”: {labels}",
    },
    "ca_keywords_added": {
        "ar": "✅ أضفت إلى كلمات «{name}» المفتاحية: {labels}",
        "en": "✅ Added to the keywords of “{name}”: {labels}",
    },
    "ca_nothing_added": {"ar": "لم أضف شيئاً.", "en": "Nothing was added."},
    "ca_not_added": {"ar": "لم أضف:", "en": "Not added:"},
    "ca_refused_line": {"ar": "• «{label}»: {why}", "en": "• “{label}”: {why}"},
    "ca_why_too_long": {"ar": "أطول من {limit} حرف", "en": "longer than {limit} characters"},
    "ca_why_no_letters": {"ar": "لا حروف فيه", "en": "no letters in it"},
    "ca_why_one_letter": {
        "ar": "حرف واحد يطابق أخباراً كثيرة لا علاقة لها",
        "en": "one letter matches far too many stories",
    },
    "ca_why_already": {"ar": "موجود من قبل", "en": "there already"},
    "ca_why_taken": {
        "ar": "اسم التصنيف «{other}» أو أحد أسمائه البديلة",
        "en": "the name or an alias of “{other}”",
    },
    "ca_why_too_many": {
        "ar": "بلغ التصنيف الحد الأقصى ({most})",
        "en": "the category has the most it may ({most})",
    },
    "ca_pick_alias": {
        "ar": "اضغط الاسم البديل الذي تريد حذفه من «{name}»:",
        "en": "Press the alias to remove from “{name}”:",
    },
    "ca_pick_keyword": {
        "ar": "اضغط الكلمة المفتاحية التي تريد حذفها من «{name}»:",
        "en": "Press the keyword to remove from “{name}”:",
    },
    "ca_no_aliases": {
        "ar": "لا أسماء بديلة لـ «{name}».",
        "en": "“{name}” has no aliases.",
    },
    "ca_no_keywords": {
        "ar": "لا كلمات مفتاحية لـ «{name}».",
        "en": "“{name}” has no keywords.",
    },
    "ca_label_removed": {"ar": "حذفت «{label}».", "en": "Removed “{label}”."},
    "ca_label_stale": {
        "ar": "تغيّرت القائمة منذ ظهر هذا الزر، فلم أحذف شيئاً. هذه هي الآن.",
        "en": "The list changed since that button was drawn; nothing removed. Here it is now.",
    },
    "ca_remove_confirm": {
        "ar": "هل تريد حذف التصنيف «{name}»؟ لا يتابعه أحد ولا يرتبط به مصدر.",
        "en": "Remove the category “{name}”? Nobody follows it and no feed is bound to it.",
    },
    "ca_remove_articles": {
        "ar": "تبقى أخباره ({articles}) في الأرشيف بتصنيفاتها الأخرى.",
        "en": "Its stories ({articles}) stay in the archive, with their other categories.",
    },
    "ca_remove_yes": {"ar": "نعم، احذفه", "en": "Yes, remove it"},
    "ca_no": {"ar": "لا، تراجع", "en": "No, go back"},
    "ca_in_use": {
        "ar": "«{name}» مستخدم: {uses}.",
        "en": "“{name}” is in use: {uses}.",
    },
    "ca_pick_target": {
        "ar": (
            "لحذفه انقل كل ذلك إلى تصنيف آخر (ما يوجد فيه من قبل يبقى مرة واحدة). اختر التصنيف:"
        ),
        "en": (
            "To remove it, move all of that to another category (what is there already "
            "stays once). Pick the category:"
        ),
    },
    "ca_no_target": {
        "ar": "ولا يوجد تصنيف آخر لتنقل إليه ما يستخدمه، فلا يمكن حذفه الآن.",
        "en": "There is no other category to move that to, so it cannot be removed now.",
    },
    "ca_move_confirm": {
        "ar": (
            "سأنقل من «{name}» إلى «{target}»: {uses}، ثم أحذف «{name}». "
            "ما يوجد في «{target}» من قبل يبقى مرة واحدة. هل أتابع؟"
        ),
        "en": (
            "I will move {uses} from “{name}” to “{target}”, then remove “{name}”. "
            "What “{target}” has already stays once. Go ahead?"
        ),
    },
    "ca_move_yes": {"ar": "نعم، انقل ثم احذف", "en": "Yes, move and remove"},
    "ca_removed": {"ar": "🗑 حذفت التصنيف «{name}».", "en": "🗑 Removed the category “{name}”."},
    "ca_merged": {
        "ar": "🗑 نقلت كل ما كان في «{name}» إلى «{target}»، ثم حذفت «{name}».",
        "en": "🗑 Moved everything in “{name}” to “{target}”, then removed “{name}”.",
    },
    "ca_target_gone": {
        "ar": "التصنيف الذي اخترت النقل إليه لم يعد موجوداً؛ اختر غيره.",
        "en": "The category you picked to move to no longer exists; pick another.",
    },
    "audit_category.add": {"ar": "إضافة تصنيف", "en": "category added"},
    "audit_category.rename": {"ar": "إعادة تسمية تصنيف", "en": "category renamed"},
    "audit_category.remove": {"ar": "حذف تصنيف", "en": "category removed"},
    "audit_category.merge": {
        "ar": "نقل تصنيف إلى آخر وحذفه",
        "en": "category merged into another",
    },
    "audit_category.aliases": {"ar": "تعديل أسماء تصنيف البديلة", "en": "category aliases"},
    "audit_category.keywords": {
        "ar": "تعديل كلمات تصنيف المفتاحية",
        "en": "category keywords",
    },
    # --- end of the categories' block.
    # Channels and groups (/addchannel, /channels, the bot added to or removed from a chat).
    # Replies are HTML; the notices (channel_joined …) are plain text, as every notice is.
    "addchannel_usage": {
        "ar": (
            "اكتب القناة أو المجموعة ثم التصنيفات، مثلاً:\n"
            "/addchannel @اسم_القناة سياسة اقتصاد\n"
            "/addchannel -1001234567890 سوريا محلي\n"
            "/addchannel https://t.me/اسم_القناة رياضة\n"
            "ولمجموعة فيها مواضيع (Topics): رابط الموضوع، مثلاً "
            "/addchannel https://t.me/c/1234567890/45 سياسة\n"
            "(انسخ الرابط من قائمة الموضوع ← «نسخ الرابط»)."
        ),
        "en": (
            "Give the channel or group, then the categories, for example:\n"
            "/addchannel @channel_name سياسة اقتصاد\n"
            "/addchannel -1001234567890 سوريا محلي\n"
            "/addchannel https://t.me/channel_name رياضة\n"
            "For a group with topics, the topic's link, e.g. "
            "/addchannel https://t.me/c/1234567890/45 سياسة\n"
            '(the topic\'s menu → "Copy link").'
        ),
    },
    "addchannel_here_usage": {
        "ar": (
            "اكتب التصنيفات بعد الأمر، مثلاً: /addchannel سياسة اقتصاد\n"
            "فتُنشر أخبارها في هذه المجموعة؛ وإن كتبتَه داخل موضوع، ففي هذا الموضوع."
        ),
        "en": (
            "Give the categories after the command, e.g. /addchannel سياسة اقتصاد\n"
            "and their news is posted in this group; typed inside a topic, in that topic."
        ),
    },
    "channel_bad_reference": {
        "ar": "لم أفهم «{reference}». {usage}",
        "en": "I could not read “{reference}”. {usage}",
    },
    "channel_invite_link": {
        "ar": (
            "لا أستطيع فتح روابط الدعوة (t.me/+…). اجعل البوت مشرفاً في القناة أولاً، ثم أرسل "
            "رابط أي منشور فيها (من قائمة المنشور ← «نسخ الرابط»: t.me/c/…) أو رقمها (-100…)."
        ),
        "en": (
            "I cannot open invitation links (t.me/+…). Make the bot an administrator of the "
            "channel first, then send the link of any post in it (the post's menu → \"Copy "
            'link": t.me/c/…) or its number (-100…).'
        ),
    },
    "channel_not_found": {
        "ar": (
            "لم أجد هذه القناة أو المجموعة. تأكد من:\n"
            "١. كتابة المعرّف صحيحاً (@اسم_القناة) أو الرقم (-100…) أو الرابط؛\n"
            "٢. أن البوت @{bot} أضيف إليها: القناة الخاصة والمجموعة لا يراهما البوت قبل إضافته.\n"
            "ثم أرسل الأمر من جديد."
        ),
        "en": (
            "I could not find that channel or group. Check:\n"
            "1. the @name, the number (-100…) or the link is right;\n"
            "2. the bot @{bot} was added there: it cannot see a private channel or a group "
            "before that.\nThen send the command again."
        ),
    },
    "channel_private": {
        "ar": "هذه محادثة شخص، لا قناة ولا مجموعة. اكتب معرّف القناة (@اسمها) أو رقمها أو رابطها.",
        "en": "That is a person's chat, not a channel or a group. Give the channel's @name, "
        "number or link.",
    },
    "channel_not_admin": {
        "ar": (
            "البوت ليس مشرفاً في {chat}، والقناة لا ينشر فيها إلا مشرفوها. لكي ينشر فيها:\n"
            "١. افتح القناة واضغط اسمها في الأعلى ← «المشرفون» ← «إضافة مشرف».\n"
            "٢. ابحث عن @{bot} واختره.\n"
            "٣. فعّل صلاحية «نشر الرسائل» ثم اضغط «حفظ».\n"
            "ثم أرسل الأمر نفسه من جديد."
        ),
        "en": (
            "The bot is not an administrator of {chat}, and only administrators post in a "
            "channel. To let it post:\n"
            '1. Open the channel, tap its name at the top → "Administrators" → "Add Admin".\n'
            "2. Search for @{bot} and choose it.\n"
            '3. Turn on "Post Messages", then "Save".\n'
            "Then send the same command again."
        ),
    },
    "channel_no_post_right": {
        "ar": (
            "البوت مشرف في {chat} لكن دون صلاحية «نشر الرسائل». لإعطائه إياها:\n"
            "١. افتح القناة واضغط اسمها ← «المشرفون» ← اختر @{bot}.\n"
            "٢. فعّل «نشر الرسائل» ثم اضغط «حفظ».\n"
            "ثم أرسل الأمر نفسه من جديد."
        ),
        "en": (
            'The bot is an administrator of {chat} but without the "Post Messages" right. '
            "To give it:\n"
            '1. Open the channel, tap its name → "Administrators" → choose @{bot}.\n'
            '2. Turn on "Post Messages", then "Save".\n'
            "Then send the same command again."
        ),
    },
    "channel_not_member": {
        "ar": (
            "البوت ليس عضواً في {chat}. لإضافته:\n"
            "١. افتح المجموعة واضغط اسمها ← «إضافة أعضاء».\n"
            "٢. ابحث عن @{bot} وأضفه (أو اجعله مشرفاً إن أردت أن ينشئ مواضيع).\n"
            "ثم أرسل الأمر نفسه من جديد."
        ),
        "en": (
            "The bot is not a member of {chat}. To add it:\n"
            '1. Open the group, tap its name → "Add Members".\n'
            "2. Search for @{bot} and add it (or make it an administrator, to let it create "
            "topics).\nThen send the same command again."
        ),
    },
    "channel_muted": {
        "ar": (
            "البوت عضو في {chat} لكنه ممنوع من إرسال الرسائل. لإصلاح ذلك:\n"
            "١. افتح المجموعة واضغط اسمها ← «الأعضاء» ← اختر @{bot}.\n"
            "٢. اسمح له بـ«إرسال الرسائل» (أو اجعله مشرفاً).\n"
            "ثم أرسل الأمر نفسه من جديد."
        ),
        "en": (
            "The bot is in {chat} but may not send messages. To fix it:\n"
            '1. Open the group, tap its name → "Members" → choose @{bot}.\n'
            '2. Allow it to "Send Messages" (or make it an administrator).\n'
            "Then send the same command again."
        ),
    },
    "channel_telegram": {
        "ar": "لم يُجب تيليغرام كما ينبغي ({detail}). أعد المحاولة بعد قليل.",
        "en": "Telegram did not answer as it should ({detail}). Try again in a moment.",
    },
    "channel_unknown_categories": {
        "ar": (
            "لا يوجد تصنيف باسم: {names}. لم أحفظ شيئاً.\n"
            "التصنيفات الموجودة: {known}\n"
            "(اسم من كلمتين يُكتب كما هو، أو افصل الأسماء بفاصلة «،»)."
        ),
        "en": (
            "There is no category called: {names}. Nothing was stored.\n"
            "The categories are: {known}\n"
            "(a name of two words is written as it is, or separate names with a comma)."
        ),
    },
    "channel_added": {
        "ar": "✅ {chat} مرتبطة الآن بـ: {bindings}\nستُنشر فيها أخبار هذه التصنيفات من الآن.",
        "en": "✅ {chat} is now bound to: {bindings}\nThe news of these categories is posted "
        "there from now on.",
    },
    "channel_topics_created": {
        "ar": "أنشأتُ لكل تصنيف موضوعاً في المجموعة: {topics}",
        "en": "I made a topic in the group for each category: {topics}",
    },
    "channel_general_topic": {
        "ar": (
            "هذه مجموعة فيها مواضيع، ولا أستطيع إنشاء المواضيع (صلاحية «إدارة المواضيع»)، فستُنشر "
            "الأخبار في الموضوع العام. لموضوع لكل تصنيف: أرسل رابط الموضوع، مثلاً "
            "/addchannel https://t.me/c/…/45 سياسة، أو أعطِ البوت صلاحية «إدارة المواضيع» "
            "وأرسل الأمر من جديد."
        ),
        "en": (
            'This group has topics and I cannot create them (the "Manage Topics" right), so '
            "the news goes to the General topic. For a topic per category, send the topic's "
            'link, e.g. /addchannel https://t.me/c/…/45 سياسة, or give the bot "Manage '
            'Topics" and send the command again.'
        ),
    },
    "channel_choose": {
        "ar": "اختر التصنيفات التي تُنشر في {chat} (✅ = مرتبطة):",
        "en": "Choose the categories posted in {chat} (✅ = bound):",
    },
    "channel_topic": {"ar": "{name} (الموضوع {thread})", "en": "{name} (topic {thread})"},
    "channels_none": {
        "ar": "لا توجد قنوات ولا مجموعات بعد. أضف واحدة بـ /addchannel.",
        "en": "No channels or groups yet. Add one with /addchannel.",
    },
    "channels_heading": {
        "ar": "📢 <b>القنوات والمجموعات</b> ({count}):",
        "en": "📢 <b>Channels and groups</b> ({count}):",
    },
    "channel_entry": {
        "ar": "{n}. <b>{chat}</b> — {kind}، {state}\nالتصنيفات: {bindings}\nالمنشور: {sent}",
        "en": "{n}. <b>{chat}</b> — {kind}, {state}\nCategories: {bindings}\nPosted: {sent}",
    },
    "channel_entry_error": {"ar": "آخر خطأ: {error}", "en": "Last error: {error}"},
    "channel_kind_channel": {"ar": "قناة", "en": "channel"},
    "channel_kind_group": {"ar": "مجموعة", "en": "group"},
    "channel_active": {"ar": "تعمل", "en": "active"},
    "channel_inactive": {"ar": "متوقفة ({reason})", "en": "stopped ({reason})"},
    "channel_edit_button": {"ar": "✏️ {chat}", "en": "✏️ {chat}"},
    "channel_remove_button": {"ar": "🗑 {chat}", "en": "🗑 {chat}"},
    "channel_back_button": {"ar": "↩️ القائمة", "en": "↩️ The list"},
    "channel_remove_ask": {
        "ar": "هل تريد إزالة {chat}؟ يتوقف النشر فيها وتُحذف تصنيفاتها ({bindings}).",
        "en": "Remove {chat}? Posting there stops and its categories ({bindings}) are dropped.",
    },
    "channel_remove_yes": {"ar": "نعم، أزلها", "en": "Yes, remove it"},
    "channel_remove_no": {"ar": "لا، تراجع", "en": "No, keep it"},
    "channel_removed": {
        "ar": "أُزيلت {chat}: لن يُنشر فيها شيء بعد الآن.",
        "en": "{chat} was removed: nothing more is posted there.",
    },
    "channel_gone": {
        "ar": "هذه القناة أو المجموعة لم تعد في القائمة.",
        "en": "That channel or group is no longer listed.",
    },
    "channel_bound": {"ar": "تُنشر الآن فيها: {name}", "en": "Now posted there: {name}"},
    "channel_unbound": {"ar": "أُوقف نشر: {name}", "en": "No longer posted there: {name}"},
    "channel_cannot_bind": {
        "ar": "لا أستطيع النشر هناك الآن. أرسل /addchannel ومعرّفها لتعرف السبب وطريقة الإصلاح.",
        "en": "I cannot post there now. Send /addchannel with its name to see why and how to "
        "fix it.",
    },
    "channel_done": {
        "ar": "{chat} مرتبطة بـ: {bindings}",
        "en": "{chat} is bound to: {bindings}",
    },
    "channel_joined": {
        "ar": "📢 أُضيف البوت إلى {kind} «{chat}» ({chat_id}). اختر التصنيفات التي تُنشر فيها:",
        "en": "📢 The bot was added to the {kind} “{chat}” ({chat_id}). Choose the categories "
        "to post there:",
    },
    "channel_joined_forum": {
        "ar": "(فيها مواضيع: لموضوع لكل تصنيف أرسل /addchannel ورابط الموضوع والتصنيف.)",
        "en": "(It has topics: for a topic per category, send /addchannel with the topic's "
        "link and the category.)",
    },
    "channel_back": {
        "ar": (
            "📢 عاد البوت إلى «{chat}» ({chat_id}) ويستطيع النشر فيها: تعود إليها أخبار "
            "{categories}."
        ),
        "en": "📢 The bot is back in “{chat}” ({chat_id}) and may post there: its news of "
        "{categories} resumes.",
    },
    "channel_promoted": {
        "ar": "📢 أصبح البوت مشرفاً في «{chat}» ({chat_id}).",
        "en": "📢 The bot is now an administrator of “{chat}” ({chat_id}).",
    },
    "channel_cannot_post": {
        "ar": (
            "⚠️ لم يعد البوت يستطيع النشر في «{chat}» ({chat_id}): {why} فأوقفتُ النشر فيها.\n"
            "للإصلاح: اجعل البوت مشرفاً فيها مع صلاحية «نشر الرسائل» (أو اسمح له بإرسال الرسائل "
            "في المجموعة)، فيعود النشر بتصنيفاتها."
        ),
        "en": (
            "⚠️ The bot can no longer post in “{chat}” ({chat_id}): {why} so I stopped posting "
            'there.\nTo fix it: make the bot an administrator there with "Post Messages" (or '
            "let it send messages in the group), and posting resumes with its categories."
        ),
    },
    "channel_why_no_post": {
        "ar": "هو مشرف دون صلاحية «نشر الرسائل»،",
        "en": 'it is an administrator without "Post Messages",',
    },
    "channel_why_muted": {"ar": "هو ممنوع من إرسال الرسائل،", "en": "it may not send messages,"},
    "channel_why_demoted": {"ar": "لم يعد مشرفاً،", "en": "it is no longer an administrator,"},
    "channel_left": {
        "ar": "⚠️ أُخرج البوت من «{chat}» ({chat_id}) فتوقف النشر فيها. {categories}",
        "en": "⚠️ The bot was removed from “{chat}” ({chat_id}), so posting there stopped. "
        "{categories}",
    },
    "channel_left_bound": {
        "ar": "كانت تُنشر فيها: {names}؛ تعود إليها إذا أعدتَ البوت.",
        "en": "It had: {names}; they resume if you add the bot back.",
    },
    "channel_nothing_chosen": {
        "ar": "لم تُختر تصنيفات، فلن يُنشر فيها شيء. أرسل /addchannel ومعرّفها حين تريد.",
        "en": "No category was chosen, so nothing is posted there. Send /addchannel with its "
        "name when you want.",
    },
    "channel_by": {"ar": "بواسطة: {by}", "en": "by: {by}"},
    "audit_channel.add": {"ar": "ربط قناة", "en": "channel bound"},
    "audit_channel.bind": {"ar": "إضافة تصنيف لقناة", "en": "category added to a channel"},
    "audit_channel.unbind": {"ar": "إزالة تصنيف من قناة", "en": "category removed from a channel"},
    "audit_channel.remove": {"ar": "إزالة قناة", "en": "channel removed"},
    "audit_channel.summary": {"ar": "تغيير طول الملخص في قناة", "en": "channel summary length set"},
    "audit_channel.languages": {"ar": "تغيير لغات قناة", "en": "channel languages set"},
    # A binding's own settings (issue 9): its summary length, the languages besides Arabic.
    "channel_settings_button": {"ar": "⚙️ طول الملخص واللغات", "en": "⚙️ Summary length, languages"},
    "channel_settings_choose": {
        "ar": "⚙️ إعدادات النشر في {chat}: اختر تصنيفاً لتغيير طول ملخص أخباره واللغات التي "
        "تُنشر بها.",
        "en": "⚙️ Posting settings of {chat}: choose a category to set the length of its "
        "summaries and the languages posted.",
    },
    "channel_settings_back": {"ar": "↩️ التصنيفات", "en": "↩️ Categories"},
    "channel_binding_back": {"ar": "↩️ رجوع", "en": "↩️ Back"},
    "channel_binding_button": {"ar": "⚙️ {name}", "en": "⚙️ {name}"},
    "channel_binding_screen": {
        "ar": (
            "⚙️ {chat} — <b>{name}</b>\n"
            "طول الملخص: {length}\n"
            "اللغات: {languages}\n"
            "العربية تُنشر دائماً. أخبار اللغات الأخرى (الفارسية والأردية والعبرية، والإنجليزية "
            "في قسم عربي) لا تُنشر هنا إلا إذا اخترتها."
        ),
        "en": (
            "⚙️ {chat} — <b>{name}</b>\n"
            "Summary length: {length}\n"
            "Languages: {languages}\n"
            "Arabic is always posted. News in other languages (Persian, Urdu, Hebrew, English "
            "in an Arabic section) is posted here only if you choose it."
        ),
    },
    "channel_length_short": {"ar": "قصير", "en": "Short"},
    "channel_length_medium": {"ar": "متوسط", "en": "Medium"},
    "channel_length_long": {"ar": "طويل", "en": "Long"},
    "channel_length_detailed": {"ar": "مفصّل", "en": "Detailed"},
    "channel_length_default": {"ar": "{name} (الافتراضي)", "en": "{name} (the default)"},
    "channel_length_named": {"ar": "{name}، {chars}", "en": "{name}, {chars}"},
    "channel_length_button": {"ar": "{name} · {n}", "en": "{name} · {n}"},
    "channel_setting_length": {"ar": "الملخص {chars}", "en": "summary of {chars}"},
    "channel_setting_languages": {"ar": "العربية و{names}", "en": "Arabic, {names}"},
    "channel_binding_settings": {"ar": "{name} [{settings}]", "en": "{name} [{settings}]"},
    "channel_arabic_only": {"ar": "العربية وحدها", "en": "Arabic only"},
    "channel_length_set": {"ar": "طول الملخص الآن: {length}", "en": "Summary length now: {length}"},
    "channel_language_on": {"ar": "تُنشر فيه الآن أيضاً: {name}", "en": "Now posted too: {name}"},
    "channel_language_off": {"ar": "لم تعد تُنشر فيه: {name}", "en": "No longer posted: {name}"},
    "channel_binding_gone": {
        "ar": "لم يعد هذا التصنيف مرتبطاً بهذه القناة أو المجموعة.",
        "en": "That category is no longer bound to that channel or group.",
    },
    "language_fa": {"ar": "الفارسية", "en": "Persian"},
    "language_ur": {"ar": "الأردية", "en": "Urdu"},
    "language_he": {"ar": "العبرية", "en": "Hebrew"},
    "language_latn": {"ar": "اللاتينية (كالإنجليزية)", "en": "Latin script (English…)"},
    # Sources (issue 8): /addfeed, /feeds and a feed's card, OPML import and /export.
    "addfeed_usage": {
        "ar": (
            "اكتب رابط المصدر بعد الأمر، ثم تصنيفاته إن شئت، مثلاً:\n"
            "/addfeed https://example.com/feed سياسة اقتصاد\n"
            "يصلح رابط خلاصة RSS أو Atom، أو رابط صفحة الموقع فأبحث فيها عن خلاصاتها."
        ),
        "en": (
            "Write the source's URL after the command, then its categories if you like:\n"
            "/addfeed https://example.com/feed politics economy\n"
            "An RSS or Atom feed works, or the site's page: I look for its feeds there."
        ),
    },
    "addfeed_added": {
        "ar": (
            "✅ أضفتُ المصدر <b>{title}</b> ({count})\n{url}\nالتصنيفات: {categories}\n"
            "لن تُنشر أخباره الحالية؛ ستُنشر الأخبار الجديدة منه من الآن."
        ),
        "en": (
            "✅ Added <b>{title}</b> ({count})\n{url}\nCategories: {categories}\n"
            "Its current entries are not posted; its new ones will be from now on."
        ),
    },
    "addfeed_found_on": {
        "ar": "وجدتُه في الصفحة {page}",
        "en": "Found on the page {page}",
    },
    "addfeed_newest": {
        "ar": "أحدث خبر فيه، كما سيُنشر:",
        "en": "Its newest entry, as it would be posted:",
    },
    "addfeed_empty": {
        "ar": "لا أخبار فيه الآن؛ سأنشر ما يُضاف إليه.",
        "en": "It has no entries now; what is added to it will be posted.",
    },
    "addfeed_choose": {
        "ar": "وجدتُ في الصفحة {url} أكثر من خلاصة. اختر التي تريد إضافتها:",
        "en": "The page {url} has several feeds. Choose the one to add:",
    },
    "addfeed_bad_url": {
        "ar": "هذا ليس رابط موقع: يجب أن يبدأ الرابط بـ http:// أو https://",
        "en": "That is not a web address: it must start with http:// or https://",
    },
    "addfeed_url_too_long": {
        "ar": "الرابط أطول من المسموح ({detail} محرف).",
        "en": "The URL is longer than allowed ({detail} characters).",
    },
    "addfeed_unknown_categories": {
        "ar": ("لا أعرف هذه التصنيفات: {detail}\nلم أضف شيئاً. التصنيفات الموجودة: {known}"),
        "en": "I do not know these categories: {detail}\nNothing was added. There are: {known}",
    },
    "addfeed_already": {
        "ar": "هذا المصدر مضاف من قبل: {url}\nتجده في /feeds",
        "en": "That feed is already there: {url}\nSee /feeds",
    },
    # {lead} of the fetch problems below: /addfeed's, or /preview's.
    "addfeed_lead": {"ar": "لم أضف", "en": "Not added"},
    "preview_lead": {"ar": "تعذّرت معاينة", "en": "Cannot preview"},
    "addfeed_private": {
        "ar": (
            "{lead} {url}: عنوانه داخلي أو خاص (شبكة محلية أو الجهاز نفسه)، ولا أجلب منه "
            "إلا إذا سمح الإعداد ALLOW_PRIVATE_FEEDS بذلك.\nالتفاصيل: {detail}"
        ),
        "en": (
            "{lead}: {url} is a private or internal address (a local network or this "
            "machine), fetched only with ALLOW_PRIVATE_FEEDS=true.\nDetails: {detail}"
        ),
    },
    "addfeed_timeout": {
        "ar": "{lead} {url}: لم يردّ الموقع في الوقت المسموح.\nالتفاصيل: {detail}",
        "en": "{lead}: {url} did not answer in time.\nDetails: {detail}",
    },
    "addfeed_http": {
        "ar": "{lead} {url}: ردّ الموقع بخطأ.\nالتفاصيل: {detail}",
        "en": "{lead}: the site answered {url} with an error.\nDetails: {detail}",
    },
    "addfeed_unreachable": {
        "ar": (
            "{lead} {url}: تعذّر الوصول إلى الموقع (اسمه غير معروف أو لا يقبل الاتصال).\n"
            "التفاصيل: {detail}"
        ),
        "en": (
            "{lead}: {url} cannot be reached (its name is unknown or it refuses "
            "connections).\nDetails: {detail}"
        ),
    },
    "addfeed_too_large": {
        "ar": "{lead} {url}: الردّ أكبر من الحجم المسموح.\nالتفاصيل: {detail}",
        "en": "{lead}: the answer of {url} is larger than allowed.\nDetails: {detail}",
    },
    "addfeed_not_a_feed": {
        "ar": (
            "{lead} {url}: ليس خلاصة RSS أو Atom، ولم أجد في الصفحة رابط خلاصة ولا في "
            "المسارات المعتادة (/feed و/rss …).\nالتفاصيل: {detail}"
        ),
        "en": (
            "{lead}: {url} is not an RSS or Atom feed, and I found no feed linked from "
            "the page nor at the usual paths (/feed, /rss, …).\nDetails: {detail}"
        ),
    },
    "addfeed_failed": {
        "ar": "{lead} {url}: تعذّر جلبه.\nالتفاصيل: {detail}",
        "en": "{lead}: {url} could not be fetched.\nDetails: {detail}",
    },
    "feeds_heading": {
        "ar": "📡 <b>المصادر</b> ({count}):",
        "en": "📡 <b>Feeds</b> ({count}):",
    },
    "feeds_none": {
        "ar": "لا توجد مصادر بعد. أضف واحداً: /addfeed رابط",
        "en": "There are no feeds yet. Add one: /addfeed URL",
    },
    "feeds_end": {"ar": "لا مصادر أخرى.", "en": "There are no more feeds."},
    "feeds_line": {
        "ar": "{n}. <b>{title}</b> — {state}\nآخر خبر جديد: {last} · الأخبار يومياً: {per_day}",
        "en": "{n}. <b>{title}</b> — {state}\nlast new article: {last} · per day: {per_day}",
    },
    "feed_state_ok": {"ar": "✅ يعمل", "en": "✅ ok"},
    "feed_state_new": {"ar": "🆕 لم يُجلب بعد", "en": "🆕 not polled yet"},
    "feed_state_paused": {"ar": "⏸ موقوف مؤقتاً", "en": "⏸ paused"},
    # Appended to the state of a feed its hub pushes (WebSub).
    "feed_state_pushed": {"ar": " · ⚡ يصل بالدفع", "en": " · ⚡ pushed"},
    "feed_state_disabled": {"ar": "⛔ معطّل بعد {count}", "en": "⛔ disabled after {count}"},
    "feed_state_failing": {
        "ar": "⚠️ يفشل منذ {since} ({count})",
        "en": "⚠️ failing since {since} ({count})",
    },
    "feed_last_error": {"ar": "آخر خطأ: {error}", "en": "last error: {error}"},
    "feed_never": {"ar": "لا شيء بعد", "en": "none yet"},
    "feed_card": {
        "ar": (
            "<b>{title}</b>\n{url}\nالحالة: {state}\nالتصنيفات: {categories}\n"
            "التحديث: {interval}\nآخر خبر جديد: {last}\n"
            "الأخبار يومياً (آخر ٧ أيام): {per_day}"
        ),
        "en": (
            "<b>{title}</b>\n{url}\nState: {state}\nCategories: {categories}\n"
            "Polled: {interval}\nLast new article: {last}\n"
            "Articles per day (last 7 days): {per_day}"
        ),
    },
    "feed_every": {"ar": "كل {every}", "en": "every {every}"},
    "feed_every_default": {
        "ar": "كل {every} (الافتراضي)",
        "en": "every {every} (the default)",
    },
    "feed_pause_button": {"ar": "⏸ إيقاف مؤقت", "en": "⏸ Pause"},
    "feed_resume_button": {"ar": "▶️ استئناف", "en": "▶️ Resume"},
    "feed_poll_button": {"ar": "🔄 حدّث الآن", "en": "🔄 Poll now"},
    "feed_categories_button": {"ar": "🗂 التصنيفات", "en": "🗂 Categories"},
    "feed_interval_button": {"ar": "⏱ مدة التحديث", "en": "⏱ Interval"},
    "feed_remove_button": {"ar": "🗑 حذف", "en": "🗑 Remove"},
    "feed_back_button": {"ar": "↩️ المصادر", "en": "↩️ Feeds"},
    "feed_card_button": {"ar": "↩️ بطاقة المصدر", "en": "↩️ The feed"},
    "feed_retry_button": {"ar": "إعادة المحاولة", "en": "Try again"},
    "feed_default_button": {"ar": "الافتراضي", "en": "Default"},
    "feed_categories_pick": {
        "ar": "تصنيفات المصدر <b>{title}</b> (✅ = مختار). اضغط لإضافة أو إزالة:",
        "en": "Categories of <b>{title}</b> (✅ = chosen). Press to add or remove:",
    },
    "feed_interval_pick": {
        "ar": "كل كم أحدّث المصدر <b>{title}</b>؟ (الآن: {interval})",
        "en": "How often should <b>{title}</b> be polled? (now: {interval})",
    },
    "feed_remove_confirm": {
        "ar": (
            "هل تريد حذف المصدر <b>{title}</b>؟\n{url}\n"
            "سيتوقف جلبه وتُحذف أخباره المخزنة من الأرشيف."
        ),
        "en": (
            "Remove the feed <b>{title}</b>?\n{url}\n"
            "It is no longer polled and its stored articles leave the archive."
        ),
    },
    "feed_remove_yes": {"ar": "نعم، احذفه", "en": "Yes, remove it"},
    "feed_remove_no": {"ar": "لا، تراجع", "en": "No, keep it"},
    "feed_removed": {"ar": "🗑 حذفتُ المصدر <b>{title}</b>.", "en": "🗑 Removed <b>{title}</b>."},
    "feed_gone": {"ar": "هذا المصدر لم يعد موجوداً.", "en": "That feed no longer exists."},
    "feed_paused_toast": {"ar": "أوقفتُه مؤقتاً.", "en": "Paused."},
    "feed_resumed_toast": {"ar": "استأنفتُ جلبه.", "en": "Resumed."},
    "feed_saved_toast": {"ar": "حُفظ.", "en": "Saved."},
    "feed_polled_new": {
        "ar": "🔄 حدّثتُ <b>{title}</b>: {new}، ومنها للنشر {planned}.",
        "en": "🔄 Polled <b>{title}</b>: {new}, {planned} of them to post.",
    },
    "feed_polled_nothing": {
        "ar": "🔄 حدّثتُ <b>{title}</b>: لا أخبار جديدة.",
        "en": "🔄 Polled <b>{title}</b>: nothing new.",
    },
    "feed_polled_failed": {
        "ar": "⚠️ فشل تحديث <b>{title}</b>: {error}",
        "en": "⚠️ Polling <b>{title}</b> failed: {error}",
    },
    "feed_not_polled": {
        "ar": "لم أحدّث <b>{title}</b>: {state}.",
        "en": "<b>{title}</b> was not polled: {state}.",
    },
    "feed_enabled": {
        "ar": "✅ أعدتُ تفعيل المصدر {url}",
        "en": "✅ Enabled {url} again",
    },
    "audit_feed.add": {"ar": "إضافة مصدر", "en": "feed added"},
    "audit_feed.remove": {"ar": "حذف مصدر", "en": "feed removed"},
    "audit_feed.pause": {"ar": "إيقاف مصدر مؤقتاً", "en": "feed paused"},
    "audit_feed.resume": {"ar": "استئناف مصدر", "en": "feed resumed"},
    "audit_feed.enable": {"ar": "إعادة تفعيل مصدر", "en": "feed enabled again"},
    "audit_feed.categories": {"ar": "تصنيفات مصدر", "en": "feed categories"},
    "audit_feed.interval": {"ar": "مدة تحديث مصدر", "en": "feed interval"},
    "opml_too_large": {
        "ar": "الملف أكبر من المسموح ({limit} بايت). قسّمه إلى ملفات أصغر.",
        "en": "The file is larger than allowed ({limit} bytes). Split it into smaller ones.",
    },
    "opml_unreadable": {
        "ar": "لم أستورد شيئاً: هذا ليس ملف OPML أستطيع قراءته.\nالتفاصيل: {detail}",
        "en": "Nothing imported: that is not an OPML file I can read.\nDetails: {detail}",
    },
    "opml_empty": {
        "ar": "لا مصادر في هذا الملف (لا عناصر outline فيها xmlUrl).",
        "en": "There are no feeds in that file (no outline with an xmlUrl).",
    },
    "opml_reading": {
        "ar": "⏳ أقرأ الملف وأتحقق من مصادره…",
        "en": "⏳ Reading the file and checking its feeds…",
    },
    "opml_progress": {
        "ar": "⏳ أستورد المصادر: {done} من {total}…",
        "en": "⏳ Importing feeds: {done} of {total}…",
    },
    "opml_report": {
        "ar": (
            "📥 <b>استيراد OPML</b> ({total})\n✅ أُضيف: {added}\n↩️ موجود من قبل: {already}\n"
            "⚠️ لم يُضف: {failed}"
        ),
        "en": (
            "📥 <b>OPML import</b> ({total})\n✅ added: {added}\n↩️ already there: {already}\n"
            "⚠️ not added: {failed}"
        ),
    },
    "opml_added_heading": {"ar": "أُضيف:", "en": "Added:"},
    "opml_already_heading": {"ar": "موجود من قبل:", "en": "Already there:"},
    "opml_failed_heading": {"ar": "لم يُضف:", "en": "Not added:"},
    "feed_problem_bad_url": {"ar": "رابط غير صالح", "en": "not a web address"},
    "feed_problem_url_too_long": {"ar": "رابط أطول من المسموح", "en": "URL too long"},
    "feed_problem_private": {"ar": "عنوان خاص أو داخلي", "en": "private address"},
    "feed_problem_timeout": {"ar": "لم يردّ في الوقت المسموح", "en": "timed out"},
    "feed_problem_http": {"ar": "ردّ بخطأ", "en": "HTTP error"},
    "feed_problem_unreachable": {"ar": "تعذّر الوصول إليه", "en": "unreachable"},
    "feed_problem_too_large": {"ar": "أكبر من المسموح", "en": "too large"},
    "feed_problem_not_a_feed": {"ar": "ليس خلاصة RSS أو Atom", "en": "not a feed"},
    "feed_problem_failed": {"ar": "تعذّر جلبه", "en": "could not be fetched"},
    "export_caption": {
        "ar": (
            "📤 المصادر ({count}) بصيغة OPML، في مجلدات بحسب التصنيف. "
            "أرسل الملف إلى البوت لاستيراده."
        ),
        "en": "📤 The feeds ({count}) as OPML, in folders by category. Send it back to import.",
    },
    "export_none": {
        "ar": "لا مصادر لتصديرها بعد. أضف واحداً: /addfeed رابط",
        "en": "There are no feeds to export yet. Add one: /addfeed URL",
    },
    "export_title": {"ar": "مصادر نشرة", "en": "Nashra's feeds"},
    # /preview URL [N]: a feed's newest entries as they would be posted (nothing is stored).
    "preview_usage": {
        "ar": (
            "اكتب رابط الخلاصة بعد الأمر، ثم عدد الأخبار إن شئت (من {low} إلى {high}، "
            "وهو {default} إن لم تذكره):\n/preview رابط\n"
            "سأريك أحدث أخبارها كما ستُنشر وإلى أين ستذهب، دون أن أحفظ شيئاً."
        ),
        "en": (
            "Write the feed's URL after the command, then how many articles if you like "
            "(from {low} to {high}, {default} if you do not say):\n/preview URL\n"
            "You will see its newest articles as they would be posted and where they would "
            "go; nothing is stored."
        ),
    },
    "preview_heading": {
        "ar": "🔎 <b>معاينة:</b> {title} — {count} في الخلاصة\n{url}",
        "en": "🔎 <b>Preview:</b> {title} — {count} in the feed\n{url}",
    },
    "preview_stored": {
        "ar": "هذا المصدر من مصادرنا: تُضاف تصنيفاته إلى ما تدلّ عليه وسوم أخباره وكلماتها.",
        "en": "This feed is one of ours: its categories are added to those its articles' "
        "labels and words point to.",
    },
    "preview_not_stored": {
        "ar": (
            "هذا المصدر ليس من مصادرنا بعد، فالتصنيفات أدناه من وسوم أخباره وكلماتها وحدها. "
            "أضفه بالأمر /addfeed"
        ),
        "en": (
            "This feed is not one of ours yet, so the categories below come from its "
            "articles' labels and words alone. Add it with /addfeed"
        ),
    },
    "preview_warning": {
        "ar": "⚠️ في الخلاصة خلل تجاوزته: {warning}",
        "en": "⚠️ The feed has a flaw I read past: {warning}",
    },
    "preview_empty": {
        "ar": "لا أخبار في هذه الخلاصة الآن.",
        "en": "The feed has no articles right now.",
    },
    "preview_following": {
        "ar": "أحدث {count} كما ستُنشر، بهذا الترتيب:",
        "en": "The newest {count} as they would be posted, in this order:",
    },
    "preview_item": {
        "ar": "{n}. {headline}\nالتصنيفات: {categories}\nإلى: {targets}",
        "en": "{n}. {headline}\ncategories: {categories}\nto: {targets}",
    },
    "preview_nobody": {
        "ar": "لا أحد: لا قناة ولا قارئ يتابع تصنيفاته",
        "en": "nobody: no channel or reader follows its categories",
    },
    "preview_not_posted": {
        "ar": "لن يُنشر: ليس خبراً عربياً (لغته {language})",
        "en": "not posted: not an Arabic article (its language: {language})",
    },
    "preview_language_other": {"ar": "غير العربية", "en": "not Arabic"},
    "preview_choose": {
        "ar": "{url} صفحة وليست خلاصة، وفيها هذه الخلاصات. انسخ أمر إحداها وأرسله لمعاينتها:",
        "en": "{url} is a page, not a feed, and it links to these feeds. Copy one's command "
        "and send it to preview that feed:",
    },
    # End of the sources' texts.
    # The operators' console, operations (issue 8): /broadcast, /stats, /preview.
    "broadcast_usage": {
        "ar": (
            "اكتب الرسالة بعد الأمر، في سطر واحد أو أكثر:\n/broadcast نص الرسالة\n"
            "سأريك كيف ستصل إلى القراء قبل إرسالها."
        ),
        "en": (
            "Write the message after the command, on one line or more:\n/broadcast your text\n"
            "You will see it as readers will before it is sent."
        ),
    },
    "broadcast_too_long": {
        "ar": (
            "الرسالة أطول مما يقبله تيليغرام: {length} محرفاً، والحد {limit}. "
            "اختصرها ثم أرسل /broadcast من جديد."
        ),
        "en": (
            "The message is longer than Telegram accepts: {length} characters, the limit is "
            "{limit}. Shorten it and send /broadcast again."
        ),
    },
    "broadcast_confirm": {
        "ar": "👆 هكذا ستصل الرسالة. أأرسلها إلى {readers}؟",
        "en": "👆 This is the message as readers will get it. Send it to {readers}?",
    },
    "broadcast_send_button": {"ar": "إرسال", "en": "Send"},
    "broadcast_cancel_button": {"ar": "إلغاء", "en": "Cancel"},
    "broadcast_queued": {
        "ar": (
            "✅ ستصل الرسالة إلى {readers} تباعاً، بالسرعة التي يسمح بها تيليغرام. "
            "تابع تقدّمها في /stats."
        ),
        "en": (
            "✅ The message goes to {readers}, one after another at the pace Telegram allows. "
            "Follow its progress in /stats."
        ),
    },
    "broadcast_cancelled": {
        "ar": "أُلغيت الرسالة، ولم تُرسل إلى أحد.",
        "en": "Cancelled: the message was sent to nobody.",
    },
    "broadcast_gone": {
        "ar": "هذه الرسالة أُرسلت أو أُلغيت من قبل.",
        "en": "That message was already sent or cancelled.",
    },
    "audit_broadcast.send": {"ar": "رسالة إلى كل القراء", "en": "message to every reader"},
    # /stats: the service's numbers; days are the deployment's (TIMEZONE).
    "stats_title": {
        "ar": "📊 <b>إحصاءات «نشرة»</b>\n{moment} ({zone})",
        "en": "📊 <b>Nashra's statistics</b>\n{moment} ({zone})",
    },
    "stats_readers": {
        "ar": (
            "👥 <b>القرّاء</b>\nنشطون: {active} · أوقفوا الأخبار: {stopped} · "
            "حظروا البوت أو غادروا تيليغرام: {blocked}"
        ),
        "en": (
            "👥 <b>Readers</b>\nactive: {active} · stopped: {stopped} · "
            "blocked the bot or left Telegram: {blocked}"
        ),
    },
    "stats_readers_by_category": {"ar": "حسب التصنيف:", "en": "By category:"},
    "stats_articles": {
        "ar": "📰 <b>الأخبار</b>\nاليوم: {today} · في آخر {days}: {week}",
        "en": "📰 <b>Articles</b>\ntoday: {today} · last {days}: {week}",
    },
    "stats_by_source": {
        "ar": "حسب المصدر (اليوم / آخر {days}):",
        "en": "By source (today / last {days}):",
    },
    "stats_by_category": {
        "ar": "حسب التصنيف (اليوم / آخر {days}):",
        "en": "By category (today / last {days}):",
    },
    "stats_no_category": {"ar": "بلا تصنيف", "en": "no category"},
    "stats_deliveries": {
        "ar": (
            "📤 <b>إرسال الأخبار</b>\nأُرسلت اليوم: {today} · في آخر {days}: {week}\n"
            "بانتظار الإرسال: {pending}{oldest}\nمؤجَّلة لملخّصات القرّاء: {held}\n"
            "تعذّر إرسالها، مما خُطِّط له في آخر {days}: {failed}{kept}"
        ),
        "en": (
            "📤 <b>Article deliveries</b>\nsent today: {today} · last {days}: {week}\n"
            "waiting: {pending}{oldest}\nheld for readers' digests: {held}\n"
            "failed, of those planned in the last {days}: {failed}{kept}"
        ),
    },
    "stats_oldest": {"ar": " (أقدمها {age})", "en": " (the oldest planned {age})"},
    "stats_just_now": {"ar": "للتو", "en": "just now"},
    # OUTBOX_RETENTION_DAYS shorter than a week: the sent and failed ones are deleted sooner.
    "stats_kept": {
        "ar": "\n(يُحذف سجلّ ما أُرسل بعد {days}، فالأعداد أقل مما كانت)",
        "en": "\n(what was sent is deleted after {days}, so these counts fall short)",
    },
    "stats_troubled": {
        "ar": "⚠️ <b>مصادر متعثرة</b>: {count}",
        "en": "⚠️ <b>Failing feeds</b>: {count}",
    },
    "stats_troubled_none": {"ar": "✅ كل المصادر تعمل.", "en": "✅ Every feed is working."},
    "stats_broadcasts": {
        "ar": "📣 <b>الرسائل إلى كل القرّاء</b> (أُرسلت / تنتظر / لم تصل):",
        "en": "📣 <b>Broadcasts</b> (sent / waiting / failed):",
    },
    "stats_chart_title": {
        "ar": "الأخبار حسب التصنيف في آخر {days}",
        "en": "Articles by category, last {days}",
    },
    "stats_chart_axis": {"ar": "عدد الأخبار", "en": "articles"},
    "stats_chart_others": {"ar": "أخرى", "en": "others"},
    "stats_chart_total": {"ar": "كل الأخبار", "en": "all articles"},
    "stats_chart_caption": {
        "ar": (
            "📊 الأخبار حسب التصنيف يوماً بيوم، من {first} إلى {last} ({zone}). "
            "الخبر في تصنيفين يُحسب في كليهما، والخط عدد الأخبار نفسها."
        ),
        "en": (
            "📊 Articles by category, day by day, from {first} to {last} ({zone}). An article "
            "in two categories counts in both; the line is the number of articles themselves."
        ),
    },
}

# CLDR plural categories → wording. Arabic: zero, one, two, few (3–10), many (11–99), other.
PLURALS: dict[str, dict[str, dict[str, str]]] = {
    "chars": {
        "ar": {
            "zero": "{n} حرف",
            "one": "حرف واحد",
            "two": "حرفان",
            "few": "{n} أحرف",
            "many": "{n} حرفاً",
            "other": "{n} حرف",
        },
        "en": {"one": "{n} character", "other": "{n} characters"},
    },
    "keywords": {
        "ar": {
            "zero": "لا كلمات",
            "one": "كلمة واحدة",
            "two": "كلمتان",
            "few": "{n} كلمات",
            "many": "{n} كلمة",
            "other": "{n} كلمة",
        },
        "en": {"one": "{n} word", "other": "{n} words"},
    },
    # After "بعد": the genitive (محاولتين), and the adjective agrees in number.
    "failures_in_a_row": {
        "ar": {
            "zero": "{n} محاولة فاشلة",
            "one": "محاولة واحدة فاشلة",
            "two": "محاولتين فاشلتين متتاليتين",
            "few": "{n} محاولات فاشلة متتالية",
            "many": "{n} محاولة فاشلة متتالية",
            "other": "{n} محاولة فاشلة متتالية",
        },
        "en": {"one": "{n} failure", "other": "{n} failures in a row"},
    },
    "people": {
        "ar": {
            "zero": "لا أحد",
            "one": "شخص واحد",
            "two": "شخصان",
            "few": "{n} أشخاص",
            "many": "{n} شخصاً",
            "other": "{n} شخص",
        },
        "en": {"one": "{n} person", "other": "{n} people"},
    },
    "actions": {
        "ar": {
            "zero": "لا إجراءات",
            "one": "إجراء واحد",
            "two": "إجراءان",
            "few": "{n} إجراءات",
            "many": "{n} إجراءً",
            "other": "{n} إجراء",
        },
        "en": {"one": "{n} action", "other": "{n} actions"},
    },
    # --- The operators' console: categories (/categories_admin).
    "ca_categories": {
        "ar": {
            "zero": "لا تصنيفات",
            "one": "تصنيف واحد",
            "two": "تصنيفان",
            "few": "{n} تصنيفات",
            "many": "{n} تصنيفاً",
            "other": "{n} تصنيف",
        },
        "en": {"one": "{n} category", "other": "{n} categories"},
    },
    "ca_readers": {
        "ar": {
            "zero": "لا قراء",
            "one": "قارئ واحد",
            "two": "قارئان",
            "few": "{n} قراء",
            "many": "{n} قارئاً",
            "other": "{n} قارئ",
        },
        "en": {"one": "{n} reader", "other": "{n} readers"},
    },
    "ca_channels": {
        "ar": {
            "zero": "لا قنوات",
            "one": "قناة واحدة",
            "two": "قناتان",
            "few": "{n} قنوات",
            "many": "{n} قناة",
            "other": "{n} قناة",
        },
        "en": {"one": "{n} channel", "other": "{n} channels"},
    },
    "ca_stopped": {
        "ar": {
            "zero": "لا محادثات متوقفة",
            "one": "محادثة واحدة متوقفة",
            "two": "محادثتان متوقفتان",
            "few": "{n} محادثات متوقفة",
            "many": "{n} محادثة متوقفة",
            "other": "{n} محادثة متوقفة",
        },
        "en": {"one": "{n} stopped chat", "other": "{n} stopped chats"},
    },
    "ca_feeds": {
        "ar": {
            "zero": "لا مصادر",
            "one": "مصدر واحد",
            "two": "مصدران",
            "few": "{n} مصادر",
            "many": "{n} مصدراً",
            "other": "{n} مصدر",
        },
        "en": {"one": "{n} feed", "other": "{n} feeds"},
    },
    "ca_articles": {
        "ar": {
            "zero": "لا أخبار",
            "one": "خبر واحد",
            "two": "خبران",
            "few": "{n} أخبار",
            "many": "{n} خبراً",
            "other": "{n} خبر",
        },
        "en": {"one": "{n} story", "other": "{n} stories"},
    },
    # After "في آخر": "in the last 7 days".
    "ca_days": {
        "ar": {
            "zero": "{n} يوم",
            "one": "يوم",
            "two": "يومين",
            "few": "{n} أيام",
            "many": "{n} يوماً",
            "other": "{n} يوم",
        },
        "en": {"one": "day", "other": "{n} days"},
    },
    # Channels and groups: posts sent to one, and how many there are.
    "posts": {
        "ar": {
            "zero": "لا منشورات",
            "one": "منشور واحد",
            "two": "منشوران",
            "few": "{n} منشورات",
            "many": "{n} منشوراً",
            "other": "{n} منشور",
        },
        "en": {"one": "{n} post", "other": "{n} posts"},
    },
    # Sources (issue 8).
    "articles": {
        "ar": {
            "zero": "لا أخبار",
            "one": "خبر واحد",
            "two": "خبران",
            "few": "{n} أخبار",
            "many": "{n} خبراً",
            "other": "{n} خبر",
        },
        "en": {"one": "{n} article", "other": "{n} articles"},
    },
    "failures": {
        "ar": {
            "zero": "لا محاولات فاشلة",
            "one": "محاولة فاشلة واحدة",
            "two": "محاولتان فاشلتان",
            "few": "{n} محاولات فاشلة",
            "many": "{n} محاولة فاشلة",
            "other": "{n} محاولة فاشلة",
        },
        "en": {"one": "{n} failure", "other": "{n} failures"},
    },
    "feeds": {
        "ar": {
            "zero": "لا مصادر",
            "one": "مصدر واحد",
            "two": "مصدران",
            "few": "{n} مصادر",
            "many": "{n} مصدراً",
            "other": "{n} مصدر",
        },
        "en": {"one": "{n} feed", "other": "{n} feeds"},
    },
    # The operators' console, operations (issue 8). After "إلى": the genitive.
    "readers": {
        "ar": {
            "zero": "لا أحد من القراء",
            "one": "قارئ واحد",
            "two": "قارئين",
            "few": "{n} قرّاء",
            "many": "{n} قارئاً",
            "other": "{n} قارئ",
        },
        "en": {"one": "{n} reader", "other": "{n} readers"},
    },
}

COMMANDS = {
    "ar": [
        ("start", "البدء واختيار التصنيفات"),
        ("categories", "اختيار التصنيفات"),
        ("mysubs", "اشتراكاتي وطريقة الاستلام"),
        ("follow", "تنبيه بكلمة"),
        ("unfollow", "إلغاء تنبيه كلمة"),
        ("mute", "كتم كلمة"),
        ("unmute", "إلغاء كتم كلمة"),
        ("quiet", "ساعات الهدوء"),
        ("stop", "إيقاف كل الأخبار"),
        ("search", "البحث في الأخبار"),
        ("latest", "آخر الأخبار"),
        ("help", "قائمة الأوامر"),
    ],
    "en": [
        ("start", "Start and pick categories"),
        ("categories", "Choose categories"),
        ("mysubs", "My subscriptions and delivery"),
        ("follow", "Alert me about a word"),
        ("unfollow", "Remove a word alert"),
        ("mute", "Mute a word"),
        ("unmute", "Unmute a word"),
        ("quiet", "Quiet hours"),
        ("stop", "Stop all news"),
        ("search", "Search the news"),
        ("latest", "The latest news"),
        ("help", "List of commands"),
    ],
}


# In an admin's private chat, after the readers' commands.
ADMIN_COMMANDS = {
    "ar": [
        ("admin", "المشرفون: قائمة وإضافة وإزالة"),
        ("addfeed", "إضافة مصدر أخبار"),
        ("feeds", "المصادر وحالتها"),
        ("export", "تصدير المصادر (OPML)"),
        ("categories_admin", "إدارة التصنيفات"),
        ("addchannel", "ربط قناة أو مجموعة بتصنيفات"),
        ("channels", "القنوات والمجموعات"),
        ("broadcast", "رسالة إلى كل القراء"),
        ("stats", "إحصاءات الخدمة"),
        ("preview", "معاينة خلاصة كما ستُنشر"),
        ("audit", "سجل إجراءات المشرفين"),
        # Sources (issue 8).
    ],
    "en": [
        ("admin", "Admins: list, add, remove"),
        ("addfeed", "Add a news feed"),
        ("feeds", "The feeds and their state"),
        ("export", "Export the feeds (OPML)"),
        ("categories_admin", "Manage the categories"),
        ("addchannel", "Bind a channel or group to categories"),
        ("channels", "Channels and groups"),
        ("broadcast", "A message to every reader"),
        ("stats", "The service's statistics"),
        ("preview", "Preview a feed as it would be posted"),
        ("audit", "The admins' audit log"),
        # Sources (issue 8).
    ],
}


def language_of(language_code: str | None) -> str:
    return interface_language(language_code)


def number(n: int, language: str) -> str:
    return to_digits(str(n), "arab") if language == "ar" else str(n)


def clock(minutes: int, language: str) -> str:
    return number_text(f"{minutes // 60:02d}:{minutes % 60:02d}", language)


def number_text(value: str, language: str) -> str:
    return to_digits(value, "arab") if language == "ar" else value


def plural(key: str, n: int, language_code: str | None) -> str:
    language = language_of(language_code)
    form = (_AR if language == "ar" else _EN).plural_form(n)
    forms = PLURALS[key][language]
    return forms.get(form, forms["other"]).format(n=number(n, language))


def text(key: str, language_code: str | None = None, **values: object) -> str:
    template = TEXTS[key][language_of(language_code)]
    return template.format(**values) if values else template


def directed(message: str, language_code: str | None) -> str:
    """An answer as sent: in Arabic, each line that would start left to right gets an RLM
    (DESIGN.md §1); an English one is left as it is."""
    return rtl_html(message) if language_of(language_code) == "ar" else message


MAX_MESSAGE_CHARS = 4096  # Telegram's limit of a message's text, as it counts it
_Size = TypeVar("_Size", int, int | None)


def fitted(build: Callable[[_Size], str], sizes: Iterable[_Size]) -> str:
    """The first of build(size) that fits one Telegram message, for the sizes from the
    largest (how many entries a list shows); the smallest's when none fits."""
    message = ""
    for size in sizes:
        message = build(size)
        if telegram_length(message) <= MAX_MESSAGE_CHARS:
            break
    return message
