"""The options several commands share, and the records the core takes built from them.

Each option has its ``KZARCHIVE_*`` twin where users would script it; a command's parameters
become the core's frozen options records (:func:`check_record`, :func:`archive_record`...) here, so
that commands only parse and delegate.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from kzarchive.capture.options import BrowserOptions
from kzarchive.check import DEFAULT_USER_AGENT, CheckOptions
from kzarchive.cli.context import Settings
from kzarchive.evidence.options import EvidenceOptions
from kzarchive.models import MANIFEST_NAME
from kzarchive.wayback.options import DEFAULT_MEMENTO_URL, PERMA_API, ArchiveOptions, parse_age
from kzarchive.wayback.pacing import CDX_PER_MINUTE, Pacing

if TYPE_CHECKING:
    from kzarchive.extract import Extraction
    from kzarchive.scope import Redacted, Scope
    from kzarchive.wayback.memento import OtherArchive
    from kzarchive.wayback.perma import PermaOptions
    from kzarchive.wayback.verify import VerifyOptions

DEFAULT_DOCUMENT = "sources.txt"
STDIN_NAME = "<stdin>"
DOCUMENT_HELP = "DOCUMENT is sources.txt unless given; '-' reads standard input."

F = Callable[..., Any]
R = TypeVar("R")

document_argument = click.argument(
    "document",
    default=DEFAULT_DOCUMENT,
    type=click.Path(dir_okay=True, allow_dash=True, path_type=Path),
)


def valid_base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http(s) URL such as https://web.archive.org")
    return value.strip().rstrip("/")


def global_options(command: F) -> F:
    """``--quiet``, ``--verbose`` and ``--wayback-url`` after the command as well as before it."""

    @functools.wraps(command)
    def accept(*args: Any, **kwargs: Any) -> Any:
        quiet = kwargs.pop("quiet_here", False)
        verbose = kwargs.pop("verbose_here", False)
        wayback_url = kwargs.pop("wayback_url_here", None)
        ctx = click.get_current_context()
        settings = ctx.find_object(Settings)
        if settings is not None and (quiet or verbose or wayback_url):
            ctx.obj = Settings(
                wayback_url=wayback_url or settings.wayback_url,
                quiet=settings.quiet or quiet,
                verbose=settings.verbose or verbose,
            )
        return command(*args, **kwargs)

    accept = click.option(
        "--wayback-url",
        "wayback_url_here",
        callback=valid_base_url,
        metavar="URL",
        help="Base URL of the Wayback Machine's endpoints (as before the command).",
    )(accept)
    accept = click.option(
        "--verbose",
        "-v",
        "verbose_here",
        is_flag=True,
        help="A line on stderr per finished link (as before the command).",
    )(accept)
    return click.option(
        "--quiet",
        "-q",
        "quiet_here",
        is_flag=True,
        help="Print only errors on stderr (as before the command).",
    )(accept)


output_option = click.option(
    "--output", "-o", metavar="FILE", help="Write data to FILE instead of stdout ('-' is stdout)."
)
all_links_option = click.option(
    "--all-links", is_flag=True, help="Also take http(s) URLs outside footnotes (footnote null)."
)


def _valid_patterns(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    import re

    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise click.BadParameter(f"{pattern!r} is not a regular expression: {exc}") from None
    return value


def scope_options(command: F) -> F:
    """What not to check at all (``check``, ``archive``, ``run``)."""
    options = [
        click.option(
            "--include",
            multiple=True,
            envvar="KZARCHIVE_INCLUDE",
            callback=_valid_patterns,
            metavar="REGEX",
            help="Only URLs matching REGEX (repeatable); the others are excluded.",
        ),
        click.option(
            "--exclude",
            multiple=True,
            envvar="KZARCHIVE_EXCLUDE",
            callback=_valid_patterns,
            metavar="REGEX",
            help="Leave URLs matching REGEX alone: never fetched, never submitted (repeatable).",
        ),
        click.option(
            "--exclude-private",
            is_flag=True,
            envvar="KZARCHIVE_EXCLUDE_PRIVATE",
            help="Never connect to private, loopback or link-local addresses (shared servers, CI).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


keep_secrets_option = click.option(
    "--keep-secrets",
    is_flag=True,
    envvar="KZARCHIVE_KEEP_SECRETS",
    help="Show and write URLs with their passwords and signatures (hidden by default).",
)
archive_private_option = click.option(
    "--archive-private",
    is_flag=True,
    envvar="KZARCHIVE_ARCHIVE_PRIVATE",
    help="Also submit links on private networks (for your own archive at --wayback-url).",
)


def scope_record(params: dict[str, Any]) -> Scope:
    from kzarchive.scope import Scope

    return Scope(
        include=tuple(params.get("include") or ()),
        exclude=tuple(params.get("exclude") or ()),
        exclude_private=bool(params.get("exclude_private")),
        archive_private=bool(params.get("archive_private")),
        keep_secrets=bool(params.get("keep_secrets")),
    )


def check_options(command: F) -> F:
    """The options of ``check`` (and of ``run``), each with its ``KZARCHIVE_*`` twin."""
    defaults = CheckOptions()
    options = [
        click.option(
            "--concurrency",
            envvar="KZARCHIVE_CONCURRENCY",
            type=click.IntRange(1, 1024),
            default=defaults.concurrency,
            show_default=True,
            help="Requests in flight at once, over all hosts.",
        ),
        click.option(
            "--per-host",
            envvar="KZARCHIVE_PER_HOST",
            type=click.IntRange(1, 64),
            default=defaults.per_host,
            show_default=True,
            help="Requests in flight at once to one host.",
        ),
        click.option(
            "--host-interval",
            envvar="KZARCHIVE_HOST_INTERVAL",
            type=click.FloatRange(0, 60),
            default=defaults.host_interval,
            show_default=True,
            help="Minimum seconds between two requests starting to one host.",
        ),
        click.option(
            "--timeout",
            envvar="KZARCHIVE_TIMEOUT",
            type=click.FloatRange(0.1, 600),
            default=defaults.timeout,
            show_default=True,
            help="Seconds one URL may take (connect, answer, body) before it is a timeout; a "
            "link that times out gets one second look at the end, so it may take twice this.",
        ),
        click.option(
            "--retries",
            envvar="KZARCHIVE_RETRIES",
            type=click.IntRange(0, 10),
            default=defaults.retries,
            show_default=True,
            help="Retries of a 429 or 5xx answer, with backoff honouring Retry-After.",
        ),
        click.option(
            "--max-body",
            envvar="KZARCHIVE_MAX_BODY",
            type=click.IntRange(0),
            default=defaults.max_body,
            show_default=True,
            help="Bytes of each answer read for hashing and soft-404 detection.",
        ),
        click.option(
            "--user-agent",
            envvar="KZARCHIVE_USER_AGENT",
            default=DEFAULT_USER_AGENT,
            show_default="browser-compatible, names kzarchive",
            help="User-Agent header sent.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def archive_options(command: F) -> F:
    """The options of ``archive`` (and of ``run``)."""
    defaults = ArchiveOptions()
    options = [
        click.option(
            "--cited-on",
            envvar="KZARCHIVE_CITED_ON",
            type=click.DateTime(["%Y-%m-%d"]),
            help="Date the document cites its sources on (default: from its dateline).",
        ),
        click.option(
            "--max-snapshot-age",
            envvar="KZARCHIVE_MAX_SNAPSHOT_AGE",
            default=defaults.max_snapshot_age,
            show_default=True,
            callback=_valid_age,
            help="A capture this young is enough: no new one is made (30d, 12h, 3d 5h...).",
        ),
        click.option(
            "--job-timeout",
            envvar="KZARCHIVE_JOB_TIMEOUT",
            type=click.FloatRange(1, 3600),
            default=defaults.job_timeout,
            show_default=True,
            help="Seconds to wait for a capture job; then it is kept as pending.",
        ),
        click.option("--capture-outlinks", is_flag=True, help="Ask SPN2 to capture outlinks too."),
        click.option("--capture-screenshot", is_flag=True, help="Ask SPN2 for a screenshot too."),
        click.option(
            "--anonymous",
            is_flag=True,
            envvar="KZARCHIVE_ANONYMOUS",
            help="Without keys, try the legacy anonymous save (often refused).",
        ),
        click.option(
            "--refresh", is_flag=True, help="Capture again even if a young capture exists."
        ),
        click.option(
            "--verify-snapshots/--no-verify-snapshots",
            envvar="KZARCHIVE_VERIFY_SNAPSHOTS",
            default=True,
            help="Judge every snapshot from its raw payload: does it hold the page?",
        ),
        click.option(
            "--other-archives/--no-other-archives",
            envvar="KZARCHIVE_OTHER_ARCHIVES",
            default=True,
            help="Ask other web archives (their Memento TimeMaps) for copies when the Wayback "
            "Machine holds none that holds the page.",
        ),
        click.option(
            "--archive-list",
            envvar="KZARCHIVE_ARCHIVE_LIST",
            type=click.Path(dir_okay=False, path_type=Path),
            callback=_valid_archive_list,
            help="JSON list of the archives to ask instead of the built-in one (ours, or "
            "MemGator's archives.json); 'kzarchive config' shows the list in force.",
        ),
        click.option(
            "--memento-url",
            envvar="KZARCHIVE_MEMENTO_URL",
            default=DEFAULT_MEMENTO_URL,
            callback=valid_base_url,
            help="A self-hosted Memento aggregator (MemGator) to ask instead of the archives "
            "one by one (off by default).",
        ),
        click.option(
            "--cdx-per-minute",
            envvar="KZARCHIVE_CDX_PER_MINUTE",
            type=click.FloatRange(0, 6000),
            default=CDX_PER_MINUTE,
            show_default=True,
            help="The Wayback index's limit per IP; look-ups keep to 80% of it (0: no pacing, "
            "for a local archive).",
        ),
        click.option(
            "--captures-per-minute",
            envvar="KZARCHIVE_CAPTURES_PER_MINUTE",
            type=click.FloatRange(0, 600),
            default=defaults.captures_per_minute,
            show_default=True,
            help="Submissions a minute at most (the archive allows about 12; 0: no pacing).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _valid_archive_list(
    ctx: click.Context, param: click.Parameter, value: Path | None
) -> tuple[OtherArchive, ...] | None:
    if value is None:
        return None
    from kzarchive.wayback.memento import ArchiveListError, load_archive_list

    try:
        return load_archive_list(value)
    except ArchiveListError as exc:
        raise click.BadParameter(str(exc)) from None


def perma_options(command: F) -> F:
    """Perma.cc (``run``): on with PERMA_API_KEY, off with --no-perma."""
    options = [
        click.option(
            "--perma/--no-perma",
            envvar="KZARCHIVE_PERMA",
            default=True,
            help="With PERMA_API_KEY set, also make a Perma.cc link of each link (once per "
            "document).",
        ),
        click.option(
            "--perma-folder",
            envvar="KZARCHIVE_PERMA_FOLDER",
            type=click.IntRange(1),
            help="The Perma.cc folder (its number) the links go into (default: your own).",
        ),
        click.option(
            "--perma-url",
            envvar="KZARCHIVE_PERMA_URL",
            default=PERMA_API,
            show_default=True,
            callback=valid_base_url,
            help="Base URL of Perma.cc's API.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def perma_record(params: dict[str, Any]) -> PermaOptions:
    """Perma.cc's options; the key only from the environment (PERMA_API_KEY)."""
    import os

    from kzarchive.wayback.perma import PermaOptions

    return PermaOptions(
        key=os.environ.get("PERMA_API_KEY") or None,
        folder=params.get("perma_folder"),
        enabled=bool(params.get("perma", True)),
        api=params.get("perma_url") or PERMA_API,
    )


def pacing_record(params: dict[str, Any]) -> Pacing:
    """How fast the run may ask the Wayback Machine's index."""
    return Pacing.default(cdx_per_minute=params.get("cdx_per_minute", CDX_PER_MINUTE))


def _valid_age(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        parse_age(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def with_cited_on(redacted: Redacted, params: dict[str, Any]) -> Redacted:
    """The document as cited on ``--cited-on`` when given: the record says the date used."""
    if not params.get("cited_on"):
        return redacted
    from dataclasses import replace

    extraction = redacted.extraction
    document = replace(
        extraction.document, cited_on=params["cited_on"].date(), cited_on_source="option"
    )
    return replace(redacted, extraction=replace(extraction, document=document))


def _record(kind: type[R], params: dict[str, Any], **fixed: Any) -> R:
    """An options record from the command's parameters: every field named like an option."""
    names = {f.name for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    values = {name: params[name] for name in names if name in params and params[name] is not None}
    return kind(**{**values, **fixed})


def evidence_options(command: F) -> F:
    """The evidence options of ``run``: capture, media, timestamps."""
    defaults = EvidenceOptions()
    options = [
        click.option(
            "--capture/--no-capture",
            envvar="KZARCHIVE_CAPTURE",
            default=defaults.capture,
            show_default=True,
            help="Keep what each link answered (WARC records in evidence.wacz), sealed with "
            "SHA-256 hashes.",
        ),
        click.option(
            "--capture-max",
            envvar="KZARCHIVE_CAPTURE_MAX",
            type=click.IntRange(0),
            default=defaults.capture_max,
            show_default=True,
            help="Bytes of each answer kept as evidence (WARC-Truncated beyond).",
        ),
        click.option(
            "--media/--no-media",
            envvar="KZARCHIVE_MEDIA",
            default=defaults.media,
            show_default=True,
            help="Keep the video or audio of pages that carry media (a platform's video, a "
            "player on the page) with yt-dlp, in the WACZ and media/ (best MP4 up to 720p).",
        ),
        click.option(
            "--media-max",
            envvar="KZARCHIVE_MEDIA_MAX",
            type=click.IntRange(1),
            default=defaults.media_max,
            show_default=True,
            help="Bytes of media downloaded per link (a larger file is not downloaded).",
        ),
        click.option(
            "--timestamp/--no-timestamp",
            envvar="KZARCHIVE_TIMESTAMP",
            default=defaults.timestamp,
            show_default=True,
            help="Have the evidence timestamped (RFC 3161) by the --tsa authorities.",
        ),
        click.option(
            "--tsa",
            "tsas",
            envvar="KZARCHIVE_TSA",
            multiple=True,
            default=defaults.tsas,
            show_default=True,
            metavar="URL",
            help="A timestamp authority (repeatable; the environment variable takes several "
            "separated by spaces).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def evidence_record(params: dict[str, Any]) -> EvidenceOptions:
    tsas = tuple(params["tsas"])
    for tsa in tsas:
        if not tsa.startswith(("http://", "https://")):
            raise click.UsageError(f"--tsa {tsa!r}: a timestamp authority is an http(s) URL")
    if params["media"] and not params["capture"]:
        # Media are on by default: only asking for them outright clashes with --no-capture.
        context = click.get_current_context(silent=True)
        source = context.get_parameter_source("media") if context is not None else None
        if source not in (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
            raise click.UsageError("--media keeps evidence, which --no-capture turns off")
        params = {**params, "media": False}
    return _record(EvidenceOptions, params, tsas=tsas)


def browser_options(command: F) -> F:
    """The browser capture options of ``run``."""
    defaults = BrowserOptions()
    options = [
        click.option(
            "--browser/--no-browser",
            envvar="KZARCHIVE_BROWSER",
            default=True,
            show_default=True,
            help="Also capture each page in headless Chromium (screenshot, rendered DOM, every "
            "response into the WARC), when a Chromium can be found.",
        ),
        click.option(
            "--browser-path",
            envvar="KZARCHIVE_BROWSER_PATH",
            type=click.Path(dir_okay=False, path_type=Path),
            help="The Chromium or Chrome to drive (default: Playwright's own, else chromium or "
            "google-chrome on the PATH).",
        ),
        click.option(
            "--browser-pages",
            "contexts",
            envvar="KZARCHIVE_BROWSER_PAGES",
            type=click.IntRange(1, 16),
            default=defaults.contexts,
            show_default=True,
            help="Pages captured at once, each in a fresh browser context.",
        ),
        click.option(
            "--page-time",
            envvar="KZARCHIVE_PAGE_TIME",
            type=click.FloatRange(5, 600),
            default=defaults.page_time,
            show_default=True,
            help="Seconds one page may take in the browser; a page still busy is cut there and "
            "recorded as truncated.",
        ),
        click.option(
            "--browser-arg",
            "extra_args",
            envvar="KZARCHIVE_BROWSER_ARGS",
            multiple=True,
            metavar="SWITCH",
            help="One more Chromium switch, such as --proxy-server=... (repeatable; the "
            "environment variable takes several separated by spaces).",
        ),
        click.option(
            "--cookies",
            envvar="KZARCHIVE_COOKIES",
            type=click.Path(dir_okay=False, path_type=Path),
            help="A Netscape cookies.txt: capture logged in, in the browser and yt-dlp (never "
            "sent to an archive nor written anywhere; the manifest says the capture was logged "
            "in).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def browser_record(params: dict[str, Any]) -> BrowserOptions:
    """The browser options (off with --no-capture, which keeps no evidence at all)."""
    from kzarchive.capture.cookies import CookiesError, load_cookies

    cookies: Path | None = params["cookies"]
    if cookies is not None:
        try:
            load_cookies(cookies)
        except CookiesError as exc:
            raise click.UsageError(str(exc)) from None
    path: Path | None = params["browser_path"]
    if path is not None and params["browser"]:
        from kzarchive.capture.launch import BrowserPathError, system_browser

        try:
            system_browser(path)
        except BrowserPathError as exc:
            raise click.UsageError(str(exc)) from None
    enabled = bool(params["browser"] and params["capture"])
    return _record(
        BrowserOptions,
        params,
        enabled=enabled,
        path=path,
        cookies=cookies,
        extra_args=tuple(params["extra_args"]),
    )


def archive_record(params: dict[str, Any], extraction: Extraction) -> ArchiveOptions:
    return _record(ArchiveOptions, params, cited_on=extraction.document.cited_on)


def check_record(params: dict[str, Any]) -> CheckOptions:
    return _record(CheckOptions, params)


def verify_record(params: dict[str, Any]) -> VerifyOptions:
    from kzarchive.wayback.verify import VerifyOptions

    listed = params.get("archive_list")
    return _record(
        VerifyOptions,
        params,
        enabled=params["verify_snapshots"],
        **({"archives": listed} if listed is not None else {}),
    )


def format_option(*choices: str) -> Callable[[F], F]:
    """``--format``, the first choice the default."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=choices[0], show_default=True
    )


def manifest_path(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """A manifest, or the folder that holds one."""
    return value / MANIFEST_NAME if value.is_dir() else value


manifest_argument = click.argument(
    "manifest",
    default=f"archive/{MANIFEST_NAME}",
    type=click.Path(path_type=Path),
    callback=manifest_path,
)
