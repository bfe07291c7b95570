"""report.html as a reader sees it: what each citation shows, and the page in headless Chromium
at a desktop width and a phone's, where no text may need horizontal scrolling."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kzarchive.render import RENDERERS
from tests.rich_manifest import KEPT, PERMA, rich_manifest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Measures, once the page has loaded, how far its content is wider than the window.
PROBE = (
    "<script>document.body.dataset.overflow = String(document.documentElement.scrollWidth"
    " - document.documentElement.clientWidth)</script>"
)
QUIET_BROWSER = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--no-pings",
]


def test_each_citation_shows_its_note_copies_own_copy_and_other_archives() -> None:
    page = RENDERERS["html"].render(rich_manifest())
    assert "<title>Sources of Kazakhstan: a report</title>" in page
    assert "/tmp/" not in page  # the file name only, never where it was read from
    assert "Document: report.md." in page
    first = page[page.index('id="fn-1"') : page.index('id="fn-2"')]
    assert '<blockquote class="note-text">Statement of the mission, https://www.facebook' in first
    assert f"<code>{KEPT.sha256}</code>" in first
    assert f'<a href="{KEPT.warc}">' in first  # relative to the archive folder
    assert "&lt;urn:uuid:e8617c44-bccd-4c18-9a63-68f953a89d1e&gt;" in first
    assert '<a href="media/www.facebook.com-1a2b/video.mp4">video.mp4</a>' in first
    assert "captured:</span> 2026-11-27T09:21:53Z" in first
    second = page[page.index('id="fn-2"') : page.index('id="fn-3"')]
    assert "nothing answered (dns-nxdomain)" in second  # a dead link says why nothing was kept
    third = page[page.index('id="fn-3"') : page.index('id="fn-4"')]
    assert "<dt>Other archives</dt>" in third and f'href="{PERMA.url}"' in third
    assert "2019-03-01, holds the page" in third
    assert '<img src="evidence/screenshots/www.facebook.com-1a2b/thumbnail.png"' in first


def test_summary_lines_that_list_footnotes_are_labelled_lists() -> None:
    page = RENDERERS["html"].render(rich_manifest())
    match = re.search(
        r'<span id="(summary-\d+)">footnotes that lost every source</span>: '
        r'<ul class="listed" aria-labelledby="\1">(.*?)</ul>',
        page,
    )
    assert match, "the lost footnotes are a list named by its line"
    assert match.group(2) == '<li><a href="#fn-2">2</a></li><li><a href="#fn-13">13</a></li>'


def test_markdown_shows_the_same_facts() -> None:
    text = RENDERERS["markdown"].render(rich_manifest())
    assert text.startswith("# Sources of Kazakhstan: a report\n\nDocument: report.md.\n")
    assert "> Statement of the mission, https://www.facebook.com/voloshinaluda/" in text
    assert f"SHA-256: `{KEPT.sha256}`" in text
    assert f"[WARC file: {KEPT.warc}](<{KEPT.warc}>)" in text
    assert "[media: video.mp4](<media/www.facebook.com-1a2b/video.mp4>)" in text
    assert "  - Own copy: not kept: nothing answered (dns-nxdomain)" in text
    assert f"  - Other archives: [perma.cc: 2019-03-01, holds the page](<{PERMA.url}>)" in text


def _overflow(page: str, width: int, tmp_path: Path) -> int:
    from PIL import Image

    from tests.rich_manifest import RENDERED

    for shot in (RENDERED.screenshot, RENDERED.thumbnail):  # a full-page shot is wide and tall
        assert shot is not None
        (tmp_path / shot.path).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (1280, 2400), "#8899aa").save(tmp_path / shot.path)
    probe = tmp_path / f"probe-{width}.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    assert CHROMIUM is not None
    command = [CHROMIUM, *QUIET_BROWSER, f"--window-size={width},900", "--dump-dom", probe.as_uri()]
    if shutil.which("unshare"):  # no network at all: nothing the browser starts can leave
        command = ["unshare", "-rn", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    found = re.search(r'data-overflow="(-?\d+)"', done.stdout)
    assert found, done.stderr[-500:]
    return int(found.group(1))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("width", [1280, 390])
def test_no_text_needs_horizontal_scrolling(width: int, tmp_path: Path) -> None:
    page = RENDERERS["html"].render(rich_manifest())
    assert _overflow(page, width, tmp_path) <= 0


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_probe_sees_overflow_when_long_words_may_not_wrap(tmp_path: Path) -> None:
    # Without the style's wrapping rules, a hash and a long URL stick out of a phone's screen.
    page = RENDERERS["html"].render(rich_manifest())
    unstyled = re.sub(r"<style>.*?</style>", "", page, flags=re.DOTALL)
    assert _overflow(unstyled, 390, tmp_path) > 0
