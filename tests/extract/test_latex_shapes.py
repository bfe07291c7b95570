"""The LaTeX and BibTeX readers on the constructs that trip naive ones: escaped braces inside a
note, ``\\href`` whose text is itself a URL, TeX escapes in URLs, ``\\footnotemark`` and
``\\footnotetext`` in either order, BibTeX fields with macros, ``\\url`` or a bare URL."""

from __future__ import annotations

import pytest

from kzarchive.extract.latex import is_bibtex, is_latex, parse, parse_bibtex


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("\\documentclass{article}\nText.", True),
        ("Text.\n\\begin{document}\nBody.\\end{document}", True),
        ("A fragment with a note.\\footnote{https://a.example.org/}", True),
        ("Plain text with a \\ backslash and {braces}.", False),
    ],
)
def test_latex_is_told_by_its_commands(text: str, latex: bool) -> None:
    assert is_latex(text) is latex


@pytest.mark.parametrize(
    ("text", "bibtex"),
    [
        ("@misc{key, url = {https://a.example.org/}}", True),
        ("\\documentclass{article}\n@misc{key, url = {x}}", False),
        ("An e-mail to someone@example.org, not an entry.", False),
    ],
)
def test_bibtex_is_told_by_its_entries(text: str, bibtex: bool) -> None:
    assert is_bibtex(text) is bibtex


DOCUMENT = r"""\documentclass{article}
\date{5 May 2021}
\begin{document}
A claim.\footnote{Escaped \{braces\} stay inside: \url{https://a.example.org/x\_y\%20z}.}
A link whose text is a URL.\footnote{\href{https://target.example.org/}{https://shown.example.org/}
and typed https://typed.example.org/page\textgreater{} text.}
Marked here.\footnotemark{} And here.\footnotemark[7]
\footnotetext{https://mark.example.org/first}
\footnotetext[7]{https://mark.example.org/seventh}
Body link \href{https://body.example.org/}{the body}.
\footnote  {A spaced note: https://spaced.example.org/}
Unclosed \footnote{https://unclosed.example.org/ runs to the end
\end{document}
"""


def test_every_note_shape_of_a_latex_document() -> None:
    parsed = parse(DOCUMENT)
    assert parsed.cited_on is not None and parsed.cited_on.isoformat() == "2021-05-05"
    assert [(n.label, n.line, n.urls) for n in parsed.notes] == [
        ("1", 4, ["https://a.example.org/x_y%20z"]),
        ("2", 5, ["https://target.example.org/", "https://typed.example.org/page"]),
        ("3", 8, ["https://mark.example.org/first"]),
        ("7", 9, ["https://mark.example.org/seventh"]),
        ("4", 11, ["https://spaced.example.org/"]),
        ("5", 12, ["https://unclosed.example.org/"]),
    ]
    assert parsed.other_urls == [("https://body.example.org/", 10)]
    assert parsed.contexts["1"] == "A claim."
    assert parsed.contexts["3"] == "Marked here."
    assert parsed.contexts["7"] == "And here."
    assert [n.spans for n in parsed.notes][:2] == [[(3, 4)], [(4, 6)]]


def test_a_preamble_is_not_searched_for_notes() -> None:
    parsed = parse(
        "\\documentclass{article}\n\\newcommand{\\x}{\\footnote{https://preamble.example.org/}}\n"
        "\\begin{document}\nBody.\\footnote{https://body.example.org/}\n\\end{document}\n"
    )
    assert [(n.label, n.urls) for n in parsed.notes] == [("1", ["https://body.example.org/"])]


BIB = r"""@string{fidu = "Italian Federation for Human Rights"}
@report{one,
  author = fidu,
  month = jan,
  url = {https://fidu.example.it/report\_2021},
}
@misc{two,
  howpublished = {Online at \url{https://two.example.org/a} and https://two.example.org/b},
  note = {See \href{https://two.example.org/note}{the note}},
}
@online{three,
  eprint = {https://arxiv.example.org/abs/2101.00001},
  doi = {doi:10.1234/ABC.5},
}
@article{four,
  doi = {https://doi.org/10.5678/xyz},
}
@article{five,
  doi = {10.1/\_underscore},
  title = {No URL at all},
}
"""


def test_every_field_a_bibtex_entry_cites() -> None:
    parsed = parse_bibtex(BIB)
    assert [(n.label, n.line, n.urls) for n in parsed.notes] == [
        ("one", 2, ["https://fidu.example.it/report_2021"]),
        (
            "two",
            7,
            [
                "https://two.example.org/a",
                "https://two.example.org/b",
                "https://two.example.org/note",
            ],
        ),
        (
            "three",
            11,
            ["https://arxiv.example.org/abs/2101.00001", "https://doi.org/10.1234/ABC.5"],
        ),
        ("four", 15, ["https://doi.org/10.5678/xyz"]),
        ("five", 18, ["https://doi.org/10.1/_underscore"]),
    ]
    assert [n.spans for n in parsed.notes] == [
        [(1, 6)],
        [(6, 10)],
        [(10, 14)],
        [(14, 17)],
        [(17, 21)],
    ]


def test_link_targets_keep_their_punctuation_and_lines_count_from_the_first() -> None:
    # The source opens with an empty line: every line number counts it.
    parsed = parse(
        "\n\\begin{document}\n"
        "Text.~Claim.\\footnotemark{}\\footnotemark{}\n"
        "\\footnotetext{\\url{https://example.org/end.} and \\href{https://example.org/h.}{h}"
        " https://example.org/typed.}\n"
        "\\footnotetext{https://example.org:0/bad https://example.org/second}\n"
        "Body.\\footnote{\\url{https://example.org:0/bad-link}}\n"
        "\\end{document}\n"
    )
    assert [(n.label, n.line, n.urls, n.spans) for n in parsed.notes] == [
        (
            "1",
            4,
            ["https://example.org/end.", "https://example.org/h.", "https://example.org/typed"],
            [(3, 4)],
        ),
        ("2", 5, ["https://example.org:0/bad", "https://example.org/second"], [(4, 5)]),
        ("3", 6, ["https://example.org:0/bad-link"], [(5, 6)]),
    ]
    assert parsed.warnings == [
        "line 5: URL has port 0: 'https://example.org:0/bad'",
        "line 6: URL has port 0: 'https://example.org:0/bad-link'",
    ]
    assert parsed.contexts == {"1": "Claim.", "2": "Claim.", "3": "Body."}


def test_bibtex_link_fields_keep_their_punctuation_and_lines_count_from_the_first() -> None:
    parsed = parse_bibtex(
        "\n@misc{one,\n  url = {https://example.org/bib-end.},\n  doi = {10.1234/x.},\n}\n"
        "@misc{two,\n  url = {https://example.org:0/bad},\n"
        "  howpublished = {\\url{https://example.org/wrapped.}},\n  doi = {10.1/has space},\n}\n"
    )
    assert [(n.label, n.line, n.urls, n.spans) for n in parsed.notes] == [
        ("one", 2, ["https://example.org/bib-end.", "https://doi.org/10.1234/x."], [(1, 5)]),
        (
            "two",
            6,
            [
                "https://example.org:0/bad",
                "https://example.org/wrapped.",
                "https://doi.org/10.1/has space",
            ],
            [(5, 10)],
        ),
    ]
    assert parsed.warnings == [
        "line 6: URL has port 0: 'https://example.org:0/bad'",
        "line 6: URL contains white space: 'https://doi.org/10.1/has space'",
    ]


def test_adjacent_nested_and_stray_notes() -> None:
    parsed = parse(
        "\\begin{document}\n"
        "A.\\footnote{https://example.org/a}\\footnote{https://example.org/b}"
        " B.\\footnote{See\\footnote{https://example.org/inner} https://example.org/outer}"
        " C.\\footnote{https://example.org/c}\n"
        "\\footnotetext{https://example.org/stray}\n"
        "\\end{document}\n"
    )
    assert [(n.label, n.line, n.urls) for n in parsed.notes] == [
        ("1", 2, ["https://example.org/a"]),
        ("2", 2, ["https://example.org/b"]),
        # a note inside a note is read as part of it, and the notes after it still count
        ("3", 2, ["https://example.org/inner", "https://example.org/outer"]),
        ("4", 2, ["https://example.org/c"]),
        # a \footnotetext without a \footnotemark belongs to the last number
        ("4", 3, ["https://example.org/stray"]),
    ]
    assert parsed.contexts == {"1": "A.", "2": "A.", "3": "B.", "4": "C."}


def test_body_urls_and_a_notes_last_line_count_from_the_first_line() -> None:
    parsed = parse(
        "\n\\begin{document}\n"
        "Body https://example.org/body-link. and \\url{https://example.org/body-url.}\n"
        "A note.\\footnote{First line\nhttps://example.org/second-line}\n"
        "\\end{document}\n"
    )
    assert [(n.label, n.line, n.urls, n.spans) for n in parsed.notes] == [
        ("1", 4, ["https://example.org/second-line"], [(3, 5)])
    ]
    # a typed URL's final full stop ends the sentence; a \url's is part of it
    assert parsed.other_urls == [
        ("https://example.org/body-link", 3),
        ("https://example.org/body-url.", 3),
    ]


def test_a_url_field_in_url_markup_and_a_howpublished_in_words() -> None:
    parsed = parse_bibtex(
        "@misc{k,\n  url = {\\url{https://example.org/wrapped-in-url.}},\n"
        "  howpublished = {Online at https://example.org/plain. (visited)},\n}\n"
    )
    assert [(n.label, n.urls) for n in parsed.notes] == [
        ("k", ["https://example.org/wrapped-in-url.", "https://example.org/plain"])
    ]
    assert parsed.warnings == []
