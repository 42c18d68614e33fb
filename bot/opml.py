"""OPML: the feed lists that feed readers import and export. Pure: bytes in, bytes out.

An OPML file comes from a user and is hostile until read: defusedxml refuses DTDs, entity
declarations and external references (no billion laughs, no file or network reads), the size
is capped before parsing, and so is the number of outlines.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.errors import NashraError

MAX_BYTES = 1_000_000  # an OPML of thousands of feeds is a few hundred KB
MAX_OUTLINES = 2000


class OpmlError(NashraError):
    """The file is not an OPML document that can be read (the message says why)."""


@dataclass(frozen=True)
class Outline:
    """One feed of an OPML file: its URL, its title, and the categories it was filed under
    (the titles of the folders around it, then its `category` attribute's names)."""

    url: str
    title: str
    categories: tuple[str, ...]


def _label(element: Element) -> str:
    return " ".join((element.get("text") or element.get("title") or "").split())


def _category_attribute(value: str | None) -> list[str]:
    """ "/أخبار/سياسة,اقتصاد" → ["أخبار", "سياسة", "اقتصاد"] (comma-separated slash paths)."""
    names: list[str] = []
    for path in (value or "").split(","):
        names += [" ".join(part.split()) for part in path.split("/") if part.strip()]
    return names


def _walk(element: Element, folders: tuple[str, ...]) -> Iterator[Outline]:
    for child in element:
        if child.tag != "outline":
            continue
        url = (child.get("xmlUrl") or child.get("xmlurl") or "").strip()
        if url:
            names = [*folders, *_category_attribute(child.get("category"))]
            yield Outline(url, _label(child), tuple(dict.fromkeys(n for n in names if n)))
        else:
            label = _label(child)
            yield from _walk(child, (*folders, label) if label else folders)


def parse_opml(data: bytes) -> list[Outline]:
    """The feeds of an OPML document, in document order; OpmlError when it is none."""
    if len(data) > MAX_BYTES:
        raise OpmlError(f"file larger than {MAX_BYTES:,} bytes")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise OpmlError(f"refused: {type(exc).__name__}") from None
    except ElementTree.ParseError as exc:
        raise OpmlError(f"not well-formed XML ({exc})") from None
    if root.tag != "opml":
        raise OpmlError(f"not an OPML document (its root is <{root.tag[:40]}>)")
    body = root.find("body")
    if body is None:
        raise OpmlError("an OPML document without <body>")
    outlines: list[Outline] = []
    for outline in _walk(body, ()):
        outlines.append(outline)
        if len(outlines) > MAX_OUTLINES:
            raise OpmlError(f"more than {MAX_OUTLINES} feeds")
    return outlines


@dataclass(frozen=True)
class ExportedFeed:
    url: str
    title: str
    categories: Sequence[str]


def render_opml(feeds: Sequence[ExportedFeed], title: str) -> bytes:
    """An OPML 2.0 document: a folder per category (a feed under its first one, all of them
    in its `category` attribute), the feeds without a category at the top."""
    root = Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    body = ElementTree.SubElement(root, "body")
    folders: dict[str, Element] = {}
    for feed in feeds:
        parent = body
        if feed.categories:
            first = feed.categories[0]
            if first not in folders:
                folders[first] = ElementTree.SubElement(body, "outline", text=first, title=first)
            parent = folders[first]
        attributes = {"type": "rss", "text": feed.title, "title": feed.title, "xmlUrl": feed.url}
        if feed.categories:
            attributes["category"] = ",".join(f"/{name}" for name in feed.categories)
        ElementTree.SubElement(parent, "outline", attributes)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
