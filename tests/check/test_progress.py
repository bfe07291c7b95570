"""What the checker tells its progress observer (the CLI's progress bar and counts): the phase
with the number of distinct links, then each link once, with its final verdict: after the second
look for a link whose error may clear up."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from kzarchive.check import CheckOptions
from kzarchive.check.checker import check_urls
from kzarchive.check.dns import StaticResolver
from tests.observers import Recorder
from tests.servers.base import closed_port
from tests.servers.scenario import scenario_server

FAST = CheckOptions(timeout=1.0, backoff=0.01, retries=0, retry_after_cap=1.0, per_host=4)


def test_each_link_is_reported_once_with_its_final_verdict() -> None:
    refused = f"http://127.0.0.1:{closed_port()}/ok"
    with scenario_server() as site:
        ok, gone = f"{site.base}/ok", f"{site.base}/gone404"
        for second_look in (True, False):
            recorder = Recorder()
            options = replace(FAST, second_look=second_look)
            run = asyncio.run(
                check_urls([ok, gone, ok, refused], options, recorder, StaticResolver({}))
            )
            assert recorder.events[0] == ("started", "check", 3)
            advanced = recorder.events[1:]
            assert sorted(advanced) == sorted(
                [
                    ("advanced", "check", ok, "alive"),
                    ("advanced", "check", gone, "dead"),
                    ("advanced", "check", refused, "error"),
                ]
            )
            if second_look:  # the refused link is reported after its second look, last
                assert advanced[-1] == ("advanced", "check", refused, "error")
            assert run.checks[refused].reason == "connection-refused"


def test_redirect_hops_are_recorded_up_to_the_limit_and_with_a_failure() -> None:
    with scenario_server() as site:
        url = f"{site.base}/two-hops"
        allowed = asyncio.run(
            check_urls([url], replace(FAST, max_redirects=2), resolver=StaticResolver({}))
        ).checks[url]
        refused = asyncio.run(
            check_urls([url], replace(FAST, max_redirects=1), resolver=StaticResolver({}))
        ).checks[url]
    hops = [(302, f"{site.base}/moved"), (301, f"{site.base}/new-home-of-the-article")]
    assert [(r.status, r.url) for r in allowed.redirects] == hops
    assert (allowed.verdict, allowed.final_url) == ("redirected", hops[-1][1])
    assert (refused.verdict, refused.reason) == ("error", "too-many-redirects")
    assert [(r.status, r.url) for r in refused.redirects] == hops


def test_a_private_address_is_never_asked_when_excluded() -> None:
    with scenario_server() as site:
        url = f"{site.base}/ok"
        options = replace(FAST, exclude_private=True)
        check = asyncio.run(check_urls([url], options, resolver=StaticResolver({}))).checks[url]
        asked = list(site.server.state.requests)
    assert (check.verdict, check.reason, check.redirects) == ("excluded", "private-address", ())
    assert asked == []


def test_the_offline_warning_is_said_in_full() -> None:
    recorder = Recorder()
    run = asyncio.run(check_urls(["https://example.org/a"], FAST, recorder, StaticResolver({})))
    assert run.offline
    assert recorder.warnings == [
        "this machine looks offline (no host name resolves, not even well-known ones): links "
        "are reported as error:offline, not dead"
    ]
