"""The DOCX reader on WordprocessingML as Word writes it (ECMA-376 part 1: w:footnoteReference
with w:customMarkFollows, w:footnotePr numbering, w:hyperlink with r:id and w:anchor, simple and
complex HYPERLINK fields with their \\l switch, separator notes)."""

from __future__ import annotations

import io
import zipfile

import pytest

from kzarchive.errors import DocumentError
from kzarchive.extract.docx import parse

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/hyperlink" Target="https://rel.example.org/page" TargetMode="External"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)


def docx(body: str, notes: str = "", settings: str | None = None, rels: str = RELS) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "word/document.xml", f"<w:document {NS}><w:body>{body}</w:body></w:document>"
        )
        archive.writestr(
            "word/footnotes.xml",
            f"<w:footnotes {NS}>"
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:t>https://separator.example.org/</w:t></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p/></w:footnote>'
            f"{notes}</w:footnotes>",
        )
        archive.writestr("word/_rels/footnotes.xml.rels", rels)
        archive.writestr("word/_rels/document.xml.rels", rels)
        if settings is not None:
            archive.writestr("word/settings.xml", f"<w:settings {NS}>{settings}</w:settings>")
    return buffer.getvalue()


def ref(number: int, custom: str | None = None) -> str:
    if custom is None:
        return f'<w:r><w:footnoteReference w:id="{number}"/></w:r>'
    mark = f'<w:footnoteReference w:customMarkFollows="1" w:id="{number}"/>'
    return f"<w:r>{mark}<w:t>{custom}</w:t></w:r>"


def note(number: int, content: str) -> str:
    return f'<w:footnote w:id="{number}"><w:p>{content}</w:p></w:footnote>'


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


FIELD = (
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> HYPERLINK '
    '"https://complex.example.org/a" </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    "<w:r><w:t>https://shown.example.org/</w:t></w:r>"
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
)


def test_every_way_a_note_links() -> None:
    notes = (
        note(1, '<w:hyperlink r:id="rId9" w:anchor="sec2"><w:r><w:t>page</w:t></w:r></w:hyperlink>')
        + note(
            2,
            '<w:fldSimple w:instr=\' HYPERLINK "https://simple.example.org/" \\l "part" \'>'
            "<w:r><w:t>x</w:t></w:r></w:fldSimple>",
        )
        + note(3, FIELD + run(" then https://typed.example.org/p<w:tab/>q"))
        + note(
            4,
            '<w:hyperlink r:id="rId404"><w:r><w:t>https://fallback.example.org/</w:t></w:r></w:hyperlink>',
        )
    )
    body = (
        "<w:p>" + run("Almaty, 5 May 2021") + "</w:p>"
        "<w:p>" + run("One.") + ref(1) + run(" Two.") + ref(2) + "</w:p>"
        "<w:p>" + run("Three.") + ref(3) + run(" Four.") + ref(4, "*") + "</w:p>"
    )
    parsed = parse(docx(body, notes))
    assert parsed.cited_on is not None and parsed.cited_on.isoformat() == "2021-05-05"
    assert [(n.label, n.line, n.urls) for n in parsed.notes] == [
        ("1", 2, ["https://rel.example.org/page#sec2"]),
        ("2", 2, ["https://simple.example.org/#part"]),
        ("3", 3, ["https://complex.example.org/a", "https://typed.example.org/p"]),
        ("*", 3, ["https://fallback.example.org/"]),
    ]
    assert parsed.contexts == {"1": "One.", "2": "Two.", "3": "Three.", "*": "Four."}


def test_body_links_are_other_urls() -> None:
    body = (
        '<w:p><w:hyperlink r:id="rId9"><w:r><w:t>the page</w:t></w:r></w:hyperlink>'
        + FIELD
        + run(" and https://typed.example.org/body")
        + "</w:p>"
    )
    parsed = parse(docx(body))
    assert parsed.other_urls == [
        ("https://rel.example.org/page", 1),
        ("https://complex.example.org/a", 1),
        ("https://typed.example.org/body", 1),
    ]


@pytest.mark.parametrize(
    ("settings", "labels"),
    [
        (None, ["1", "2"]),
        ('<w:footnotePr><w:numFmt w:val="lowerRoman"/></w:footnotePr>', ["i", "ii"]),
        (
            '<w:footnotePr><w:numFmt w:val="upperLetter"/><w:numStart w:val="3"/></w:footnotePr>',
            ["C", "D"],
        ),
        ('<w:footnotePr><w:numStart w:val="x"/></w:footnotePr>', ["1", "2"]),
        ("<w:footnotePr><w:broken", ["1", "2"]),
    ],
)
def test_notes_are_numbered_as_the_settings_say(settings: str | None, labels: list[str]) -> None:
    body = "<w:p>" + run("A.") + ref(1) + run(" B.") + ref(2) + "</w:p>"
    notes = note(1, run("https://one.example.org/")) + note(2, run("https://two.example.org/"))
    buffer = docx(body, notes, settings=settings)  # the last one: settings.xml is broken
    assert [n.label for n in parse(buffer).notes] == labels


def test_a_section_overrides_the_settings_numbering() -> None:
    body = (
        "<w:p>" + run("A.") + ref(1) + "</w:p>"
        '<w:sectPr><w:footnotePr><w:numFmt w:val="chicago"/></w:footnotePr></w:sectPr>'
    )
    settings = '<w:footnotePr><w:numFmt w:val="lowerRoman"/></w:footnotePr>'
    parsed = parse(docx(body, note(1, run("https://one.example.org/")), settings=settings))
    assert [n.label for n in parsed.notes] == ["*"]


def test_a_note_referenced_twice_is_read_once_and_a_missing_one_not_at_all() -> None:
    body = "<w:p>" + run("A.") + ref(1) + run(" B.") + ref(1) + run(" C.") + ref(9) + "</w:p>"
    parsed = parse(docx(body, note(1, run("https://one.example.org/"))))
    assert [(n.label, n.urls) for n in parsed.notes] == [("1", ["https://one.example.org/"])]


def test_a_broken_part_is_named() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document")
    with pytest.raises(DocumentError, match=r"^report.docx: corrupt .docx \(word/document.xml: "):
        parse(buffer.getvalue(), "report.docx")


def test_broken_relationships_leave_links_out_not_the_document() -> None:
    body = '<w:p><w:hyperlink r:id="rId9"><w:r><w:t>page</w:t></w:r></w:hyperlink></w:p>'
    parsed = parse(docx(body, rels="<Relationships"))
    assert parsed.other_urls == []


RELS_ODD = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/hyperlink" Target="https://rel.example.org/end." TargetMode="External"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rId5" Target="orphan.xml"/>'  # no Type at all
    '<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/hyperlink" Target="https://example.org:0/rel-bad" TargetMode="External"/>'
    "</Relationships>"
)


def test_less_common_markup_word_and_other_writers_produce() -> None:
    split_field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://split.example.org/</w:instrText>'
        "<w:instrText/>"
        '<w:instrText xml:space="preserve">a" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>shown</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    notes = (
        # a relationship's target keeps its final full stop; a bookmark's w:id is no note's
        note(
            1,
            '<w:bookmarkStart w:id="1" w:name="_Ref1"/>'
            '<w:hyperlink r:id="rId9"><w:r><w:t>page</w:t></w:r></w:hyperlink>',
        )
        # a simple field without \l; a broken target is a warning with the note's line
        + note(
            2,
            "<w:fldSimple w:instr=' HYPERLINK \"https://simple.example.org/\" '>"
            "<w:r><w:t>x</w:t></w:r></w:fldSimple>"
            '<w:hyperlink r:id="rId3"><w:r><w:t>https://typed-in-link.example.org/</w:t></w:r>'
            "</w:hyperlink><w:fldSimple><w:r><w:t xml:space='preserve'> no instruction</w:t>"
            "</w:r></w:fldSimple>"
            '<w:r><w:instrText>HYPERLINK "https://stray.example.org/"</w:instrText></w:r>',
        )
        + note(3, split_field + run(" and https://typed.example.org/p") + "<w:r><w:t/></w:r>")
        + '<w:footnote w:type="normal" w:id="4"><w:p>'
        + run("https://first-paragraph.example.org/x")
        + "</w:p><w:p>"
        + run("more words")
        + "</w:p></w:footnote>"
        + note(
            5,
            '<w:hyperlink r:id="rId8"><w:r><w:t>x</w:t></w:r></w:hyperlink>'
            '<w:hyperlink r:id="rId7"><w:r><w:t>https://example.org:0/bad</w:t></w:r></w:hyperlink>',
        )
    )
    custom = '<w:r><w:footnoteReference w:customMarkFollows="true" w:id="{}"/><w:t>{}</w:t></w:r>'
    on = custom.replace('"true"', '"on"')
    body = (
        "<w:p>" + run("Almaty, 5 ") + "<w:r><w:t/></w:r>" + run("May 2021") + "</w:p>"
        "<w:p>"
        + run("One.")
        + "<w:r><w:t/></w:r>"
        + ref(9)
        + ref(1)
        + run(" Two.")
        + custom.format(2, "†")
        + "</w:p>"
        "<w:p>"
        + run("Three.")
        + on.format(3, "‡")
        + run(" Four.")
        + ref(4)
        + run(" Five.")
        + ref(5)
        + "</w:p>"
    )
    parsed = parse(docx(body, notes, rels=RELS_ODD))
    assert parsed.cited_on is not None and parsed.cited_on.isoformat() == "2021-05-05"
    assert [(n.label, n.line, n.urls) for n in parsed.notes] == [
        # the reference to a missing note still takes a number, as in Word
        ("2", 2, ["https://rel.example.org/end."]),
        ("†", 2, ["https://simple.example.org/", "https://typed-in-link.example.org/"]),
        ("‡", 3, ["https://split.example.org/a", "https://typed.example.org/p"]),
        ("3", 3, ["https://first-paragraph.example.org/x"]),
        # an unusable URL is still cited (checked as invalid-url), and said in a warning
        ("4", 3, ["https://example.org:0/rel-bad", "https://example.org:0/bad"]),
    ]
    assert parsed.contexts == {
        "1": "One.",
        "2": "One.",
        "†": "Two.",
        "‡": "Three.",
        "3": "Four.",
        "4": "Five.",
    }
    assert parsed.warnings == [
        "line 3: URL has port 0: 'https://example.org:0/rel-bad'",
        "line 3: URL has port 0: 'https://example.org:0/bad'",
    ]


def test_a_document_without_a_body_has_no_notes() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {NS}/>")
    parsed = parse(buffer.getvalue())
    assert (parsed.notes, parsed.other_urls, parsed.cited_on) == ([], [], None)


@pytest.mark.parametrize("part", ["footnotes", "endnotes"])
def test_broken_note_parts_and_archives_are_named(part: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {NS}><w:body/></w:document>")
        archive.writestr(f"word/{part}.xml", f"<w:{part}")
    with pytest.raises(DocumentError, match=rf"^report.docx: corrupt .docx \(word/{part}.xml: "):
        parse(buffer.getvalue(), "report.docx")
    with pytest.raises(DocumentError, match=r"^report.docx: "):
        parse(b"PK\x03\x04 not really a zip", "report.docx")
