"""Identity of a news entry: its dedupe key and its canonical link."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote_from_bytes, quote_plus, unquote_to_bytes, urlsplit, urlunsplit

# Query parameters that only track where a reader came from; they never change the article.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref_src",
        "cmpid",
        "ocid",
        "at_medium",
        "at_campaign",
    }
)


UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters a path may hold literally (RFC 3986 pchar and "/"), kept as they are.
_PATH_LITERAL = "/:@!$&'()*+,;=-._~"
# A percent-escape, or one character that a path may not hold literally.
_PATH_PIECE = re.compile(r"%[0-9A-Fa-f]{2}|[^A-Za-z0-9" + re.escape(_PATH_LITERAL) + "]")


def _is_tracking(name: bytes) -> bool:
    lowered = name.decode("utf-8", "replace").lower()
    return lowered.startswith(("utm_", "_hs", "itm_")) or lowered in TRACKING_PARAMS


def _path_piece(match: re.Match[str]) -> str:
    piece = match.group()
    if piece.startswith("%") and len(piece) == 3:
        byte = chr(int(piece[1:], 16))
        # Only unreserved characters mean the same escaped or not (RFC 3986, 6.2.2.2).
        return byte if byte in UNRESERVED else piece.upper()
    # Raw text (an Arabic IRI as feeds write it) becomes its UTF-8 escapes; a stray % too.
    return quote_from_bytes(piece.encode("utf-8", "surrogatepass"), safe="")


def _canonical_path(path: str) -> str:
    """The path with one spelling per byte sequence: escapes are never decoded to text, so
    links in legacy encodings (windows-1256 `%C7%E1`) stay as distinct as they are."""
    return _PATH_PIECE.sub(_path_piece, path) or "/"


def _canonical_query(query: str) -> str:
    """Parameters sorted, tracking ones dropped, each name and value escaped one way."""
    pairs: list[tuple[bytes, bytes]] = []
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        # Bytes, not text: decoding as UTF-8 would turn every legacy-encoded value into the
        # same replacement characters.
        name_bytes = unquote_to_bytes(name.replace("+", " "))
        if not _is_tracking(name_bytes):
            pairs.append((name_bytes, unquote_to_bytes(value.replace("+", " "))))
    pairs.sort()
    return "&".join(f"{quote_plus(name)}={quote_plus(value)}" for name, value in pairs)


def canonical_link(url: str | None) -> str | None:
    """The link without what varies between shares of one article.

    Scheme and host are lower-cased, default ports, the fragment and tracking parameters are
    dropped, remaining parameters are sorted, and percent-encoding is normalised byte by byte:
    raw Arabic and its UTF-8 `%D8%..` form compare equal, escapes of unreserved characters are
    decoded, and no other escape is (`%C7` and `%C8` of a windows-1256 link stay apart).
    Anything that is not an http(s) URL gives None.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if port and (scheme, port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    return urlunsplit(
        (scheme, host, _canonical_path(parts.path), _canonical_query(parts.query), "")
    )


def entry_key(
    guid: str | None, link: str | None, title: str, date: str | None, *, guid_repeats: bool = False
) -> str:
    """The entry's key, unique per feed: its GUID, else its canonical link, else title+date.

    A GUID that repeats within one feed body names no single entry (feeds that give every item
    the site's address, or a template's placeholder): those entries are keyed by GUID and
    canonical link (or title+date without one), so that they stay apart.
    Hashed to a fixed length so that a key fits its column whatever the feed sends.
    """
    canonical = canonical_link(link)
    fallback = (
        "link:" + canonical if canonical is not None else f"title:{title.strip()}|{date or ''}"
    )
    if guid and guid.strip():
        basis = "guid:" + guid.strip()
        if guid_repeats:
            basis += "|" + fallback
    else:
        basis = fallback
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()


def source_domain(url: str | None) -> str | None:
    """The outlet's domain as readers know it: `www.` dropped, lower case."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")
