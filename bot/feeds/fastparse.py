"""A fast reader of RSS 2.0 and Atom 1.0 bodies that gives exactly what feedparser would give.

feedparser costs ~18 ms a bench feed (100 KB), most of it in its SAX callbacks; expat building
an ElementTree and this module's walk over it cost ~3 ms. But the rest of parse.py reads
feedparser's dictionaries (ids, links, the raw date string that enters dedupe keys, tags from
dc:subject and itunes:keywords...), and a different answer would change dedupe keys and labels.
So this reader mirrors feedparser's rules for the elements it knows, and gives up (raises
Routed, with the reason) on everything else: another encoding than strict UTF-8, a UTF-16 BOM,
a DOCTYPE or xml:base, a body expat refuses, RDF and other formats, any element whose
feedparser handler it does not mirror, repeated elements whose winner depends on feedparser's
depth rules, zero entries. A body it gives up on goes to feedparser, so the answer is
feedparser's either way (tests/feeds/test_fastparse.py compares both over the corpus).

It is expat, as feedparser's strict parser is: a body read here is one that feedparser reads
without a bozo exception. Pure and picklable: it runs in worker processes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from feedparser import mixin as _feedparser_mixin
from feedparser.api import StrictFeedParser
from feedparser.datetimes import _parse_date
from feedparser.urls import _urljoin

# The namespaces feedparser knows, by lowercase URI, and the prefix its handlers use.
_KNOWN_NAMESPACES: dict[str, str] = {
    uri.lower(): prefix for uri, prefix in StrictFeedParser.namespaces.items()
}
# feedparser's handlers: an element with one does something this reader must mirror.
_HANDLERS = frozenset(
    name.split("_", 2)[2] for name in dir(StrictFeedParser) if name.startswith(("_start_", "_end_"))
)
# feedparser's translation of C1 controls to the characters windows-1252 puts there.
_CP1252: dict[int, str] = _feedparser_mixin._cp1252
_C1_CONTROL = re.compile("[" + "".join(map(chr, sorted(_CP1252))) + "]")
_RELATIVE = StrictFeedParser.can_be_relative_uri
_HTML_TYPES = StrictFeedParser.html_types

# The raw keys parse.py reads: an element without a handler stores its text under its own
# name, so one of these names would change an entry.
_READ_KEYS = frozenset(
    {
        "id", "link", "links", "title", "summary", "description", "content", "published",
        "updated", "created", "published_parsed", "updated_parsed", "created_parsed", "tags",
        "media_content", "media_thumbnail", "guidislink", "url", "href",
    }
)  # fmt: skip
# Handled elements that write nothing parse.py reads (authors, podcast flags, channel dates).
_HARMLESS_MEDIA = frozenset({"media_rating", "media_credit", "media_restriction", "media_license"})
_HARMLESS_IN_ENTRY = _HARMLESS_MEDIA | {
    "author", "dc_creator", "itunes_author", "itunes_explicit", "itunes_image", "dc_language",
    "itunes_subtitle", "rights",
}  # fmt: skip
_HARMLESS_IN_CHANNEL = frozenset(
    {
        "description", "language", "dc_language", "lastbuilddate", "pubdate", "dc_date",
        "generator", "copyright", "rights", "dc_rights", "managingeditor", "webmaster",
        "category", "dc_subject", "itunes_author", "itunes_explicit", "itunes_image",
        "itunes_subtitle", "itunes_summary", "itunes_keywords", "dc_creator", "dc_publisher",
        "cloud", "subtitle", "updated", "published",
    }
) | _HARMLESS_MEDIA  # fmt: skip
# Elements with children that write only authors, publishers and the feed's tags.
_PERSON = frozenset({"name", "email", "uri"})
_GROUPS = {
    "itunes_owner": frozenset({"itunes_name", "itunes_email"}),
    "itunes_category": frozenset({"itunes_category"}),
    "author": _PERSON,
    "contributor": _PERSON,
}
# An entry's elements that may come once, by the key feedparser stores them under: a second
# would leave feedparser's depth rules to choose.
_ONCE_IN_ENTRY = {
    "title": "title", "guid": "id", "id": "id", "content_encoded": "content",
    "content": "content", "pubdate": "published", "published": "published",
    "issued": "published", "dc_date": "updated", "updated": "updated", "modified": "updated",
    "created": "created",
}  # fmt: skip
# feedparser's summary-like elements: the first is the summary, a second is content.
_SUMMARIES = frozenset({"description", "summary", "itunes_summary"})
_TEXT_TYPES = frozenset({"text", "html", "text/plain", "text/html"})
_IMAGE_CHILDREN = frozenset({"url", "title", "link", "width", "height", "description"})
_DECLARATION = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_XMLNS = re.compile(r"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_SEMICOLON_REFERENCE = re.compile("&([A-Za-z0-9_]+);")


class Routed(Exception):  # noqa: N818 (not an error: the answer "ask feedparser")
    """The body is one this reader does not mirror exactly: feedparser reads it."""


@dataclass
class FastFeed:
    """What parse.py reads of feedparser's result, under feedparser's key names."""

    feed: dict[str, Any]
    entries: list[dict[str, Any]] = field(default_factory=list)


def read(body: bytes) -> FastFeed:
    """The feed and its entries as feedparser would give them; Routed when not sure."""
    text = _checked_text(body)
    try:
        # A feed body is hostile XML: defusedxml refuses DTDs and entity declarations (the
        # text check above already sends them to feedparser; this is the second lock).
        root = defused_fromstring(body, forbid_dtd=True)
    except ET.ParseError as exc:
        raise Routed(f"not well-formed ({exc})") from None
    except DefusedXmlException as exc:
        raise Routed(f"refused by defusedxml ({exc})") from None
    if root.tag == _ATOM_FEED:
        channel = root
    elif root.tag == "rss" and len(root) == 1 and root[0].tag == "channel":
        channel = root[0]
    else:
        raise Routed("neither RSS 2.0 nor Atom 1.0")
    reader = _Reader(_prefixes(text))
    feed = reader.channel(channel)
    if not reader.entries:
        raise Routed("no entries")
    return FastFeed(feed=feed, entries=reader.entries)


def parse_path(body: bytes) -> str:
    """ "fast" when the body is read here, else the reason it goes to feedparser."""
    try:
        read(body)
    except Routed as exc:
        return str(exc)
    return "fast"


def _checked_text(body: bytes) -> str:
    """The body as text, when feedparser would take it as UTF-8 without remark."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Routed("UTF-16 or UTF-32 byte order mark")
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    if not body.startswith(b"<"):
        raise Routed("does not start with markup")
    if (declared := _DECLARATION.match(body)) and declared.group(1).lower() != b"utf-8":
        raise Routed(f"declared encoding {declared.group(1).decode('ascii', 'replace')!r}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Routed("not strict UTF-8") from None
    # feedparser strips and rewrites DOCTYPEs and entity declarations, and resolves xml:base.
    if "<!DOCTYPE" in text or "<!ENTITY" in text or "xml:base" in text:
        raise Routed("DOCTYPE, entity declaration or xml:base")
    if "backend.userland.com/rss" in text:
        raise Routed("userland namespace")
    return text


def _prefixes(text: str) -> dict[str, str]:
    """The document's prefix for each namespace URI feedparser does not know: feedparser names
    the keys of such elements after it."""
    prefixes: dict[str, str] = {}
    bound: dict[str, str] = {}
    for match in _XMLNS.finditer(text):
        prefix, uri = match.group(1), match.group(2) or match.group(3) or ""
        if bound.setdefault(prefix, uri) != uri:
            raise Routed(f"prefix {prefix!r} bound to two namespaces")
        prefixes.setdefault(uri, prefix)
    return prefixes


def _fixed(value: str | None, element: str, resolve: bool = True) -> str:
    """An element's text as feedparser's pop() leaves it: stripped, relative addresses joined
    (against nothing), mis-decoded UTF-8 repaired, C1 controls mapped as windows-1252."""
    output = (value or "").strip()
    if resolve and element in _RELATIVE and output:
        output = _urljoin("", output)
    if output.isascii():  # both repairs leave ASCII as it is
        return output
    try:
        output = output.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    # str.translate with a dict visits every character: only texts with a C1 control need it.
    return output.translate(_CP1252) if _C1_CONTROL.search(output) else output


def _attributes(element: ET.Element) -> dict[str, str]:
    # feedparser lowercases attribute names, and the values of rel and type.
    attributes: dict[str, str] = {}
    for name, value in element.attrib.items():
        if name == _XML_LANG:
            name = "xml:lang"  # feedparser keeps it, under that name
        elif name.startswith("{"):
            raise Routed("namespaced attribute")
        name = name.lower()
        attributes[name] = value.lower() if name in ("rel", "type") else value
    return attributes


def _enforce_href(attributes: dict[str, str]) -> dict[str, str]:
    href = attributes.get("url", attributes.get("uri", attributes.get("href")))
    if href:
        attributes.pop("url", None)
        attributes.pop("uri", None)
        attributes["href"] = href
    return attributes


def _map_content_type(kind: str) -> str:
    kind = kind.lower()
    return {"text": "text/plain", "plain": "text/plain", "html": "text/html"}.get(
        kind, "application/xhtml+xml" if kind == "xhtml" else kind
    )


class _Reader:
    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes
        self.entries: list[dict[str, Any]] = []

    def key(self, element: ET.Element) -> str:
        """feedparser's name for an element: its handler's, or the key its text is saved as."""
        tag = element.tag
        if not isinstance(tag, str):
            raise Routed("unexpected node")
        if not tag.startswith("{"):
            return tag.lower()
        uri, local = tag[1:].split("}", 1)
        if (prefix := _KNOWN_NAMESPACES.get(uri.lower())) is None:
            if (prefix := self.prefixes.get(uri)) is None:
                raise Routed(f"namespace {uri!r} without a prefix")
            prefix = prefix.lower()
        return f"{prefix}_{local.lower()}" if prefix else local.lower()

    def leaf(self, element: ET.Element, key: str) -> None:
        if len(element):
            raise Routed(f"<{key}> has child elements")

    def other(self, element: ET.Element, key: str, harmless: frozenset[str]) -> None:
        """An element this reader does not read: fine when it changes nothing parse.py reads."""
        self.leaf(element, key)
        if key in harmless:
            return
        if key in _HANDLERS or key in _READ_KEYS:
            raise Routed(f"<{key}> is not mirrored")

    # The channel: its title, link and links (WebSub's hub and self).

    def channel(self, channel: ET.Element) -> dict[str, Any]:
        """An RSS <channel> or the Atom <feed>: its entries, title, link and links."""
        feed: dict[str, Any] = {}
        links: list[dict[str, str]] = []
        seen: set[str] = set()
        feed_id: tuple[str, bool] | None = None
        for child in channel:
            key = self.key(child)
            if key in ("item", "entry"):
                self.entries.append(self.item(child))
                continue
            if key == "title" or (key == "link" and not child.attrib):
                if key in seen:
                    raise Routed(f"channel <{key}> repeated")
                seen.add(key)
            if key == "title":
                self.typed(child, key)
                feed["title"] = _fixed(child.text, "title")
            elif key == "link":
                self.leaf(child, key)
                self.link(child, feed, links, in_entry=False)
            elif key in ("guid", "id"):
                if feed_id is not None:
                    raise Routed(f"channel <{key}> repeated")
                feed_id = self.guid(child, key)
            elif key == "image":
                for part in child:
                    if self.key(part) not in _IMAGE_CHILDREN:
                        raise Routed("unexpected element in channel <image>")
                    self.leaf(part, "image")
            elif key in _SUMMARIES and seen & {"summary", "itunes_summary"}:
                # feedparser would take it as content, and carry that into the first item.
                raise Routed("a second channel summary")
            elif key in _GROUPS:
                self.group(child, key)
            else:
                self.other(child, key, _HARMLESS_IN_CHANNEL)
            if key in _SUMMARIES:
                seen.add(key)
        if feed_id is not None and feed_id[1]:
            feed.setdefault("link", feed_id[0])
        if links:
            feed["links"] = links
        return feed

    def group(self, element: ET.Element, key: str) -> None:
        for part in element:
            if (part_key := self.key(part)) not in _GROUPS[key]:
                raise Routed(f"<{part_key}> in <{key}>")
            if part_key in _GROUPS:
                self.group(part, part_key)
            else:
                self.leaf(part, part_key)

    def link(
        self, element: ET.Element, context: dict[str, Any], links: list[dict[str, str]],
        *, in_entry: bool,
    ) -> None:  # fmt: skip
        """feedparser's _start_link/_end_link: an atom:link's attributes, or an RSS link's
        text (alternate, text/html)."""
        attributes = _attributes(element)
        attributes.setdefault("rel", "alternate")
        if attributes["rel"] == "self":
            attributes.setdefault("type", "application/atom+xml")
        else:
            attributes.setdefault("type", "text/html")
        attributes = _enforce_href(attributes)
        links.append(attributes)
        if "href" in attributes:
            attributes["href"] = _urljoin("", attributes["href"])
            if (
                attributes["rel"] == "alternate"
                and _map_content_type(attributes["type"]) in _HTML_TYPES
            ):
                context["link"] = attributes["href"]
            return
        output = _fixed(element.text, "link")
        if in_entry:
            output = _SEMICOLON_REFERENCE.sub(r"&\g<1>", output.replace("&amp;", "&"))
            context["link"] = output
            if output:
                attributes["href"] = output
        else:
            output = _SEMICOLON_REFERENCE.sub(r"&\g<1>", output)
            context["link"] = output
            attributes["href"] = output

    # One item, under feedparser's keys.

    def item(self, item: ET.Element) -> dict[str, Any]:
        """An RSS <item> or Atom <entry> (feedparser's handlers are the same for both)."""
        if set(item.attrib) - {_XML_LANG}:  # xml:lang only sets what parse.py does not read
            raise Routed("entry with attributes")
        entry: dict[str, Any] = {}
        links: list[dict[str, str]] = []
        tags: list[dict[str, str | None]] = []
        seen: set[str] = set()
        guid: tuple[str, bool] | None = None
        has_link = False
        summaries: list[str] = []
        for child in item:
            key = self.key(child)
            if (once := _ONCE_IN_ENTRY.get(key)) is not None:
                if once in seen:
                    raise Routed(f"<{key}> repeated in an entry")
                seen.add(once)
            if key == "media_group":
                if child.attrib:
                    raise Routed("media:group with attributes")
                for part in child:
                    self.media(part, self.key(part), entry)
            elif key in ("media_content", "media_thumbnail"):
                self.media(child, key, entry)
            elif key == "link":
                self.leaf(child, key)
                if not child.attrib:
                    if has_link:
                        raise Routed("<link> repeated in an entry")
                    has_link = True
                self.link(child, entry, links, in_entry=True)
            elif key == "enclosure":
                self.leaf(child, key)
                attributes = _enforce_href(_attributes(child))
                attributes["rel"] = "enclosure"
                links.append(attributes)
            elif key in ("category", "dc_subject"):
                self.leaf(child, key)
                self.category(child, tags)
            elif key == "itunes_keywords":
                self.typed(child, key)
                for term in _fixed(child.text, key).split(","):
                    if term.strip():
                        _add_tag(tags, term.strip(), "http://www.itunes.com/", None)
            elif key in ("guid", "id"):
                guid = self.guid(child, key)
            elif key in _SUMMARIES:
                if key in seen:
                    raise Routed(f"<{key}> repeated in an entry")
                seen.add(key)
                self.typed(child, key)
                summaries.append(_fixed(child.text, key))
            elif once is not None:
                self.typed(child, key)
                self.text(entry, once, _fixed(child.text, key))
            elif key in _GROUPS and key != "itunes_category":  # that one tags the entry
                self.group(child, key)
            else:
                self.other(child, key, _HARMLESS_IN_ENTRY)
        self.summaries(entry, summaries, "content" in seen)
        if guid is not None:
            entry["id"] = guid[0]
            if guid[1]:
                entry.setdefault("link", guid[0])
        if links:
            entry["links"] = links
        if tags:
            entry["tags"] = tags
        return entry

    def guid(self, element: ET.Element, key: str) -> tuple[str, bool]:
        """feedparser's _start_guid/_end_guid (Atom's <id> too): the id, and whether it stands
        in for a missing link (isPermaLink, true unless it says otherwise)."""
        self.leaf(element, key)
        attributes = _attributes(element)
        if set(attributes) - {"ispermalink", "xml:lang"}:
            raise Routed(f"<{key}> with other attributes")
        is_link = attributes.get("ispermalink", "true") == "true"
        return _fixed(element.text, "id", resolve=is_link), is_link

    def typed(self, element: ET.Element, key: str) -> None:
        """A text element: no children, no attribute but a plain-text or HTML type (feedparser
        decodes base64 for other types, and keeps XHTML as markup)."""
        self.leaf(element, key)
        for name, value in element.attrib.items():
            if name != _XML_LANG and (name != "type" or value.lower() not in _TEXT_TYPES):
                raise Routed(f"<{key}> with attribute {name}={value!r}")

    @staticmethod
    def summaries(entry: dict[str, Any], summaries: list[str], encoded: bool) -> None:
        """<description> and <itunes:summary>: feedparser's summary is the first; a second, in
        an item without content:encoded, is its content (_start_summary's "summary already
        there" branch)."""
        if not summaries:
            return
        if len(summaries) == 2 and encoded:
            raise Routed("<description>, <itunes:summary> and <content:encoded> in an item")
        entry["summary"] = summaries[0]
        if len(summaries) == 2:
            entry["content"] = [{"type": "text/plain", "value": summaries[1]}]

    @staticmethod
    def text(entry: dict[str, Any], once: str, value: str) -> None:
        if once == "content":  # content:encoded or Atom's <content>: a summary too
            entry["content"] = [{"type": "text/html", "value": value}]
            entry.setdefault("summary", value)
        elif once in ("published", "updated", "created"):
            entry[once] = value
            entry[f"{once}_parsed"] = _parse_date(value)
        else:
            entry[once] = value

    def category(self, element: ET.Element, tags: list[dict[str, str | None]]) -> None:
        """feedparser's _start_category/_end_category: a tag from the attributes, whose term the
        text fills in when it has none."""
        attributes = _attributes(element)
        if set(attributes) - {"domain", "scheme", "term", "label", "xml:lang"}:
            raise Routed("<category> with other attributes")
        _add_tag(
            tags,
            attributes.get("term"),
            attributes.get("scheme", attributes.get("domain")),
            attributes.get("label"),
        )
        value = _fixed(element.text, "category")
        if not value:
            return
        if tags and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            _add_tag(tags, value, None, None)

    def media(self, element: ET.Element, key: str, entry: dict[str, Any]) -> None:
        """media:content and media:thumbnail, as feedparser's mediarss handlers keep them."""
        self.leaf(element, key)
        if key == "media_content":
            entry.setdefault("media_content", []).append(_attributes(element))
        elif key == "media_thumbnail":
            attributes = _attributes(element)
            entry.setdefault("media_thumbnail", []).append(attributes)
            url = _fixed(element.text, "url")
            if url.strip() and "url" not in attributes:
                attributes["url"] = url
        else:
            self.other(element, key, _HARMLESS_IN_ENTRY)


def _add_tag(
    tags: list[dict[str, str | None]], term: str | None, scheme: str | None, label: str | None
) -> None:
    if not term and not scheme and not label:
        return
    value = {"term": term, "scheme": scheme, "label": label}
    if value not in tags:
        tags.append(value)
