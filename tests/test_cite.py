"""``kzarchive cite``: golden outputs after a real run, each format read back by a real consumer
(citeproc-py and the CSL JSON schema, bibtexparser, mwparserfromhell)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from kzarchive.cite import CITERS
from kzarchive.cli import main
from tests.golden_runs import CITE_SUFFIX, GOLDEN_CITE, cite_outputs
from tests.reference import reference_file
from tests.rich_manifest import PERMA, rich_manifest

OK, GONE, WALLED, LOST = (
    f"http://127.0.0.1:PORT/{p}" for p in ("ok", "gone404", "fb-post", "gone410")
)


@pytest.fixture(scope="module")
def outputs() -> dict[str, tuple[int, str]]:
    return cite_outputs()


@pytest.mark.parametrize("fmt", sorted(CITERS))
def test_cite_matches_its_golden_file(fmt: str, outputs: dict[str, tuple[int, str]]) -> None:
    code, text = outputs[fmt]
    assert code == 0
    assert text == (GOLDEN_CITE / f"report{CITE_SUFFIX[fmt]}").read_bytes().decode("utf-8")


def test_csl_json_renders_in_citeproc_and_keeps_the_archive(
    outputs: dict[str, tuple[int, str]],
) -> None:
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    data = json.loads(outputs["csl-json"][1])
    source = CiteProcJSON(data)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in data:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert rendered[1] == (
        "Ministry statement (no date) Ministry statement. Available at: "
        f"{GONE} (Accessed: June 1, 2020)."
    )
    by_id = {item["id"]: item for item in data}
    # The dead link's copy from when it was cited, which holds the page:
    assert by_id["fn2-1"]["archive"] == "Internet Archive"
    assert by_id["fn2-1"]["archive_location"].startswith("https://web.archive.org/web/20200520")
    assert "link dead" in by_id["fn2-1"]["note"]
    # A login wall is no archived copy, nor is a dead link nobody archived.
    assert "archive" not in by_id["fn3-1"] and "archive" not in by_id["fn4-1"]


def test_csl_json_is_valid_against_the_csl_schema(outputs: dict[str, tuple[int, str]]) -> None:
    import jsonschema

    schema = json.loads(reference_file("csl-data.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(outputs["csl-json"][1]), schema)
    jsonschema.validate(json.loads(CITERS["csl-json"].render(rich_manifest())), schema)


def _bib(text: str) -> list[dict[str, str]]:
    import bibtexparser

    # BibLaTeX's @online is not a BibTeX type: bibtexparser keeps it only when told to.
    parser = bibtexparser.bparser.BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    entries: list[dict[str, str]] = bibtexparser.loads(text, parser).entries
    return entries


def test_biblatex_reads_back_in_bibtexparser(outputs: dict[str, tuple[int, str]]) -> None:
    entries = {e["ID"]: e for e in _bib(outputs["biblatex"][1])}
    assert list(entries) == ["fn1-1", "fn2-1", "fn3-1", "fn4-1"]
    assert {e["ENTRYTYPE"] for e in entries.values()} == {"online"}
    assert entries["fn2-1"]["url"] == GONE and entries["fn2-1"]["urldate"] == "2020-06-01"
    assert entries["fn2-1"]["archivedate"] == "2020-05-20"
    assert entries["fn2-1"]["note"] == "Link dead"
    assert "archiveurl" not in entries["fn3-1"]
    assert entries["fn4-1"]["title"] == "{Lost | page [draft]}"


def test_biblatex_escapes_what_latex_would_read() -> None:
    from kzarchive.manifest import Manifest
    from kzarchive.models import Citation

    url = "https://example.org/a_b?x=50%&y={z}#top"
    manifest = Manifest({"path": "r.md"}, (Citation("1", url, 1, note="R&D 100% {draft} #1"),), ())
    entry = _bib(CITERS["biblatex"].render(manifest))[0]
    assert entry["title"] == r"{R\&D 100\% \{draft\} \#1}"
    assert entry["url"] == r"https://example.org/a_b?x=50\%&y=\%7Bz\%7D#top"


def test_wikipedia_templates_parse_in_mwparserfromhell(
    outputs: dict[str, tuple[int, str]],
) -> None:
    import mwparserfromhell

    code = mwparserfromhell.parse(outputs["wikipedia"][1])
    refs = code.filter_tags(matches=lambda node: node.tag == "ref")
    assert [str(ref.get("name").value) for ref in refs] == ["fn1-1", "fn2-1", "fn3-1", "fn4-1"]
    cites = {
        str(t.get("url").value).strip(): t
        for t in code.filter_templates()
        if t.name.matches("cite web")
    }
    assert list(cites) == [OK, GONE, WALLED, LOST]  # one template per citation, nothing broken
    dead = cites[GONE]
    assert str(dead.get("url-status").value).strip() == "dead"
    assert str(dead.get("archive-date").value).strip() == "2020-05-20"
    assert str(cites[OK].get("url-status").value).strip() == "live"
    assert not cites[WALLED].has("archive-url")  # a login wall is not an archived copy
    assert str(cites[LOST].get("title").value).strip() == "Lost &#124; page &#91;draft&#93;"
    # The page's own <title> as the run kept it; a login wall's is not the page's: its address.
    assert str(cites[OK].get("title").value).strip() == "Article /ok"
    assert str(cites[WALLED].get("title").value).strip() == "127.0.0.1:PORT/fb-post"
    flagged = [t for t in code.filter_templates() if t.name.matches("dead link")]
    assert len(flagged) == 1  # the dead link no archive holds


def test_perma_copies_are_cited_with_their_archives_name() -> None:
    text = CITERS["wikipedia"].render(rich_manifest())
    assert f"|archive-url={PERMA.url} |archive-date=2019-03-01 |url-status=live" in text
    data = json.loads(CITERS["csl-json"].render(rich_manifest()))
    third = next(item for item in data if item["id"] == "fn3-1")
    assert (third["archive"], third["archive_location"]) == ("Perma.cc", PERMA.url)


def test_cite_reads_a_manifest_and_refuses_a_missing_one(tmp_path: object) -> None:
    from tests.conftest import FIXTURES

    result = CliRunner().invoke(
        main, ["cite", str(FIXTURES / "manifests" / "seed.json"), "--format", "biblatex"]
    )
    assert result.exit_code == 0 and result.stdout.count("@online{") == 23
    missing = CliRunner().invoke(main, ["cite", "/nonexistent/manifest.json"])
    assert missing.exit_code == 2 and missing.stderr.startswith("kzarchive: error:")


def _titles(citations: list[Any], links: tuple[Any, ...] = ()) -> list[str]:
    from kzarchive.manifest import Manifest

    data = json.loads(
        CITERS["csl-json"].render(Manifest({"path": "r.md"}, tuple(citations), links))
    )
    return [item["title"] for item in data]


def test_a_title_is_the_pages_own_when_kzarchive_saw_it() -> None:
    from kzarchive.evidence.records import Evidence, Rendering
    from kzarchive.manifest import LinkRecord
    from kzarchive.models import Check, Citation

    one, two, wall = "https://a.example/one", "https://b.example/two", "https://c.example/wall"
    note = f"See {one} and {two}"
    alive = Check("alive", "ok", "2026-01-01T00:00:00Z", http_status=200)
    links = (
        LinkRecord(one, check=alive, evidence=Evidence(verdict="content", title=" Page  One ")),
        LinkRecord(
            two,
            check=alive,
            evidence=Evidence(
                verdict="content", title="Plain title", rendering=Rendering(title="Page Two")
            ),
        ),
        LinkRecord(wall, check=alive, evidence=Evidence(verdict="login-wall", title="Log in")),
    )
    citations = [
        Citation("1", one, 1, note=note),
        Citation("1", two, 1, note=note),
        Citation("2", wall, 2, note=f"Ministry statement, {wall}."),
    ]
    # The browser's title first, then the HTTP answer's; a login wall's title is not the page's.
    assert _titles(citations, links) == ["Page One", "Page Two", "Ministry statement"]
    post = "https://www.facebook.com/someone/videos/1/"
    named = LinkRecord(
        post, check=alive, evidence=Evidence(verdict="content", title="(20+) Facebook")
    )
    # A title that only names the site is not the page's.
    assert _titles([Citation("3", post, 3, note=post)], (named,)) == [
        "www.facebook.com/someone/videos/1"
    ]


def test_a_title_from_the_note_only_when_the_note_gives_one() -> None:
    from kzarchive.models import Citation

    a, b = "https://a.example/one/", "http://b.example/two?x=1"
    word = "https://www.example.com/report"
    citations = [
        Citation("1", a, 1, note=f"See {a} and {b}"),
        Citation("1", b, 1, note=f"See {a} and {b}"),
        Citation("2", a, 2, note=f"A missing one: {a} and again {b}"),
        Citation("3", word, 3, note=f"12 “Title,” Publisher, October 11, 2016, {word}"),
        Citation("4", a, 4, note=f"Available at: {a}"),
        Citation("5", a, 5, note=f"Court ruling, <{a}>."),
    ]
    assert _titles(citations) == [
        "a.example/one",
        "b.example/two",
        "a.example/one",
        "Title",
        "a.example/one",
        "Court ruling",
    ]


def test_a_scheme_less_citation_leaves_no_cited_as_junk_in_the_title() -> None:
    from kzarchive.models import Citation

    url = "https://www.example.org/x"
    cited = Citation("1", url, 1, note="Cited as www.example.org/x", scheme_added=True)
    titled = Citation("2", url, 2, note="Annual report, www.example.org/x.", scheme_added=True)
    assert _titles([cited, titled]) == ["www.example.org/x", "Annual report"]
