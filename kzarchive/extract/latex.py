"""The readers for LaTeX reports and BibTeX/BibLaTeX bibliographies.

LaTeX: every ``\\footnote{...}`` (braces nested to any depth), ``\\footnotemark`` with its
``\\footnotetext``, numbered as LaTeX numbers them (in order, or by an explicit ``[n]``); URLs are
``\\url{}``, the target of ``\\href{}{}`` and URLs typed as text, with TeX's escapes (``\\%``,
``\\#``, ``\\_``, ``\\&``) undone; ``%`` comments are ignored. ``line`` is where the note starts.

BibTeX: each entry is a note labelled by its key; it cites its ``url``, the URLs in
``howpublished`` (often ``\\url{...}``) and its ``doi`` as ``https://doi.org/<doi>``.
"""

from __future__ import annotations

import re

from kzarchive.extract.context import marker, sentences_citing
from kzarchive.extract.dates import find_date
from kzarchive.extract.notes import Note, Parsed
from kzarchive.extract.urls import BARE_URL

_COMMENT = re.compile(r"(?<!\\)%.*")
_NOTE_COMMAND = re.compile(r"\\(footnote|footnotetext|footnotemark)\b\s*(?:\[(\w+)\])?")
_LINK = re.compile(r"\\(url|href)\s*\{")
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{[^}]*\}")
_ESCAPES = re.compile(r"\\([%#_&$~])")
_COMMAND = re.compile(r"\\[A-Za-z@]+\*?(?:\[[^\]]*\])?")
_ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", re.IGNORECASE)
_FIELD = re.compile(r"(\w+)\s*=\s*", re.IGNORECASE)
_DATE = re.compile(r"\\date\s*\{")
_COMMAND_START = re.compile(r"\\[A-Za-z]")


def is_latex(text: str) -> bool:
    head = text[:20000]
    return "\\documentclass" in head or "\\begin{document}" in head or "\\footnote{" in head


def is_bibtex(text: str) -> bool:
    return len(_ENTRY.findall(text[:20000])) >= 1 and "\\documentclass" not in text[:20000]


def _group(text: str, start: int) -> tuple[str, int]:
    """The content of the brace group opening at ``text[start]`` and the index after it."""
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "\\":
            continue
        if char == "{" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif char == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index], index + 1
    return text[start + 1 :], len(text)


def _uncomment(text: str) -> str:
    """``%`` comments blanked out, line by line (so that offsets and lines stay as they were)."""
    return "\n".join(
        _COMMENT.sub(lambda m: " " * len(m.group(0)), line) for line in text.split("\n")
    )


def _unescape(url: str) -> str:
    return _ESCAPES.sub(r"\1", url).replace("\\\\", "").strip()


def note_urls(content: str, parsed: Parsed, line: int) -> list[str]:
    """URLs in a note's LaTeX, in the order written: ``\\url`` and ``\\href`` targets (the text
    an ``\\href`` shows is left out: its target wins), and URLs typed as text."""
    urls: list[str] = []
    for _, raw, is_link in _raw_urls(content):
        url = parsed.accept(_unescape(raw), line, is_target=is_link)
        if url and url not in urls:
            urls.append(url)
    return urls


def _raw_urls(content: str) -> list[tuple[int, str, bool]]:
    """Where each URL of ``content`` starts, as written, and whether it is a link target."""
    found: list[tuple[int, str, bool]] = []  # (where, raw, is a link target)
    blanked = list(content)
    index = 0
    for match in _LINK.finditer(content):
        if match.start() < index:
            continue
        target, after = _group(content, match.end() - 1)
        found.append((match.start(), target, True))
        if match.group(1) == "href":
            rest = content[after:]
            if rest.lstrip().startswith("{"):
                _, after = _group(content, after + len(rest) - len(rest.lstrip()))
        blanked[match.start() : after] = " " * (after - match.start())
        index = after
    text = "".join(blanked)
    for typed in BARE_URL.finditer(text):
        # A typed URL ends at a command (``\\textgreater{}``), not at an escape (``\\_``)
        raw = _COMMAND_START.split(typed.group(0), maxsplit=1)[0]
        found.append((typed.start(), raw.rstrip("}"), False))
    return sorted(found, key=lambda item: item[0])


def _plain(text: str) -> str:
    """Body text, roughly: environments and commands dropped, their arguments kept, braces
    gone."""
    text = _ENVIRONMENT.sub(" ", text.replace("~", " ").replace("\\\\", " "))
    return re.sub(r"[{}]", "", _COMMAND.sub("", text))


def parse(text: str) -> Parsed:
    """Find every footnote of a LaTeX document and the URLs each cites."""
    parsed = Parsed()
    source = _uncomment(text)
    body_start = source.find("\\begin{document}")
    date = _DATE.search(source)
    if date:
        parsed.cited_on = find_date(_plain(_group(source, date.end() - 1)[0]))
    number = 0
    pending_marks: list[str] = []
    body: list[str] = []
    index = max(body_start, 0)

    def body_urls(start: int, end: int) -> None:
        """The URLs of the body text between two notes (``--all-links``)."""
        for where, raw, is_link in _raw_urls(source[start:end]):
            line = source.count("\n", 0, start + where) + 1
            url = parsed.accept(_unescape(raw), line, is_target=is_link)
            if url:
                parsed.other_urls.append((url, line))

    for match in _NOTE_COMMAND.finditer(source, index):
        if match.start() < index:
            continue
        kind, explicit = match.group(1), match.group(2)
        line = source.count("\n", 0, match.start()) + 1
        body.append(source[index : match.start()])
        body_urls(index, match.start())
        index = match.end()
        if kind == "footnotemark":
            if explicit is None:
                number += 1
            label = explicit or str(number)
            pending_marks.append(label)
            body.append(marker(label))
            continue
        after = source[index:].lstrip()
        if not after.startswith("{"):
            continue
        start = index + (len(source[index:]) - len(after))
        content, index = _group(source, start)
        if kind == "footnote":
            if explicit is None:
                number += 1
            label = explicit or str(number)
            body.append(marker(label))
        else:  # footnotetext: the note of the last mark, or of its explicit number
            label = explicit or (pending_marks.pop(0) if pending_marks else str(number))
        note = Note(label, line)
        note.cover(line - 1, source.count("\n", 0, index) + 1)
        for url in note_urls(content, parsed, line):
            note.add(url)
        parsed.notes.append(note)
    body.append(source[index:])
    body_urls(index, len(source))
    for paragraph in re.split(r"\n\s*\n", "".join(body)):
        parsed.add_contexts(sentences_citing(" ".join(_plain(paragraph).split())))
    return parsed


def parse_bibtex(text: str) -> Parsed:
    """Each BibTeX/BibLaTeX entry as a note labelled by its key, with the URLs it cites.

    bibtexparser reads the entries and their fields (``@string`` macros, quoted and braced
    values, nesting); the line each entry starts on and its extent come from its ``@type{key,``.
    bibtexparser and pyparsing take tens of milliseconds to load: only BibTeX documents pay it.
    """
    import bibtexparser
    from bibtexparser.bibdatabase import UndefinedString
    from bibtexparser.bparser import BibTexParser
    from pyparsing import ParseException

    parsed = Parsed()
    source = _uncomment(text)
    places: dict[str, list[tuple[int, int]]] = {}
    for entry in _ENTRY.finditer(source):
        content, _ = _group(source, source.rfind("{", entry.start(), entry.end()))
        line = source.count("\n", 0, entry.start()) + 1
        places.setdefault(entry.group(2), []).append((line, line + content.count("\n")))
    reader = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    try:
        entries = bibtexparser.loads(source, parser=reader).entries
    except ParseException:
        entries = []
    except UndefinedString as exc:  # a value that names no @string macro: nothing is read
        parsed.warnings.append(
            f"the bibliography uses an undefined @string macro ({exc}): its entries were not read"
        )
        entries = []
    for fields in entries:
        found = places.get(fields["ID"])
        if not found:
            continue
        line, end = found.pop(0)
        note = Note(fields["ID"], line)
        for name in ("url", "howpublished", "note", "eprint"):
            value = fields.get(name)
            if value is None:
                continue
            wrapped = name == "url" and "\\" not in value
            for url in note_urls(f"\\url{{{value}}}" if wrapped else value, parsed, line):
                note.add(url)
        doi = fields.get("doi", "").strip()
        if doi:
            doi = _unescape(doi).removeprefix("https://doi.org/").removeprefix("doi:")
            resolver = parsed.accept(f"https://doi.org/{doi.strip()}", line, is_target=True)
            if resolver:
                note.add(resolver)
        note.cover(line - 1, end)
        parsed.notes.append(note)
    return parsed
