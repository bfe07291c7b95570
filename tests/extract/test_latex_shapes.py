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
