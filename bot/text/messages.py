"""What the bot says to people, in Arabic first and English when the reader's Telegram is.

Numbers are written in the reader's digits, and plurals follow CLDR's rules (Babel): Arabic
has six plural forms.
"""

from __future__ import annotations

from babel import Locale

from bot.text.dates import to_digits
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
            "للإصلاح: اجعل البوت مشرفاً فيها مع صلاحية «نشر الرسائل»، ثم نفّذ:\n"
            "nashra channel add {chat_id}\n"
            "فتعود إليها الأخبار بتصنيفاتها السابقة (أضف ‎--category لتصنيف جديد)."
        ),
        "en": (
            "⚠️ I can no longer post in {chat}, so I stopped posting there.\nReason: {reason}\n"
            'To fix it: make the bot an administrator there with the "Post messages" right, '
            "then run:\nnashra channel add {chat_id}\n"
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
            "/audit — سجل إجراءات المشرفين\n"
            "/stats — إحصاءات الخدمة: القراء والأخبار والرسائل والمصادر المتعثرة\n"
            "/broadcast نص — رسالة إلى كل القراء (بعد معاينتها وتأكيدها)\n"
            "/preview رابط — الأخبار الأحدث في مصدر كما ستُنشر\n"
            "/myid — رقم حسابك في تيليغرام"
        ),
        "en": (
            "Admin commands:\n"
            "/admin list — the owners and admins\n"
            "/admin add ID — make someone an admin by their account number (owners)\n"
            "/admin add, then forward a message they wrote — the same from their message "
            "(or reply /admin add to a message forwarded from them)\n"
            "/admin remove ID — remove an admin (owners)\n"
            "/audit — the log of the admins' actions\n"
            "/stats — the service's numbers: readers, news, deliveries, failing feeds\n"
            "/broadcast text — a message to every reader (previewed and confirmed first)\n"
            "/preview URL — a feed's newest entries as they would be posted\n"
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
}

# CLDR plural categories → wording. Arabic: zero, one, two, few (3–10), many (11–99), other.
PLURALS: dict[str, dict[str, dict[str, str]]] = {
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
        ("audit", "سجل إجراءات المشرفين"),
        # Operations (issue 8).
        ("stats", "إحصاءات الخدمة"),
        ("broadcast", "رسالة إلى كل القراء"),
        ("preview", "معاينة مصدر قبل إضافته"),
    ],
    "en": [
        ("admin", "Admins: list, add, remove"),
        ("audit", "The admins' audit log"),
        # Operations (issue 8).
        ("stats", "The service's numbers"),
        ("broadcast", "A message to every reader"),
        ("preview", "Preview a feed before adding it"),
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
