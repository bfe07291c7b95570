"""Page requisites and titles, read from real-world markup shapes."""

from __future__ import annotations

from kzarchive.check.requisites import page_requisites, page_title

PAGE = b"""<!DOCTYPE html><html><head>
<title>
  Kazakhstan: activist acquitted
</title>
<base href="https://news.example/static/">
<link rel="stylesheet" href="site.css"><link rel="preconnect" href="https://cdn.example">
<link rel="shortcut icon" href="/favicon.ico"><link rel=alternate href=feed.xml>
<script src="//cdn.example/app.js"></script><script>var inline = 1;</script>
</head><body background="bg.png">
<img src="photo.jpg"><img src="photo.jpg#again"><img srcset="small.jpg 480w, big.jpg 1080w">
<img src="data:image/png;base64,iVBOR"><iframe src="https://player.example/embed/1"></iframe>
<a href="other.html">not a requisite</a><video poster="poster.jpg"><source src="v.mp4"></video>
<img src="javascript:alert(1)"><img src="ftp://files.example/x.png"><img src="http://[::1">
</body></html>"""


def test_requisites_are_absolute_unique_and_http_only() -> None:
    assert page_requisites(PAGE, "https://news.example/2019/story.html") == [
        "https://news.example/static/site.css",
        "https://news.example/favicon.ico",
        "https://cdn.example/app.js",
        "https://news.example/static/bg.png",
        "https://news.example/static/photo.jpg",
        "https://news.example/static/small.jpg",
        "https://player.example/embed/1",
        "https://news.example/static/poster.jpg",
    ]


def test_title_is_folded_and_first() -> None:
    assert page_title(PAGE) == "Kazakhstan: activist acquitted"
    assert page_title(b"<title>One</title><svg><title>Two</title></svg>") == "One"
    assert page_title(b"<html><body>no title</body></html>") is None
    assert page_title(b"<title>   </title>") is None


def test_broken_markup_never_raises() -> None:
    for junk in (b"<img src=", b"<<<>>>", b"\xff\xfe<\x00i\x00", b"<![CDATA[", b"<base href='::'>"):
        page_requisites(junk, "http://a.example/")
        page_title(junk)


def test_a_parameter_named_like_an_old_entity_stays_in_a_requisites_url() -> None:
    body = b'<img src="/pic?w=1&para=2&copy=3&amp;h=4">'
    assert page_requisites(body, "https://x.example/a") == [
        "https://x.example/pic?w=1&para=2&copy=3&h=4"
    ]
