"""Which language the bot speaks to a person."""

from __future__ import annotations

from typing import Literal

Language = Literal["ar", "en"]


def interface_language(language_code: str | None) -> Language:
    """Arabic for Arabic speakers and when Telegram does not say; English for everyone else."""
    if not language_code or language_code.split("-")[0].lower() == "ar":
        return "ar"
    return "en"
