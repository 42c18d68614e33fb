"""News domain logic: summaries and Telegram posts (may import bot.text only)."""
