"""Delivery: planning the outbox, pacing, sending, and recording what Telegram answered.

planner (who gets an article) · instant (one message per article and chat) · digests (a
reader's held articles in one message) · recorder (outcomes, group-committed) · pacing (the
Pacer) · ratelimit (the handlers' replies on the same Pacer) · botapi (the aiohttp publisher
and the mapping of Telegram's answers) · outlets (the seams the senders share) · retention.
"""
