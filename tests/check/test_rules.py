"""The judgement calls of :mod:`kzarchive.check.rules`, one rule at a time."""

from __future__ import annotations

import pytest

from kzarchive.check.rules import (
    asks_to_log_in,
    is_challenge,
    is_login_wall,
    is_trivial_redirect,
    says_not_found,
    similarity,
    soft_404_redirect,
    status_verdict,
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
