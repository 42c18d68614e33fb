"""Identity of a news entry: its dedupe key and its canonical link."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

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


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(("utm_", "_hs", "itm_")) or lowered in TRACKING_PARAMS


def canonical_link(url: str | None) -> str | None:
    """The link without what varies between shares of one article.

    Scheme and host are lower-cased, default ports, the fragment and tracking parameters are
    dropped, remaining parameters are sorted, and the path is percent-encoded one way (raw
    Arabic and `%D8%..` forms of one link compare equal). Anything that is not an http(s)
    URL gives None.
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
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~") or "/"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    )
    return urlunsplit((scheme, host, path, urlencode(query, doseq=True), ""))


def entry_key(guid: str | None, link: str | None, title: str, date: str | None) -> str:
    """The entry's key, unique per feed: its GUID, else its canonical link, else title+date.

    Hashed to a fixed length so that a key fits its column whatever the feed sends.
    """
    if guid and guid.strip():
        basis = "guid:" + guid.strip()
    elif (canonical := canonical_link(link)) is not None:
        basis = "link:" + canonical
    else:
        basis = f"title:{title.strip()}|{date or ''}"
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
