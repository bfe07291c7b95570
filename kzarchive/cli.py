"""The ``kzarchive`` command line: parses options, calls the core, writes results.

This is the only module that imports click. Data goes to stdout (or ``--output``); warnings, errors
and progress go to stderr. Every :class:`~kzarchive.errors.KzarchiveError` becomes one line on
stderr and exit code 2. Each command imports the parts it needs when it runs: start-up time is
part of every command's time, and ``check`` should not wait for the Wayback client, the PDF
reader or the progress bars of a terminal it is not writing to.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar

import click

from kzarchive import __version__
from kzarchive.check import DEFAULT_USER_AGENT, CheckOptions
from kzarchive.errors import KzarchiveError
from kzarchive.evidence.options import EvidenceOptions
from kzarchive.manifest import MANIFEST_NAME
from kzarchive.outcome import ExitCode, archive_exit, check_exit, run_exit
from kzarchive.progress import SILENT, Observer
from kzarchive.render import RENDERERS
from kzarchive.wayback.options import DEFAULT_MEMENTO_URL, ArchiveOptions, parse_age

if TYPE_CHECKING:
    from rich.console import Console

    from kzarchive.config import Config
    from kzarchive.extract import Extraction
    from kzarchive.models import ArchiveState
    from kzarchive.pipeline import RunResult
    from kzarchive.scope import Redacted, Scope
    from kzarchive.wayback.verify import VerifyOptions

DEFAULT_DOCUMENT = "sources.txt"
STDIN_NAME = "<stdin>"
DOCUMENT_HELP = "DOCUMENT is sources.txt unless given; '-' reads standard input."


class _Failure(click.ClickException):
    exit_code = ExitCode.USAGE

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"kzarchive: error: {self.format_message()}", err=True)


class _Group(click.Group):
    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # The configuration file gives the defaults of every command's options; click puts the
        # command line first, then the environment, then these, then the built-in defaults.
        try:
            config = _load_config(args)
            extra.setdefault("default_map", _default_map(self, config))
        except KzarchiveError as exc:
            _Failure(str(exc)).show()
            sys.exit(ExitCode.USAGE)
        context = super().make_context(info_name, args, parent, **extra)
        context.meta["kzarchive.config"] = config
        return context

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KzarchiveError as exc:
            raise _Failure(str(exc)) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """The one exit point: every error is one line on stderr; Ctrl-C is 130 everywhere."""
        if kwargs.get("standalone_mode") is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.UsageError as exc:
            _Failure(_usage_message(exc)).show()
            sys.exit(ExitCode.USAGE)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo("kzarchive: interrupted", err=True)
            sys.exit(ExitCode.INTERRUPTED)
        sys.exit(int(code) if isinstance(code, int) else ExitCode.OK)


def _usage_message(exc: click.UsageError) -> str:
    """A usage error as one line (click names the option and its environment variable)."""
    message = exc.format_message()
    ctx = exc.ctx
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return " ".join(message.split())


def _load_config(args: list[str]) -> Config:
    from kzarchive.config import load_config

    chosen = os.environ.get("KZARCHIVE_CONFIG") or None
    for i, arg in enumerate(args):
        if arg == "--config" and i + 1 < len(args):
            chosen = args[i + 1]
        elif arg.startswith("--config="):
            chosen = arg.split("=", 1)[1]
    return load_config(Path(chosen) if chosen else None, Path.cwd())


def _default_map(group: click.Group, config: Config) -> dict[str, Any]:
    """click's default_map from the file's settings, each checked against its option."""
    from kzarchive.config import ConfigError

    found: dict[str, Any] = {}
    for key, setting in config.settings.items():
        flag = f"--{key}"
        places: list[tuple[dict[str, Any], click.Command, click.Parameter]] = []
        for param in group.params:
            if flag in getattr(param, "opts", ()) and param.name != "config":
                places.append((found, group, param))
        for name, command in group.commands.items():
            for param in command.params:
                if isinstance(param, click.Option) and flag in param.opts:
                    places.append((found.setdefault(name, {}), command, param))
        if not places:
            raise ConfigError(f"{setting.where}: {key}: not an option of kzarchive")
        value = setting.value
        if isinstance(value, date):
            value = value.isoformat()
        for target, command, param in places:
            if getattr(param, "multiple", False) and not isinstance(value, list):
                value = [value]
            try:
                context = click.Context(command)
                converted = param.type_cast_value(context, value)
                if param.callback is not None:
                    param.callback(context, param, converted)
            except click.BadParameter as exc:
                raise ConfigError(f"{setting.where}: {key}: {exc.format_message()}") from None
            assert param.name is not None
            target[param.name] = value
    return found


class _Status(Protocol):
    """What commands need of the stderr console: rich's Console, or nothing under --quiet."""

    def print(self, *objects: Any, **options: Any) -> None: ...


class _Quiet:
    def print(self, *objects: Any, **options: Any) -> None:
        pass


_QUIET = _Quiet()


@dataclass(frozen=True)
class Settings:
    wayback_url: str
    quiet: bool

    @functools.cached_property
    def console(self) -> Console:
        from kzarchive import views

        return views.status_console(self.quiet)

    @property
    def err(self) -> _Status:
        # Under --quiet nothing is drawn, so rich is not even loaded.
        return _QUIET if self.quiet else self.console

    def observer(self) -> contextlib.AbstractContextManager[Observer]:
        """Progress bars on stderr, or nothing under --quiet."""
        if self.quiet:
            return contextlib.nullcontext(SILENT)
        from kzarchive import views

        return views.RichObserver(self.console)


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    """Where data goes: stdout for None or ``-``, else the file (UTF-8, newlines as given)."""
    if path in (None, "-"):
        yield sys.stdout
        return
    target = Path(path)
    try:
        with target.open("w", encoding="utf-8", newline="") as stream:
            yield stream
    except OSError as exc:
        raise KzarchiveError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _warn(settings: Settings, lines: tuple[str, ...] | list[str]) -> None:
    for line in lines:
        settings.err.print(f"[yellow]warning:[/] {line}", markup=True, highlight=False)


document_argument = click.argument(
    "document",
    default=DEFAULT_DOCUMENT,
    type=click.Path(dir_okay=True, allow_dash=True, path_type=Path),
)


def _valid_base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
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
    """``--quiet`` and ``--wayback-url`` after the command as well as before it."""

    @functools.wraps(command)
    def accept(*args: Any, **kwargs: Any) -> Any:
        quiet = kwargs.pop("quiet_here", False)
        wayback_url = kwargs.pop("wayback_url_here", None)
        ctx = click.get_current_context()
        settings = ctx.find_object(Settings)
        if settings is not None and (quiet or wayback_url):
            ctx.obj = Settings(
                wayback_url=wayback_url or settings.wayback_url,
                quiet=settings.quiet or quiet,
            )
        return command(*args, **kwargs)

    accept = click.option(
        "--wayback-url",
        "wayback_url_here",
        callback=_valid_base_url,
        metavar="URL",
        help="Base URL of the Wayback Machine's endpoints (as before the command).",
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


F = Callable[..., Any]


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


def _scope(params: dict[str, Any]) -> Scope:
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
            help="Seconds one URL may take (connect, answer, body) before it is a timeout.",
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
            help="Ask a Memento aggregator for copies in other web archives when the Wayback "
            "Machine holds none that holds the page.",
        ),
        click.option(
            "--memento-url",
            envvar="KZARCHIVE_MEMENTO_URL",
            default=DEFAULT_MEMENTO_URL,
            callback=_valid_base_url,
            help="Base URL of the Memento aggregator (TimeTravel API).",
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


def _valid_age(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        parse_age(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _with_cited_on(redacted: Redacted, params: dict[str, Any]) -> Redacted:
    """The document as cited on ``--cited-on`` when given: the record says the date used."""
    if not params.get("cited_on"):
        return redacted
    from dataclasses import replace

    extraction = redacted.extraction
    document = replace(
        extraction.document, cited_on=params["cited_on"].date(), cited_on_source="option"
    )
    return replace(redacted, extraction=replace(extraction, document=document))


R = TypeVar("R")


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
            help="Download the video or audio of media pages with yt-dlp "
            "(pip install 'kzarchive[media]').",
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


def _evidence_options(params: dict[str, Any]) -> EvidenceOptions:
    tsas = tuple(params["tsas"])
    for tsa in tsas:
        if not tsa.startswith(("http://", "https://")):
            raise click.UsageError(f"--tsa {tsa!r}: a timestamp authority is an http(s) URL")
    if params["media"] and params["capture"]:
        from kzarchive.evidence.media import MediaUnavailable, require_yt_dlp

        try:
            require_yt_dlp()
        except MediaUnavailable as exc:
            raise click.UsageError(str(exc)) from None
    elif params["media"]:
        raise click.UsageError("--media keeps evidence, which --no-capture turns off")
    return _record(EvidenceOptions, params, tsas=tsas)


def _archive_options(params: dict[str, Any], extraction: Extraction) -> ArchiveOptions:
    return _record(ArchiveOptions, params, cited_on=extraction.document.cited_on)


def _check_options(params: dict[str, Any]) -> CheckOptions:
    return _record(CheckOptions, params)


def _verify_options(params: dict[str, Any]) -> VerifyOptions:
    from kzarchive.wayback.verify import VerifyOptions

    return _record(VerifyOptions, params, enabled=params["verify_snapshots"])


def format_option(*choices: str) -> Callable[[F], F]:
    """``--format``, the first choice the default."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=choices[0], show_default=True
    )


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "show_default": True},
)
@click.option(
    "--wayback-url",
    envvar="KZARCHIVE_WAYBACK_URL",
    default="https://web.archive.org",
    show_default=True,
    callback=_valid_base_url,
    help="Base URL of every Wayback Machine endpoint used.",
)
@click.option(
    "--quiet", "-q", is_flag=True, envvar="KZARCHIVE_QUIET", help="Print only errors on stderr."
)
@click.option(
    "--config",
    envvar="KZARCHIVE_CONFIG",
    type=click.Path(dir_okay=False),
    help="Settings file (default: kzarchive.toml, else [tool.kzarchive] in pyproject.toml).",
)
@click.version_option(__version__, prog_name="kzarchive")
@click.pass_context
def main(ctx: click.Context, wayback_url: str, quiet: bool, config: str | None) -> None:
    """Keep a report's footnoted sources alive: extract, check and archive every cited URL."""
    ctx.obj = Settings(wayback_url=wayback_url, quiet=quiet)


def _extract(
    settings: Settings, document: Path, all_links: bool, keep_secrets: bool = False
) -> Redacted:
    """The document's citations, with the secrets in their URLs hidden unless kept."""
    from kzarchive.extract import extract
    from kzarchive.scope import redact_extraction

    if str(document) == "-":
        document = Path(STDIN_NAME)
        found = extract(document, all_links=all_links, data=sys.stdin.buffer.read())
    else:
        found = extract(document, all_links=all_links)
    redacted = redact_extraction(found, keep_secrets)
    extraction = redacted.extraction
    _warn(settings, extraction.warnings)
    if not extraction.citations:
        settings.err.print(
            f"{document}: no footnoted URLs found"
            + ("" if all_links else " (try --all-links to list every URL in it)")
        )
    return redacted


@main.command("extract", short_help="List the footnoted URLs of a document.", epilog=DOCUMENT_HELP)
@global_options
@document_argument
@format_option("table", "json", "csv", "urls")
@all_links_option
@keep_secrets_option
@output_option
@click.pass_obj
def extract_command(
    settings: Settings,
    document: Path,
    fmt: str,
    all_links: bool,
    keep_secrets: bool,
    output: str | None,
) -> None:
    """List the document's footnoted URLs."""
    from kzarchive import formats

    extraction = _extract(settings, document, all_links, keep_secrets).extraction
    with _output(output) as stream:
        if fmt == "json":
            stream.write(formats.to_json(formats.extraction_json(extraction)))
        elif fmt == "csv":
            # One rule for CSV: a byte-order mark in files (for spreadsheets), none on stdout.
            bom = "" if output in (None, "-") else "\ufeff"
            stream.write(bom + formats.extraction_csv(extraction))
        elif fmt == "urls":
            stream.write(formats.extraction_urls(extraction))
        elif extraction.citations:
            from kzarchive import views

            views.print_sheet(views.extraction_table(extraction), stream)
            settings.err.print(
                f"{len(extraction.footnotes)} footnotes, {len(extraction.citations)} citations, "
                f"{len(extraction.links)} unique URLs"
            )


@main.command(
    "check", short_help="Check that every cited URL still resolves.", epilog=DOCUMENT_HELP
)
@global_options
@document_argument
@check_options
@format_option("table", "json")
@scope_options
@all_links_option
@keep_secrets_option
@output_option
@click.pass_obj
def check_command(settings: Settings, /, document: Path, **params: Any) -> None:
    """Check whether every footnoted URL still resolves; exit 1 if any is dead."""
    from kzarchive import formats
    from kzarchive.jobs import check_links
    from kzarchive.models import VERDICTS

    redacted = _extract(settings, document, params["all_links"], params["keep_secrets"])
    links = redacted.extraction.links
    with settings.observer() as observer:
        run = asyncio.run(check_links(redacted, _scope(params), _check_options(params), observer))
    rows = [(link, run.checks[link.url]) for link in links]
    with _output(params["output"]) as stream:
        if params["fmt"] == "json":
            stream.write(formats.to_json(formats.check_json(rows, run.offline)))
        elif rows:
            from kzarchive import views

            views.print_sheet(views.check_table(rows), stream)
    counts = Counter(check.verdict for _, check in rows)
    settings.err.print(
        ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v]) or "nothing to check"
    )
    sys.exit(check_exit((check for _, check in rows), run.offline))


@main.command(
    "archive", short_help="Find or make a Wayback snapshot of every link.", epilog=DOCUMENT_HELP
)
@global_options
@document_argument
@archive_options
@format_option("table", "json")
@scope_options
@archive_private_option
@all_links_option
@keep_secrets_option
@output_option
@click.pass_obj
def archive_command(settings: Settings, /, document: Path, **params: Any) -> None:
    """Find or make a Wayback snapshot of every link; exit 1 if any is left without one."""
    from kzarchive import formats
    from kzarchive.jobs import archive_links
    from kzarchive.wayback.client import WaybackClient
    from kzarchive.wayback.credentials import load_credentials

    redacted = _with_cited_on(
        _extract(settings, document, params["all_links"], params["keep_secrets"]), params
    )
    links = redacted.extraction.links
    options = _archive_options(params, redacted.extraction)

    async def work(observer: Observer) -> dict[str, ArchiveState]:
        async with WaybackClient(settings.wayback_url, load_credentials()) as client:
            return await archive_links(
                redacted, _scope(params), client, options, observer, _verify_options(params)
            )

    with settings.observer() as observer:
        states = asyncio.run(work(observer))
    rows = [(link, states[link.url]) for link in links]
    with _output(params["output"]) as stream:
        if params["fmt"] == "json":
            stream.write(formats.to_json(formats.archive_json(rows)))
        elif rows:
            from kzarchive import views

            views.print_sheet(views.archive_table(rows), stream)
    counts = Counter(state.status for _, state in rows)
    missing = sum(1 for _, state in rows if not (state.preserved or state.withheld))
    settings.err.print(
        ", ".join(f"{n} {status}" for status, n in counts.items())
        + (f"; {missing} without any snapshot" if missing else "")
    )
    sys.exit(archive_exit(state for _, state in rows))


@main.command("run", short_help="Extract, check and archive into a folder.", epilog=DOCUMENT_HELP)
@global_options
@document_argument
@click.option(
    "--out",
    envvar="KZARCHIVE_OUT",
    default="archive",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for manifest.json, manifest.csv, citations.md and the evidence.",
)
@click.option(
    "--adopt",
    is_flag=True,
    help="Take over a folder that holds another document's archive (an edited copy, say), "
    "keeping all it knew; its old manifest is kept beside as manifest.json.adopted-TIME.",
)
@check_options
@archive_options
@evidence_options
@scope_options
@archive_private_option
@all_links_option
@keep_secrets_option
@click.pass_obj
def run_command(settings: Settings, /, document: Path, **params: Any) -> None:
    """Extract, check and archive; write the manifest and its renderings into --out."""
    from kzarchive.lock import FolderLock
    from kzarchive.pipeline import run_pipeline
    from kzarchive.wayback.client import WaybackClient
    from kzarchive.wayback.credentials import load_credentials

    redacted = _with_cited_on(
        _extract(settings, document, params["all_links"], params["keep_secrets"]), params
    )
    out: Path = params["out"]
    check_opts = _check_options(params)
    archive_opts = _archive_options(params, redacted.extraction)
    evidence_opts = _evidence_options(params)
    scope = _scope(params)

    async def work(observer: Observer) -> RunResult:
        async with WaybackClient(settings.wayback_url, load_credentials()) as client:
            return await run_pipeline(
                redacted,
                out,
                client,
                check_opts,
                archive_opts,
                observer,
                scope=scope,
                verify_options=_verify_options(params),
                evidence_options=evidence_opts,
                adopt=params["adopt"],
            )

    with FolderLock(out), settings.observer() as observer:
        try:
            result = asyncio.run(work(observer))
        except KeyboardInterrupt:
            settings.err.print(f"interrupted: {out / MANIFEST_NAME} keeps what was finished")
            sys.exit(ExitCode.INTERRUPTED)
    if not settings.quiet:
        from kzarchive import views

        settings.err.print(views.run_summary(result.manifest, result.written, result.kept))
    cited = [record for record in result.manifest.links if record.cited]
    sys.exit(
        run_exit(
            (r.check for r in cited if r.check),
            (r.archive for r in cited if r.archive),
            result.offline,
        )
    )


def _manifest_path(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """A manifest, or the folder that holds one."""
    return value / MANIFEST_NAME if value.is_dir() else value


manifest_argument = click.argument(
    "manifest",
    default=f"archive/{MANIFEST_NAME}",
    type=click.Path(path_type=Path),
    callback=_manifest_path,
)


@main.command(
    "report",
    short_help="Render a manifest (CSV, Markdown, HTML, JSON).",
    epilog="MANIFEST is archive/manifest.json unless given; a folder means its manifest.json.",
)
@global_options
@manifest_argument
@format_option("markdown", *sorted(set(RENDERERS) - {"markdown"}))
@output_option
def report_command(manifest: Path, fmt: str, output: str | None) -> None:
    """Render a manifest as CSV, Markdown, standalone HTML (Robust Links) or JSON."""
    from kzarchive.manifest import load
    from kzarchive.render import file_text

    renderer, loaded = RENDERERS[fmt], load(manifest)
    to_file = output not in (None, "-")
    text = file_text(renderer, loaded) if to_file else renderer.render(loaded)
    with _output(output) as stream:
        stream.write(text)


@main.command("annotate", short_help="Add archive links to a copy of a document.")
@global_options
@click.argument("document", type=click.Path(allow_dash=True, path_type=Path))
@click.option(
    "--manifest",
    "manifest_path",
    default=f"archive/{MANIFEST_NAME}",
    show_default=True,
    type=click.Path(path_type=Path),
    callback=_manifest_path,
    help="The manifest (or its folder) whose snapshots are linked.",
)
@output_option
@click.option(
    "--in-place", is_flag=True, help="Rewrite DOCUMENT itself (atomically; keeps DOCUMENT.bak)."
)
@click.pass_obj
def annotate_command(
    settings: Settings, /, document: Path, manifest_path: Path, output: str | None, in_place: bool
) -> None:
    """Copy DOCUMENT with an archive link after each footnote URL (stdout unless --in-place)."""
    from kzarchive.annotate import annotate, write_copy, write_in_place
    from kzarchive.manifest import load

    if in_place and output not in (None, "-"):
        raise click.UsageError("--in-place and --output do not go together")
    from_stdin = str(document) == "-"
    if from_stdin and in_place:
        raise click.UsageError("--in-place needs a file, not standard input")
    if output not in (None, "-") and Path(output).resolve() == document.resolve():
        raise click.UsageError("--output is the document itself: use --in-place to rewrite it")
    manifest = load(manifest_path)
    if from_stdin:
        document = Path(STDIN_NAME)
        result = annotate(document, manifest, sys.stdin.buffer.read())
    else:
        result = annotate(document, manifest)
    recorded = manifest.document.get("sha256")
    if recorded and recorded != hashlib.sha256(result.original).hexdigest():
        _warn(settings, [f"{manifest_path} was made from another version of {document}"])
    if result.missing:
        listed = ", ".join(result.missing[:3]) + (", …" if len(result.missing) > 3 else "")
        count = len(result.missing)
        _warn(settings, [f"{count} URLs have no snapshot yet and were left as they are: {listed}"])
    if in_place:
        write_in_place(document, result)
    elif output in (None, "-"):
        sys.stdout.flush()
        sys.stdout.buffer.write(result.encoded())
        sys.stdout.buffer.flush()
    else:
        write_copy(Path(output), result)
    settings.err.print(
        f"{result.added} archive links added"
        + (f", {result.already} already there" if result.already else "")
        + (f", {len(result.missing)} URLs without a snapshot" if result.missing else "")
    )


@main.command("diff", short_help="What changed between two manifests.")
@global_options
@click.argument("old", type=click.Path(path_type=Path), callback=_manifest_path)
@click.argument("new", type=click.Path(path_type=Path), callback=_manifest_path)
@format_option("table", "json")
@output_option
@click.pass_obj
def diff_command(settings: Settings, /, old: Path, new: Path, fmt: str, output: str | None) -> None:
    """What changed between two manifests; exit 1 if a link newly died."""
    from kzarchive import formats
    from kzarchive.diff import diff, newly_dead
    from kzarchive.manifest import load

    changes = diff(load(old), load(new))
    with _output(output) as stream:
        if fmt == "json":
            stream.write(formats.to_json({"changes": [c.to_json() for c in changes]}))
        elif changes:
            from kzarchive import views

            views.print_sheet(views.diff_table(changes), stream)
    counts = Counter(c.kind for c in changes)
    settings.err.print(", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no changes")
    sys.exit(ExitCode.FINDINGS if newly_dead(changes) else ExitCode.OK)


@main.command(
    "verify",
    short_help="Check that the evidence in a folder is what was recorded.",
    epilog="FOLDER is archive unless given. Exit 0: everything holds; 1: something is altered "
    "or missing; 2: nothing there can be verified.",
)
@global_options
@click.argument("folder", default="archive", type=click.Path(file_okay=False, path_type=Path))
@format_option("table", "json")
@output_option
@click.pass_obj
def verify_command(settings: Settings, /, folder: Path, fmt: str, output: str | None) -> None:
    """Recompute every hash of the evidence and check every timestamp token's signature."""
    from kzarchive import formats
    from kzarchive.evidence.verify import verify_folder

    result = verify_folder(folder)
    with _output(output) as stream:
        if fmt == "json":
            stream.write(formats.to_json(result.to_json()))
        else:
            from kzarchive import views

            views.print_sheet(views.verify_table(result), stream)
    counts = Counter(f.status for f in result.findings)
    settings.err.print(", ".join(f"{n} {status}" for status, n in counts.items()))
    bad = [f for f in result.findings if f.status in ("altered", "missing")]
    if bad:
        named = ", ".join(f.path for f in bad[:5]) + (", …" if len(bad) > 5 else "")
        _warn(settings, [f"{len(bad)} altered or missing: {named}"])
    sys.exit(ExitCode.OK if result.holds else ExitCode.FINDINGS)


@main.command("schema", short_help="Print the manifest's JSON Schema.")
@global_options
@output_option
def schema_command(output: str | None) -> None:
    """Print the JSON Schema every manifest is checked against when it is read."""
    from kzarchive.manifest import schema_text

    with _output(output) as stream:
        stream.write(schema_text())


@main.command("config", short_help="Show the settings in force and their sources.")
@global_options
@format_option("table", "json")
@click.pass_context
def config_command(ctx: click.Context, fmt: str) -> None:
    """Print the settings in force and where each comes from (file, environment, default)."""
    from kzarchive import formats

    group = ctx.parent.command if ctx.parent else main
    config: Config = ctx.find_root().meta["kzarchive.config"]
    rows: dict[str, dict[str, Any]] = {}
    commands = [group, *group.commands.values()] if isinstance(group, click.Group) else [group]
    for command in commands:
        for param in command.params:
            if (
                not isinstance(param, click.Option)
                or param.name in rows
                or param.name
                in (
                    "config",
                    "fmt",
                    "output",
                    "help",
                    "version",
                )
            ):
                continue
            key = param.opts[0].lstrip("-")
            envvar = param.envvar if isinstance(param.envvar, str) else None
            value: Any
            if envvar and os.environ.get(envvar) not in (None, ""):
                value, source = os.environ[envvar], f"environment {envvar}"
            elif config.where(key):
                value, source = config.settings[key].value, str(config.where(key))
            else:
                value, source = param.default, "default"
                if not isinstance(value, str | int | float | bool | tuple | list):
                    value = False if param.is_flag else None  # click's "unset" marker
            if isinstance(value, tuple):
                value = list(value)
            assert param.name is not None
            rows[param.name] = {"option": f"--{key}", "value": value, "source": source}
    data = {
        "config_file": str(config.path) if config.path else None,
        "settings": list(rows.values()),
    }
    if fmt == "json":
        click.echo(formats.to_json(data), nl=False)
        return
    click.echo(f"config file: {config.path or '(none)'}")
    width = max(len(row["option"]) for row in rows.values())
    for row in rows.values():
        shown = "" if row["value"] is None else str(row["value"])
        click.echo(f"{row['option']:<{width}}  {shown}  ({row['source']})")


def _show_environment_variables(group: click.Group) -> None:
    """Every option's ``KZARCHIVE_*`` twin in its ``--help``."""
    for command in [group, *group.commands.values()]:
        for param in command.params:
            if isinstance(param, click.Option) and param.envvar:
                param.show_envvar = True


_show_environment_variables(main)
