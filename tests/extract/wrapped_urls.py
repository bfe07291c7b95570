"""Wrapped and adjacent URLs as real documents print them: a URL that ends one line, the line
after it, and what a careful reader cites. Each case names where its shape was seen (the shared
corpus ``../shared/corpus/real-reports/``, pdf.js's ``tracemonkey.pdf``, the issues' reports).

Shared by the URL rules' tests and every reader's (Markdown notes, ``<sup>`` notes, plain lists).
"""

from __future__ import annotations

# (URL ending the line, the next line, the URLs cited, where seen)
CASES: list[tuple[str, str, list[str], str]] = [
    # Two URLs on consecutive lines: never one (issue 28, the Markdown and lychee-style lists)
    (
        "https://www.hrw.org/world-report/2019",
        "https://www.hrw.org/world-report/2020",
        ["https://www.hrw.org/world-report/2019", "https://www.hrw.org/world-report/2020"],
        "issue 28: a Markdown note with one URL a line",
    ),
    (
        "https://owasp.org/www-project-application-security-verification-standard/",
        "https://owasp.org/www-project-top-ten/",
        [
            "https://owasp.org/www-project-application-security-verification-standard/",
            "https://owasp.org/www-project-top-ten/",
        ],
        "issue 27: a Google Docs RFI response, two notes' URLs glued",
    ),
    (
        "https://www.hrw.org/x",
        "www.hrw.org/y",
        ["https://www.hrw.org/x", "https://www.hrw.org/y"],
        "a second URL written without its scheme",
    ),
    # Split after a URL hyphen: the rest goes on (Word, hrw_algorithms_of_repression_2019)
    (
        "https://www.hrw.org/news/2016/10/11/ilham-tohti-2016-martin-ennals-award-laureate-human-rights-",
        "defenders; “Other title,” BBC",
        [
            "https://www.hrw.org/news/2016/10/11/ilham-tohti-2016-martin-ennals-award-laureate-human-rights-defenders"
        ],
        "hrw_algorithms_of_repression_2019, note 12",
    ),
    (
        "http://lua-users.org/lists/lua-l/2008-",
        "02/msg00247.html.",
        ["http://lua-users.org/lists/lua-l/2008-02/msg00247.html"],
        "tracemonkey.pdf (pdf.js), reference list",
    ),
    # Split after a dot in the host, and before an extension
    (
        "https://docs.",
        "github.com/en/code-security",
        ["https://docs.github.com/en/code-security"],
        "issue 27: a LaTeX paper, host split at a dot",
    ),
    (
        "https://wiki.",
        "archlinux.org/title/Security",
        ["https://wiki.archlinux.org/title/Security"],
        "issue 27: a LaTeX paper",
    ),
    (
        "https://example.org/reports/cloud-providers.",
        "html",
        ["https://example.org/reports/cloud-providers.html"],
        "issue 27: an extension split after its period",
    ),
    # Split mid-word: the next line is URL-shaped (aph_pjcle_ict_joint_submission23_2018)
    (
        "https://www.researchgate.net/publication/282124155_Po",
        "pulation_and_Traffic/links/5668fb9d08aef42e2a87/file.pdf",
        [
            "https://www.researchgate.net/publication/282124155_Population_and_Traffic/links/5668fb9d08aef42e2a87/file.pdf"
        ],
        "aph_pjcle_ict_joint_submission23_2018, note 59",
    ),
    (
        "https://www.researchgate.net/profile/x/publication/y/links/56",
        "68fb9d08aef42e2a87a9a1b6.pdf",
        [
            "https://www.researchgate.net/profile/x/publication/y/links/5668fb9d08aef42e2a87a9a1b6.pdf"
        ],
        "aph_pjcle_ict_joint_submission23_2018, note 59: a line starting with a digit",
    ),
    (
        "https://www.supremecourt.gov/DocketPDF/17/17-2/23655/20171213142539937_17-2%20Micro",
        "soft%20Brief.pdf",
        [
            "https://www.supremecourt.gov/DocketPDF/17/17-2/23655/20171213142539937_17-2%20Microsoft%20Brief.pdf"
        ],
        "aph_pjcle_ict_joint_submission23_2018, note 17",
    ),
    (
        "https://www.abc.net.au/news/2017-07-14/malcolm-turnbull-brandis-qc-and",
        "-acting-attorney-general/8708810",
        [
            "https://www.abc.net.au/news/2017-07-14/malcolm-turnbull-brandis-qc-and-acting-attorney-general/8708810"
        ],
        "aph_pjcle_ict_joint_submission23_2018, note 31: a line starting with a hyphen",
    ),
    # A following word is never glued on (tracemonkey.pdf, a two-column LaTeX paper)
    (
        "http://www.spec.org/jvm98/.",
        "Sciences, 2006.",
        ["http://www.spec.org/jvm98/"],
        "tracemonkey.pdf: '.../jvm98/.Sciences'",
    ),
    (
        "http://webkit.org/blog/214/introducing-squirrelfish-extreme/.",
        "on Programming Language Design",
        ["http://webkit.org/blog/214/introducing-squirrelfish-extreme/"],
        "tracemonkey.pdf: '.../squirrelfish-extreme/.on'",
    ),
    (
        "https://github.com/a/b/blob/main/c.py#L74-L171",
        "from the repository",
        ["https://github.com/a/b/blob/main/c.py#L74-L171"],
        "issue 27: a two-column paper, '#L74-L171from'",
    ),
    (
        "https://www.hrw.org/report/2019/05/01/chinas-algorithms-repression/",
        "(accessed March 28, 2019).",
        ["https://www.hrw.org/report/2019/05/01/chinas-algorithms-repression/"],
        "hrw_algorithms_of_repression_2019: access dates after the URL",
    ),
    (
        "https://www.smh.com.au/national/some-story-20170610-gwop0k.html",
        "Accessed 10 June 2017.",
        ["https://www.smh.com.au/national/some-story-20170610-gwop0k.html"],
        "a Word note: the access date on the next line",
    ),
    (
        "https://www.hrw.org/news/2017/03/30/chinas-latest-onslaught-internet",
        "accessed March 28, 2019",
        ["https://www.hrw.org/news/2017/03/30/chinas-latest-onslaught-internet"],
        "hrw_algorithms_of_repression_2019: an access date without brackets",
    ),
    (
        "https://example.org/report.",
        "The ministry replied in 2020.",
        ["https://example.org/report"],
        "a URL ending a sentence",
    ),
]
