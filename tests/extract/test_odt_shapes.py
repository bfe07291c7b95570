"""The ODT reader on content.xml as LibreOffice writes it (element names and attributes from the
OpenDocument 1.3 schema, part 3, §6: text:note, text:note-citation with text:label, text:s with
text:c, text:tab, text:line-break, text:a with xlink:href)."""

from __future__ import annotations

import io
import zipfile

import pytest

from kzarchive.errors import DocumentError
from kzarchive.extract.odt import parse

HEAD = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink"><office:body><office:text>'
)
TAIL = "</office:text></office:body></office:document-content>"


def odt(body: str, content: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        if content is None:
            content = HEAD + body + TAIL
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def note(citation: str, body: str, attrs: str = "") -> str:
    return (
        f'<text:note text:note-class="footnote" {attrs}>{citation}'
        f"<text:note-body><text:p>{body}</text:p></text:note-body></text:note>"
    )


def test_spaces_tabs_and_line_breaks_end_a_typed_url() -> None:
    parsed = parse(
        odt(
            "<text:p>https://a.example.org/x<text:s/>y https://b.example.org/p<text:tab/>q "
            'https://c.example.org/r<text:line-break/>s https://d.example.org/t<text:s text:c="3"/>'
            "u</text:p>"
        )
    )
    assert [url for url, _ in parsed.other_urls] == [
        "https://a.example.org/x",
        "https://b.example.org/p",
        "https://c.example.org/r",
        "https://d.example.org/t",
    ]


def test_a_links_target_wins_over_the_url_it_shows() -> None:
    shown = '<text:a xlink:href="https://target.example.org/">https://shown.example.org/</text:a>'
    cited = note(
        "<text:note-citation>1</text:note-citation>", f"{shown} again https://target.example.org/"
    )
    parsed = parse(odt(f"<text:p>Body {shown} and more.{cited}</text:p>"))
    assert [(n.label, n.urls) for n in parsed.notes] == [("1", ["https://target.example.org/"])]
    assert parsed.other_urls == [("https://target.example.org/", 1)]


@pytest.mark.parametrize(
    ("citation", "attrs", "label"),
    [
        ('<text:note-citation text:label="*">*</text:note-citation>', "", "*"),
        ('<text:note-citation text:label="">iv</text:note-citation>', "", "iv"),
        ("<text:note-citation> </text:note-citation>", "", "?"),
        ("", 'text:id="ftn7"', "ftn7"),
        ("", "", "?"),
    ],
)
def test_a_notes_label_is_what_its_citation_shows(citation: str, attrs: str, label: str) -> None:
    parsed = parse(
        odt(f"<text:p>Claim.{note(citation, 'https://n.example.org/', attrs)} Next.</text:p>")
    )
    assert [(n.label, n.urls) for n in parsed.notes] == [(label, ["https://n.example.org/"])]
    assert parsed.contexts == {label: "Claim."}


def test_notes_are_placed_on_the_body_paragraph_that_cites_them() -> None:
    first = note("<text:note-citation>1</text:note-citation>", "https://one.example.org/")
    second = note(
        "<text:note-citation>2</text:note-citation>",
        'https://bad..example.org/ <text:a xlink:href="mailto:x@example.org">mail</text:a>',
    )
    parsed = parse(
        odt(
            f"<text:h>Title</text:h><text:p>One.{first}</text:p>"
            f"<text:list><text:list-item><text:p>Two.{second}</text:p></text:list-item></text:list>"
        )
    )
    assert [(n.label, n.line, n.urls) for n in parsed.notes] == [
        ("1", 2, ["https://one.example.org/"]),
        ("2", 3, ["https://bad..example.org/"]),
    ]
    assert parsed.warnings == ["line 3: URL has a malformed host: 'https://bad..example.org/'"]


@pytest.mark.parametrize(
    ("paragraphs", "date"),
    [
        (["Almaty, 5 May 2021"], "2021-05-05"),
        (["Title", "Report", "Almaty, 5 May 2021"], "2021-05-05"),
        (
            [
                "A first paragraph long enough not to be a dateline, written on 5 May 2021 "
                "in Almaty."
            ],
            None,
        ),
    ],
)
def test_the_dateline_is_a_short_paragraph_at_the_top(
    paragraphs: list[str], date: str | None
) -> None:
    parsed = parse(odt("".join(f"<text:p>{p}</text:p>" for p in paragraphs)))
    assert (parsed.cited_on.isoformat() if parsed.cited_on else None) == date


@pytest.mark.parametrize(("before", "found"), [(39, True), (40, False)])
def test_the_dateline_is_looked_for_in_the_first_forty_paragraphs(before: int, found: bool) -> None:
    filler = "".join(f"<text:p>Paragraph {n}.</text:p>" for n in range(before))
    parsed = parse(odt(filler + "<text:p>Almaty, 5 May 2021</text:p>"))
    assert (parsed.cited_on is not None) is found


def test_damaged_documents_are_named_and_said() -> None:
    with pytest.raises(
        DocumentError, match=r"^report.odt: corrupt OpenDocument file \(ParseError\)$"
    ):
        parse(odt("", content="<office:document-content"), "report.odt")
    with pytest.raises(
        DocumentError, match=r"^report.odt: an OpenDocument file with no text body$"
    ):
        parse(
            odt(
                "",
                content=HEAD.replace("<office:text>", "")
                + "</office:body></office:document-content>",
            ),
            "report.odt",
        )


def test_links_keep_what_ends_them_typed_urls_do_not() -> None:
    # A link's target is taken whole (a final "." may be part of it); a typed URL's last "." ends
    # the sentence. Links nested in spans count, with the notes inside spans.
    cited = note(
        "<text:note-citation>1</text:note-citation>",
        '<text:a xlink:href="https://note.example.org/a.">x</text:a> https://bad..example.org/n',
    )
    parsed = parse(
        odt(
            f"<text:p><text:span><text:span>Claim.{cited}</text:span> See </text:span><text:span>"
            '<text:a xlink:href="https://body.example.org/b.">https://shown.example.org/</text:a>'
            "</text:span> then https://typed.example.org/c. "
            '<text:a xlink:href="https://bad..example.org/">bad</text:a> '
            "and https://after.example.org/</text:p>"
        )
    )
    assert [(n.label, n.urls) for n in parsed.notes] == [
        ("1", ["https://note.example.org/a.", "https://bad..example.org/n"])
    ]
    assert parsed.contexts == {"1": "Claim."}
    assert parsed.other_urls == [
        ("https://body.example.org/b.", 1),
        ("https://bad..example.org/", 1),
        ("https://typed.example.org/c", 1),
        ("https://after.example.org/", 1),
    ]
    assert parsed.warnings == [
        "line 1: URL has a malformed host: 'https://bad..example.org/n'",
        "line 1: URL has a malformed host: 'https://bad..example.org/'",
    ]


def test_a_custom_mark_is_the_label_the_citation_names() -> None:
    citation = '<text:note-citation text:label="†">1</text:note-citation>'
    parsed = parse(odt(f"<text:p>Claim.{note(citation, 'https://n.example.org/')}</text:p>"))
    assert [n.label for n in parsed.notes] == ["†"]


def test_a_note_without_a_body_element_is_read_whole() -> None:
    bare = (
        '<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
        "<text:p>https://loose.example.org/</text:p></text:note>"
    )
    parsed = parse(odt(f"<text:p>Claim.{bare}</text:p>"))
    assert [(n.label, n.urls) for n in parsed.notes] == [("1", ["https://loose.example.org/"])]


def test_link_text_is_part_of_the_sentence_and_ends_a_typed_url() -> None:
    report = '<text:a xlink:href="https://report.example.org/">the report</text:a>'
    cited = note(
        "<text:note-citation>1</text:note-citation>",
        '<text:a>no target</text:a> <text:a xlink:href="https://bad..example.org/x">x</text:a>'
        " https://typed-in-note.example.org/",
    )
    second = note("<text:note-citation>2</text:note-citation>", "https://second.example.org/")
    parsed = parse(
        odt(
            "<text:p>Intro</text:p>"
            f"<text:p><text:span>See {report}.{cited}</text:span> Then https://typed.example.org/c"
            '<text:a xlink:href="https://next.example.org/">next</text:a>'
            "<text:span>, and</text:span>"
            f" https://after-span.example.org/ {second}"
            '<text:a>no target</text:a> <text:a xlink:href="https://after-note.example.org/">'
            "n</text:a></text:p>"
        )
    )
    assert [(n.label, n.line, n.urls) for n in parsed.notes] == [
        ("1", 2, ["https://bad..example.org/x", "https://typed-in-note.example.org/"]),
        ("2", 2, ["https://second.example.org/"]),
    ]
    assert parsed.contexts == {
        "1": "See the report.",
        "2": "Then https://typed.example.org/cnext, and https://after-span.example.org/"
        " no target n",
    }
    assert parsed.other_urls == [
        ("https://report.example.org/", 2),
        ("https://next.example.org/", 2),
        ("https://after-note.example.org/", 2),
        ("https://typed.example.org/c", 2),
        ("https://after-span.example.org/", 2),
    ]
    assert parsed.warnings == ["line 2: URL has a malformed host: 'https://bad..example.org/x'"]
