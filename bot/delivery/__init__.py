"""Delivery: the outbox sender, its pacing, and the mapping of Telegram's answers."""
