"""bench/text.py's baseline: the text functions as they were before issue 11.

The code itself is the frozen reference copy that the equivalence tests compare against
(tests/text/reference_text.py, copied from main before the change), so that the bench's
baseline and the tests' reference are one and the same code.
"""

from __future__ import annotations

from tests.text import reference_text
from tests.text.reference_text import (
    _stem_folded,
    _word_index_document_terms,
    article_terms,
    detect_language,
    html_to_text,
    summarise,
)

__all__ = [
    "_stem_folded",
    "_word_index_document_terms",
    "article_terms",
    "detect_language",
    "html_to_text",
    "reference_text",
    "summarise",
]
