"""What the bot says to people, in Arabic first and English as a setting."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "ar": (
            "أهلاً بك في <b>نشرة</b> 📰\n"
            "أجمع لك الأخبار من مواقع إخبارية عربية كثيرة، وأنشر كل خبر جديد مع ملخص قصير "
            "ورابط إلى مصدره الأصلي.\n"
            "اكتب /help لترى ما يمكنني فعله."
        ),
        "en": (
            "Welcome to <b>Nashra</b> 📰\n"
            "I collect news from many Arabic news sites and publish every new story with a "
            "short summary and a link to its original source.\n"
            "Send /help to see what I can do."
        ),
    },
    "help": {
        "ar": ("الأوامر المتاحة:\n/start — رسالة الترحيب\n/help — هذه القائمة"),
        "en": ("Commands:\n/start — the welcome message\n/help — this list"),
    },
    "error": {
        "ar": "عذراً، حدث خطأ غير متوقع. أُبلغ المشرفون به، حاول مرة أخرى لاحقاً.",
        "en": "Sorry, something went wrong. The admins have been told; please try again later.",
    },
    "feed_disabled": {
        "ar": "⚠️ أوقفتُ جلب المصدر {url} بعد {count} محاولة فاشلة متتالية.\nآخر خطأ: {error}",
        "en": "⚠️ I stopped polling {url} after {count} failures in a row.\nLast error: {error}",
    },
    "admin_error": {
        "ar": "⚠️ خطأ غير متوقع في البوت: {error}",
        "en": "⚠️ Unexpected error in the bot: {error}",
    },
}


def language_of(language_code: str | None) -> str:
    """Arabic unless the person's Telegram language is one we have a translation for."""
    if language_code and language_code.split("-")[0].lower() == "en":
        return "en"
    return "ar"


def text(key: str, language_code: str | None = None, **values: object) -> str:
    template = TEXTS[key][language_of(language_code)]
    return template.format(**values) if values else template
