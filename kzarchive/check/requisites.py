"""What an HTML page needs to be seen as it was (the images, stylesheets, scripts and frames it
names) and its title, read with the standard library's HTML parser (which, like a browser,
never gives up on bad markup)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html.parser import HTMLParser

from yarl import URL

Attributes = Callable[[str | None, list[tuple[str, str | None]]], Mapping[str, str]]

# (tag, attribute) pairs that name a requisite; <link> only for the rel values below.
_SOURCES = {
    ("img", "src"),
    ("script", "src"),
    ("iframe", "src"),
    ("frame", "src"),
    ("embed", "src"),
    ("input", "src"),
    ("video", "poster"),
    ("body", "background"),
}
_LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload"}


class _Requisites(HTMLParser):
    def __init__(self, attributes: Attributes) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes = attributes
        self.found: list[str] = []
        self.base: str | None = None
        self.title: list[str] | None = None  # the first <title>'s text, while inside it
        self.titled = False
        self.found_title: str | None = None

    def handle_data(self, data: str) -> None:
        if self.title is not None:
            self.title.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title is not None:
            self.titled = True
            self.found_title = " ".join("".join(self.title).split())
            self.title = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Decoded as a browser decodes them: "?a=1&para=2" stays a query (see extract.html)
        values = {k: v for k, v in self.attributes(self.get_starttag_text(), attrs).items() if v}
        if tag == "title" and not self.titled and self.title is None:
            self.title = []
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        if tag == "link":
            rels = set((values.get("rel") or "").lower().split())
            if rels & _LINK_RELS and values.get("href"):
                self.found.append(values["href"])
            return
        for name, value in values.items():
            if (tag, name) in _SOURCES:
                self.found.append(value)
        if tag in ("img", "source") and values.get("srcset"):
            # The first candidate only: enough for the page to show the picture.
            first = values["srcset"].split(",")[0].split()
            if first:
                self.found.append(first[0])


def _parsed(body: bytes) -> _Requisites:
    # The HTML reader is loaded with the first page read, not by every check of a document
    from kzarchive.extract.html import raw_attributes

    parser = _Requisites(raw_attributes)
    try:
        parser.feed(body.decode("utf-8", errors="replace"))
        parser.close()
    except (AssertionError, ValueError):  # the parser's own give-ups on hopeless markup
        pass
    return parser


def page_title(body: bytes) -> str | None:
    """The page's <title>, its white space folded; None when it has none (or an empty one)."""
    return _parsed(body).found_title or None


def page_requisites(body: bytes, page_url: str) -> list[str]:
    """The absolute http(s) URLs the page names as requisites, in order, each once."""
    parser = _parsed(body)
    try:
        base = URL(page_url)
        if parser.base:
            base = base.join(URL(parser.base.strip()))
    except ValueError:
        return []
    found: dict[str, None] = {}
    for ref in parser.found:
        ref = ref.strip()
        if not ref or ref.startswith(("data:", "javascript:", "blob:", "#")):
            continue
        try:
            target = base.join(URL(ref)).with_fragment(None)
        except ValueError:
            continue
        if target.scheme in ("http", "https") and target.host:
            found.setdefault(str(target), None)
    return list(found)
