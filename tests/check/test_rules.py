"""The judgement calls of :mod:`kzarchive.check.rules`, one rule at a time."""

from __future__ import annotations

import pytest

from kzarchive.check.rules import (
    MAX_WORDS,
    SHORT_PAGE_CHARS,
    asks_to_log_in,
    content_words,
    is_challenge,
    is_login_wall,
    is_trivial_redirect,
    page_text,
    says_not_found,
    similarity,
    soft_404_redirect,
    status_verdict,
    title_of,
    word_drift,
)


@pytest.mark.parametrize(
    ("cited", "final", "trivial"),
    [
        ("http://a.org/x", "https://a.org/x", True),
        ("http://A.Org/x", "http://a.org/x", True),
        ("http://a.org/x", "http://a.org/x/", True),
        ("https://a.org/x", "https://www.a.org/x", True),
        ("http://a.org:80/x", "https://a.org/x", True),
        ("https://a.org/x", "http://a.org/x", False),
        ("https://a.org/x", "https://a.org/y", False),
        ("https://a.org/x?id=1", "https://a.org/x?id=2", False),
        ("https://a.org/x", "https://b.org/x", False),
        ("http://a.org/x", "http://a.org:8080/x", False),  # another port is another server
        ("https://a.org:8443/x", "https://a.org/x", False),
        # Default ports written out are no port; another scheme is not the same resource
        ("http://a.org:80/x", "http://a.org/x", True),
        ("https://a.org/x", "https://a.org:443/x", True),
        ("http://a.org:443/x", "http://a.org/x", False),
        ("http://www.a.org/x", "http://a.org/x", True),
        ("http://a.org", "http://a.org/", True),
        ("http://a.org/x/", "http://a.org/x", True),
        ("http://a.org/docX", "http://a.org/docX/", True),  # only slashes are trimmed
        ("http://a.org/docX/", "http://a.org/docX", True),
        ("http://a.org/x", "ftp://a.org/x", False),
        ("ftp://a.org/x", "https://a.org/x", False),
    ],
)
def test_trivial_redirects(cited: str, final: str, trivial: bool) -> None:
    assert is_trivial_redirect(cited, final) is trivial


@pytest.mark.parametrize(
    ("url", "wall"),
    [
        ("https://www.facebook.com/login.php?next=x", True),
        ("https://www.facebook.com/login/?next=x", True),
        ("https://accounts.google.com/ServiceLogin", True),
        ("https://www.linkedin.com/authwall?trk=x", True),
        ("https://example.org/blog/login-tips-for-journalists", False),
        ("https://example.org/catalogue", False),
    ],
)
def test_login_walls(url: str, wall: bool) -> None:
    assert is_login_wall(url) is wall


def test_login_forms_at_the_cited_url() -> None:
    assert asks_to_log_in(b"<title>Log into Facebook</title>")
    assert asks_to_log_in(b"<title>Sign in - Google Accounts</title>")
    assert not asks_to_log_in(b"<title>How to log in safely: a guide for activists</title>")
    assert not asks_to_log_in(b"<title>Court blocks login data request</title>")


def test_soft_404_redirects() -> None:
    assert (
        soft_404_redirect("https://a.org/news/1", "https://a.org/") == "soft-404:redirect-to-root"
    )
    assert soft_404_redirect("https://a.org/news/1", "https://a.org/404.html") == (
        "soft-404:redirect-to-404"
    )
    assert soft_404_redirect("https://a.org/news/1", "https://a.org/news/2") is None
    assert soft_404_redirect("https://a.org/", "https://a.org/") is None
    # WordPress sends ?p=123 to the post itself: the root with a query is not the home page.
    assert soft_404_redirect("https://a.org/2019/story", "https://a.org/?p=1") is None
    # A cited not-found address redirecting to another one is not a soft 404 of the citation.
    assert soft_404_redirect("https://a.org/404.html", "https://a.org/error/404") is None


def test_not_found_wording_only_in_short_pages() -> None:
    assert says_not_found(b"<title>404 Not Found</title>")
    assert says_not_found(b"<p>Sorry, the page you requested does not exist.</p>")
    long_article = b"<p>" + b"The court said the evidence could not be found. " * 100 + b"</p>"
    assert not says_not_found(long_article)
    # The title says it, however long the page (a site's big not-found page with menus).
    titled = b"<title>Page not found | Daily News</title><p>" + b"menu item " * 1000 + b"</p>"
    assert says_not_found(titled)


def test_challenge_detection() -> None:
    assert is_challenge(403, {"cf-mitigated": "challenge"}, b"")
    assert is_challenge(503, {"server": "cloudflare"}, b"")
    assert is_challenge(403, {}, b"<title>Just a moment...</title>")
    assert not is_challenge(403, {}, b"<title>Forbidden</title>")
    # Served with 200 too, by the title; a 200 page only mentioning a captcha is not one.
    assert is_challenge(200, {}, b"<title>Just a moment...</title>")
    assert not is_challenge(200, {}, b"<title>News</title><p>are you a robot? a quiz</p>")
    assert is_challenge(200, {"x-amzn-waf-action": "captcha"}, b"<title>News</title>")


def test_similarity_ignores_echoed_path() -> None:
    a = b"<p>No page at /news/abc here. Browse home sport weather.</p>"
    b = b"<p>No page at /news/xyz here. Browse home sport weather.</p>"
    assert similarity(a, b, ignore=("/news/abc", "/news/xyz")) == 1.0
    assert similarity(a, b"<p>Completely different article text</p>") < 0.3


def test_pages_without_words() -> None:
    assert similarity(b"<img src=a.png>", b"<img src=a.png>") == 1.0
    assert similarity(b"<img src=a.png>", b"<img src=b.png>") == 0.0


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (404, "dead"),
        (410, "dead"),
        (401, "blocked"),
        (403, "blocked"),
        (999, "blocked"),
        (451, "blocked"),
        (429, "blocked"),
        (402, "blocked"),  # payment required: a paywall refuses, the page may be there
        (407, "blocked"),  # proxy authentication
        (405, "error"),
        (500, "error"),
        (503, "error"),
        (400, "error"),
    ],
)
def test_status_verdicts(status: int, verdict: str) -> None:
    assert status_verdict(status) == (verdict, f"http-{status}")


def test_content_words_leave_boilerplate_out() -> None:
    from kzarchive.check.rules import content_words, word_drift

    page = (
        b"<html><head><script>var tracking = 1;</script><style>.menu{}</style></head><body>"
        b"<nav>Home News Contact</nav><header>Daily Gazette</header><article>The Aktau court "
        b"acquitted the activist</article><footer>Copyright cookies</footer></body></html>"
    )
    words = content_words(page)
    assert {"aktau", "court", "acquitted", "activist"} <= words
    assert not words & {"tracking", "menu", "home", "news", "contact", "gazette", "copyright"}
    redesigned = page.replace(b"Home News Contact", b"Start Topics About us")
    assert word_drift(words, content_words(redesigned)) == 0.0  # the navigation does not count
    rewritten = page.replace(b"The Aktau court acquitted the activist", b"Page moved elsewhere")
    assert word_drift(words, content_words(rewritten)) == 1.0


def test_word_drift_in_between() -> None:
    from kzarchive.check.rules import word_drift

    before = frozenset({"court", "verdict", "aktau", "activist"})
    assert word_drift(before, frozenset({"court", "verdict", "aktau"})) == 0.25
    assert word_drift(before, frozenset({"court", "ruling"})) == 0.8
    assert word_drift(frozenset(), before) == 1.0  # everything new
    assert word_drift(before, frozenset()) == 1.0  # everything gone
    assert word_drift(frozenset({"a", "b", "c"}), frozenset({"a"})) == 0.667  # three places


def test_a_port_that_is_not_one_is_no_port() -> None:
    # urlsplit raises on a port like :99999; such a URL is compared without it.
    assert is_trivial_redirect("http://a.org:99999/x", "http://a.org/x/")


def test_soft_404_redirects_read_paths_as_written() -> None:
    # Upper-case paths are paths like any other (the slash is all that is stripped)
    assert soft_404_redirect("https://a.org/X", "https://a.org/") == "soft-404:redirect-to-root"
    assert soft_404_redirect("https://a.org/story", "https://a.org/X") is None
    assert soft_404_redirect("https://a.org/story", "https://a.org/X/") is None


BAD_UTF8 = b"<html><head><title>Caf\xe9 \xff</title></head><body>Caf\xe9 \xff news</body></html>"


def test_bodies_that_are_not_utf8_are_read_not_refused() -> None:
    assert page_text(BAD_UTF8).split()[0] == "Caf\ufffd"
    assert title_of(BAD_UTF8) == "Caf\ufffd \ufffd"
    assert "news" in content_words(BAD_UTF8)
    assert not says_not_found(BAD_UTF8)


def test_a_page_without_a_title_has_an_empty_one() -> None:
    assert title_of(b"<p>Just a moment...</p>") == ""
    assert title_of(b"<title>  Spaced  </title>") == "Spaced"


def test_only_the_first_64_kib_are_searched_for_a_title() -> None:
    # The closing tag ends exactly one byte past the 65,536 read
    head = b"<title>late</title>"
    body = b" " * (65536 + 1 - len(head)) + head
    assert title_of(body) == ""
    assert title_of(body[1:]) == "late"


def test_not_found_wording_up_to_exactly_the_short_page_limit() -> None:
    words = "Error 404 "
    exactly = f"<p>{words}{'y' * (SHORT_PAGE_CHARS - len(words))}</p>".encode()
    assert len(page_text(exactly).strip()) == SHORT_PAGE_CHARS
    assert says_not_found(exactly)
    assert not says_not_found(exactly.replace(b"</p>", b"y</p>"))


@pytest.mark.parametrize("status", [403, 429, 503])
@pytest.mark.parametrize("server", ["cloudflare", "DDoS-Guard"])
def test_a_challenge_server_refusing_is_a_challenge(status: int, server: str) -> None:
    assert is_challenge(status, {"server": server}, b"<html></html>")


@pytest.mark.parametrize("status", [404, 410, 430, 500, 504])
def test_a_challenge_server_with_other_statuses_is_not(status: int) -> None:
    assert not is_challenge(status, {"server": "cloudflare"}, b"<html></html>")
    assert not is_challenge(status, {}, b"<div id='cf-challenge'></div>")
    assert not is_challenge(status, {}, b"<title>Just a moment...</title>")


@pytest.mark.parametrize("status", [403, 429, 503])
def test_challenge_words_in_a_refusing_body_are_a_challenge(status: int) -> None:
    assert is_challenge(status, {}, b"<html><body><div id='cf-challenge'></div></body></html>")
    assert is_challenge(status, {}, b"<title>Just a moment...</title>")
    # Only the first 64 KiB are read: here the words end one byte past them
    late = b" " * (65537 - len(b"cf-challenge")) + b"cf-challenge"
    assert not is_challenge(status, {}, late)
    assert is_challenge(status, {}, late[1:])


def test_similarity_reads_256_kib_of_each_page() -> None:
    page = b"<p>alpha beta gamma</p>"
    late = page + b" " * (262144 - len(page)) + b"delta"  # "delta" starts past what is read
    assert similarity(late, page) == 1.0
    assert similarity(page, late) == 1.0
    earlier = page + b" " * (262144 - len(page) - 1) + b"delta"  # its first letter is read
    assert similarity(earlier, page) == 0.75


def test_similarity_with_words_on_one_side_only() -> None:
    assert similarity(b"<p>alpha beta</p>", b"<p></p>") == 0.0
    assert similarity(b"<p></p>", b"<p>alpha</p>") == 0.0


def test_content_words_are_longer_than_two_letters_and_capped() -> None:
    assert content_words(b"<p>an ox ate the hay</p>") == {"ate", "the", "hay"}
    assert "four" in content_words(b"<p>four</p>")
    many = " ".join(f"w{n:05d}" for n in range(MAX_WORDS + 10)).encode()
    words = content_words(many)
    assert len(words) == MAX_WORDS
    assert (
        "w00000" in words and f"w{MAX_WORDS - 1:05d}" in words and f"w{MAX_WORDS:05d}" not in words
    )
    late = b" " * (1048576 - 3) + b"tail"  # the first megabyte ends inside the word
    assert content_words(late) == {"tai"}
    assert content_words(b"x" * 10 + BAD_UTF8) >= {"news"}


def test_word_drift_of_two_empty_pages_is_none() -> None:
    assert word_drift(frozenset(), frozenset()) == 0.0
    assert word_drift(frozenset({"a"}), frozenset()) == 1.0
