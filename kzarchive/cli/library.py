"""``kzarchive run DOC...``, ``kzarchive recheck`` and ``kzarchive library``: a library over time.

``run`` with several documents (files, folders, globs) and ``recheck`` share one job: open the
output folder's store (importing the folder's older manifests the first time), run each document
that has something to do, write each document's outputs and the library's ``library.html`` and
``library.csv``. ``library`` only writes and shows the report. The rot rules' options
(``--confirm-after``, ``--confirm-apart``, ``--confirm-now``, ``--recheck-after``) are here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import glob
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kzarchive.cli.context import Settings, counted
from kzarchive.cli.extract import extract_document
from kzarchive.cli.options import (
    all_links_option,
    archive_options,
    archive_private_option,
    archive_record,
    browser_options,
    browser_record,
    check_options,
    check_record,
    evidence_options,
    evidence_record,
    format_option,
    global_options,
    keep_secrets_option,
    output_option,
    pacing_record,
    perma_options,
    perma_record,
    scope_options,
    scope_record,
    verify_record,
    with_cited_on,
)
from kzarchive.errors import KzarchiveError
from kzarchive.outcome import UNREACHABLE, ExitCode

if TYPE_CHECKING:
    from kzarchive.library import LibraryRun
    from kzarchive.pipeline import RunResult
    from kzarchive.scope import Redacted
    from kzarchive.store import Store
    from kzarchive.store.rot import RotPolicy

F = TypeVar("F", bound=Callable[..., Any])
# What a folder given to ``run`` holds that is a document (by name; the content decides the format)
DOCUMENT_SUFFIXES = (
    ".md", ".markdown", ".txt", ".html", ".htm", ".xhtml", ".tex", ".bib",
    ".pdf", ".docx", ".odt", ".epub",
)  # fmt: skip


def _valid_span(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from kzarchive.wayback.options import parse_age

    try:
        if parse_age(value).total_seconds() <= 0:
            raise ValueError("must be longer than nothing")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


STORE_OPTION = click.option(
    "--store",
    "store_path",
    envvar="KZARCHIVE_STORE",
    type=click.Path(dir_okay=False, path_type=Path),
    show_default="OUT/kzarchive.db",
    help="The library's store.",
)


def policy_options(command: F) -> F:
    """When a link is dead, and when a link is due again: kept in the store once given."""
    options = [
        click.option(
            "--confirm-after",
            envvar="KZARCHIVE_CONFIRM_AFTER",
            type=click.IntRange(1, 100),
            default=3,
            show_default=True,
            help="Failed checks that confirm a link dead (blocked and error never count); "
            "kept in the store for later runs.",
        ),
        click.option(
            "--confirm-apart",
            envvar="KZARCHIVE_CONFIRM_APART",
            default="3d",
            show_default=True,
            callback=_valid_span,
            help="At least this long between two failed checks that count (3d, 12h...); "
            "kept in the store for later runs.",
        ),
        click.option(
            "--recheck-after",
            envvar="KZARCHIVE_RECHECK_AFTER",
            default="30d",
            show_default=True,
            callback=_valid_span,
            help="A link alive or confirmed dead is due again after this long; kept in the "
            "store for later runs.",
        ),
        STORE_OPTION,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def rot_options(command: F) -> F:
    """The policy's options, and ``--confirm-now`` (a run's action, not a policy)."""
    command = click.option(
        "--confirm-now",
        envvar="KZARCHIVE_CONFIRM_NOW",
        is_flag=True,
        help="Confirm dead, now, every link of this run's documents that failed (no "
        "'dying'); the store keeps them dead until a live answer.",
    )(command)
    return policy_options(command)


def out_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--out",
        envvar="KZARCHIVE_OUT",
        default="archive",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text,
    )


def work_options(command: F) -> F:
    """The options of a run over documents (``run`` and ``recheck`` alike): when a link is dead,
    how links are checked, archived and captured, and what is kept from the network."""
    for option in reversed(
        (
            rot_options,
            check_options,
            archive_options,
            perma_options,
            evidence_options,
            browser_options,
            scope_options,
            archive_private_option,
            all_links_option,
            keep_secrets_option,
        )
    ):
        command = option(command)
    return command


# The rot policy's options, by parameter name, with their built-in defaults
POLICY = {"confirm_after": "3", "confirm_apart": "3d", "recheck_after": "30d"}


def rot_policy(settings: Settings, store: Store, params: dict[str, Any]) -> RotPolicy:
    """The library's rot policy: the store's, with what this command was given explicitly (on
    the command line, in the environment or in the settings file) stored in its place, so that
    every later command judges the library's links alike. A change is said in one line."""
    from click.core import ParameterSource

    from kzarchive.library import POLICY_CHANGED
    from kzarchive.models import utc_now

    ctx = click.get_current_context()
    stored = {k: v for k, v in store.settings().items() if k in POLICY}
    given = {
        name: str(params[name])
        for name in POLICY
        if ctx.get_parameter_source(name)
        in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT, ParameterSource.DEFAULT_MAP)
    }
    before = make_policy({**POLICY, **stored})
    policy = make_policy({**POLICY, **stored, **given})
    if given and {k: v for k, v in given.items() if stored.get(k) != v}:
        store.set_settings({**given, POLICY_CHANGED: utc_now()} if policy != before else given)
        if policy != before:
            settings.err.print(
                f"policy: {describe_policy(policy)} (was: {describe_policy(before)}); "
                f"kept in {store.path} for later runs",
                markup=False,
                highlight=False,
            )
    return policy


def make_policy(values: dict[str, str]) -> RotPolicy:
    """The policy of the options' values (``POLICY``'s keys, as stored)."""
    from kzarchive.store.rot import RotPolicy
    from kzarchive.wayback.options import parse_age

    return RotPolicy(
        checks=int(values["confirm_after"]),
        apart=parse_age(values["confirm_apart"]),
        recheck=parse_age(values["recheck_after"]),
    )


def stored_policy(store: Store) -> RotPolicy:
    """The policy the store keeps (the built-in defaults for what it does not)."""
    return make_policy({**POLICY, **{k: v for k, v in store.settings().items() if k in POLICY}})


def policy_effects(store: Store, before: RotPolicy, after: RotPolicy) -> str:
    """What a new policy changes in the library's verdicts, in words: "2 links dying → dead, 1
    link dead → dying", or "no link's state"."""
    from kzarchive.library import link_states

    old = link_states(store, before)
    moves = Counter(
        (old[url].status, state.status)
        for url, state in link_states(store, after).items()
        if url in old and old[url].status != state.status
    )
    return (
        ", ".join(f"{counted(n, 'link')} {was} → {now}" for (was, now), n in sorted(moves.items()))
        or "no link's state"
    )


def describe_policy(policy: RotPolicy) -> str:
    from kzarchive.store.rot import span_words

    checks = f"{policy.checks} failed check{'s' if policy.checks != 1 else ''}"
    return (
        f"dead after {checks} at least {span_words(policy.apart)} apart, "
        f"due again after {span_words(policy.recheck)}"
    )


# What kzarchive writes into an output folder: passed over when a folder scan meets that folder
OWN_FILES = frozenset(
    ("manifest.json", "manifest.csv", "citations.md", "report.html", "library.html", "library.csv")
)


def is_output_folder(folder: Path) -> bool:
    """Whether kzarchive wrote this folder: it holds a store, or a manifest kzarchive wrote."""
    import json

    from kzarchive.models import MANIFEST_NAME
    from kzarchive.store.db import STORE_NAME

    if (folder / STORE_NAME).is_file():
        return True
    try:
        data = json.loads((folder / MANIFEST_NAME).read_bytes())
    except (OSError, ValueError):
        return False
    tool = data.get("tool") if isinstance(data, dict) else None
    return isinstance(tool, dict) and tool.get("name") == "kzarchive"


def _documents_in(folder: Path, out: Path | None) -> list[Path]:
    """The documents of a folder and its subfolders, by name, passing over ``out`` and every
    folder kzarchive wrote (its outputs are no documents: ``run . --out archive`` from cron must
    not read ``archive/`` the second time). A folder given that is itself an output folder (``run
    . --out .``) keeps its documents, without kzarchive's own files and evidence."""
    skip = out.resolve() if out is not None else None
    top = is_output_folder(folder)
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = [
            d
            for d in dirs
            if (here / d).resolve() != skip
            and not is_output_folder(here / d)
            and not (top and here == folder and d == "evidence")
        ]
        found += [
            here / name
            for name in files
            if Path(name).suffix.lower() in DOCUMENT_SUFFIXES
            and not (top and here == folder and name in OWN_FILES)
            and (here / name).is_file()
        ]
    return sorted(found)


def _in_outputs(match: Path, root: Path, out: Path | None) -> bool:
    """Whether a glob's match lies in ``out`` or a folder kzarchive wrote, below the glob's
    literal ``root`` (``reports/**/*.md`` passes over ``reports/archive/alpha/citations.md``)."""
    skip = out.resolve() if out is not None else None
    for parent in match.parents:
        if parent == root or len(parent.parts) < len(root.parts):
            return False
        if parent.resolve() == skip or is_output_folder(parent):
            return True
    return False


def expand_documents(given: Sequence[str], out: Path | None = None) -> list[Path]:
    """Each argument a document, a folder (its documents, by name, in order) or a glob pattern;
    a folder or a glob passes over ``out`` and kzarchive's other output folders. A document given
    twice (by two paths to one file, say) is kept once, as first given."""
    found: list[Path] = []
    for arg in given:
        path = Path(arg)
        if arg == "-" or path.is_file():
            found.append(path)
        elif path.is_dir():
            inside = _documents_in(path, out)
            if not inside:
                raise KzarchiveError(f"{arg}: no documents in this folder")
            found.extend(inside)
        elif glob.has_magic(arg):
            parts = Path(arg).parts
            literal = next((i for i, part in enumerate(parts) if glob.has_magic(part)), len(parts))
            root = Path(*parts[:literal]) if literal else Path()
            matched = sorted(
                Path(p)
                for p in glob.glob(arg, recursive=True)
                if Path(p).is_file() and not _in_outputs(Path(p), root, out)
            )
            if not matched:
                raise KzarchiveError(f"{arg}: no document matches")
            found.extend(matched)
        else:
            found.append(path)  # check_readable says, in one line, that there is no such file
    unique: dict[str, Path] = {}
    for path in found:
        unique.setdefault(str(path) if str(path) == "-" else str(path.resolve()), path)
    return list(unique.values())


def check_readable(documents: Sequence[Path]) -> None:
    """Every document named is a file this process can read, before any work starts: else one
    line naming each that is not, and nothing written."""
    bad = []
    for path in documents:
        if str(path) == "-":
            continue
        if not path.exists():
            bad.append(f"{path}: no such file")
        elif path.is_dir():
            bad.append(f"{path}: is a directory, not a document")
        elif not os.access(path, os.R_OK):
            bad.append(f"{path}: permission denied")
    if bad:
        raise KzarchiveError("; ".join(bad))


def has_library(out: Path, store_path: Path | None) -> bool:
    """Whether ``out`` has a library to report on or re-check: its store, or manifests an
    earlier kzarchive wrote (imported on first use). Asked before anything is created."""
    from kzarchive.store.db import STORE_NAME
    from kzarchive.store.folder import manifests_in

    return (store_path or out / STORE_NAME).is_file() or bool(manifests_in(out))


def no_library(out: Path) -> KzarchiveError:
    return KzarchiveError(f"{out}: no library here yet (run 'kzarchive run DOC...' first)")


def library_job(
    settings: Settings,
    documents: list[Path],
    params: dict[str, Any],
    *,
    everything: bool,
    report: bool,
) -> tuple[LibraryRun, Store, RotPolicy]:
    """Run the documents into ``--out`` through its store; return what the run did. ``everything``
    is a lone document's run (every link, outputs in ``--out`` unless it is a library); else a
    document that has no footnoted URL or cannot be read is skipped with a warning, and when
    every one is, the run stops in one line leaving no store it created behind."""
    from kzarchive.library import NothingToRun, rot_of, run_library
    from kzarchive.lock import LOCK_NAME, FolderLock
    from kzarchive.store.db import STORE_NAME
    from kzarchive.store.folder import open_for
    from kzarchive.wayback.client import WaybackClient
    from kzarchive.wayback.credentials import load_credentials

    out: Path = params["out"]
    check_opts = check_record(params)
    evidence_opts = dataclasses.replace(evidence_record(params), browser=browser_record(params))
    scope = scope_record(params)
    verify_opts = verify_record(params)
    perma_opts = perma_record(params)

    def extract(path: Path) -> Redacted:
        found = extract_document(settings, path, params["all_links"], params["keep_secrets"])
        return with_cited_on(found, params)

    def read(path: Path) -> Redacted | None:
        from kzarchive.library import STDIN_KEY, stored_reading

        if str(path) == STDIN_KEY:  # read from standard input by an earlier run: as stored
            return stored_reading(store, STDIN_KEY)
        try:
            return extract(path)
        except KzarchiveError as exc:
            settings.err.print(f"warning: {exc}; skipped", markup=False, highlight=False)
            return None

    if everything and len(documents) == 1:  # a lone document that cannot be read makes no folder
        first = extract(documents[0])

        def read(path: Path) -> Redacted | None:
            return first

    said: set[str] = set()  # warnings given once for the whole run, not once per document
    store_file = params.get("store_path") or out / STORE_NAME
    new_folder, new_store = not out.exists(), not store_file.exists()
    nothing: NothingToRun | None = None
    with FolderLock(out):
        store = open_for(out, params.get("store_path"))
        try:
            policy = rot_policy(settings, store, params)
            with settings.observer() as observer:

                async def work() -> LibraryRun:
                    async with WaybackClient(
                        settings.wayback_url, load_credentials(), pacing=pacing_record(params)
                    ) as client:

                        async def run_one(
                            redacted: Redacted, folder: Path, due: Callable[[str], bool]
                        ) -> RunResult:
                            from kzarchive.pipeline import run_pipeline
                            from kzarchive.progress import DocumentObserver

                            told = observer
                            if len(documents) > 1:
                                named = str(redacted.extraction.document.path)
                                told = DocumentObserver(observer, named, said)
                            return await run_pipeline(
                                redacted,
                                folder,
                                client,
                                check_opts,
                                archive_record(params, redacted.extraction),
                                told,
                                scope=scope,
                                verify_options=verify_opts,
                                evidence_options=evidence_opts,
                                adopt=params.get("adopt", False),
                                perma_options=perma_opts,
                                sink=store,
                                due=due,
                                evidence_from=[out / name for name in sorted(store.folders())],
                                rot=rot_of(
                                    store,
                                    dataclasses.replace(policy, confirm_now=params["confirm_now"]),
                                ),
                            )

                        return await run_library(
                            documents,
                            out,
                            store,
                            read,
                            run_one,
                            policy,
                            datetime.now(UTC),
                            everything=everything,
                            confirm_now=params["confirm_now"],
                            single=everything,
                        )

                try:
                    run = asyncio.run(work())
                except KeyboardInterrupt:
                    settings.err.print(f"interrupted: {store.path} keeps every finished link")
                    sys.exit(ExitCode.INTERRUPTED)
            if report or len(store.documents()) > 1:  # a lone document run into a library too
                from kzarchive.library import write_library

                written = write_library(store, out, policy).written
                settings.err.print("wrote " + ", ".join(str(p) for p in written))
        except NothingToRun as exc:
            store.close()
            nothing = exc
            if new_store:  # nothing was run: the store this run made goes
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{store_file}{suffix}").unlink(missing_ok=True)
        except BaseException:
            store.close()
            raise
    if nothing is not None:
        if new_folder:  # and the folder it made (the lock's file is all it holds)
            (out / LOCK_NAME).unlink(missing_ok=True)
            if not any(out.iterdir()):
                out.rmdir()
        raise nothing
    return run, store, policy


def shown(path: str | Path) -> str:
    """A document as lines name it: relative to the current folder when it lies inside it (as
    the store's absolute keys would be given), else as it is."""
    text = str(path)
    if not os.path.isabs(text):
        return text
    relative = os.path.relpath(text)
    return text if relative.startswith("..") else relative


def rot_lines(
    run: LibraryRun, store: Store, names: dict[str, str] | None = None
) -> tuple[list[str], ExitCode]:
    """The run's dead and dying links, by document (named as ``names`` says: as the user gave
    it), and the exit code they make, in this order:
    1 when a link is confirmed dead; 3 when this run was offline or could not reach the archive
    for a link it worked on; 1 when a link has no copy and was not withheld (a link an earlier
    run could not take to the archive is undecided, not missing); 4 when links are dying (and
    nothing else is wrong); else 0. A run that worked on nothing exits by what the library
    holds: 1, 4 or 0."""
    lines: list[str] = []
    code = ExitCode.OK
    told: dict[str, str] = {}  # each unique link once, however many documents cite it
    missing = unreachable = False
    for outcome in run.documents:
        manifest = store.manifest(outcome.path)
        if manifest is None:
            continue
        for record in manifest.links:
            if not record.cited:
                continue
            state = run.states.get(record.url)
            status = state.status if state else "unchecked"
            told[record.url] = status
            archive = record.archive
            if archive is not None and not (archive.preserved or archive.withheld):
                undecided = archive.status == "skipped" and archive.error in UNREACHABLE
                unreachable |= undecided and record.url in run.worked
                missing |= not undecided
            if status in ("dead", "dying") and state is not None:
                notes = ", ".join(record.footnotes) or "-"
                name = (names or {}).get(outcome.path) or shown(outcome.path)
                lines.append(f"{status}: {name} [{notes}] {record.url} ({state.detail})")
    statuses = Counter(told.values())
    if statuses["dead"]:
        code = ExitCode.FINDINGS
    elif (run.offline and run.worked) or unreachable:
        code = ExitCode.INCOMPLETE
    elif missing:
        code = ExitCode.FINDINGS
    elif statuses["dying"]:
        code = ExitCode.DYING
    unchecked = f", {statuses['unchecked']} not checked" if statuses["unchecked"] else ""
    summary = (
        f"{statuses['dead']} confirmed dead, {statuses['dying']} dying, "
        f"{statuses['alive']} alive, {statuses['unknown']} could not tell{unchecked} "
        f"({counted(len(told), 'unique link')})"
    )
    return [*lines, summary], code


def _report_run(
    settings: Settings,
    run: LibraryRun,
    store: Store,
    kind: str,
    documents: Sequence[Path] = (),
) -> ExitCode:
    """The run's last lines on stderr: what it did (``kind``: ``run`` of one document, which
    its summary table told, ``library``, or ``recheck``), the changes, the dead and dying links
    by document as given, and always the count of unique links by state."""
    from kzarchive.library import document_key

    names = {document_key(p): shown(p) for p in documents}
    lines, code = rot_lines(run, store, names)
    for change in run.changes:
        settings.err.print(f"changed: {change.url}: {change.before} → {change.after}")
    ran = sum(1 for d in run.documents if d.ran)
    skipped = f", {len(run.skipped)} skipped" if run.skipped else ""
    if kind == "library":
        settings.err.print(
            f"{counted(len(run.documents), 'document')} ({ran} run, "
            f"{len(run.documents) - ran} up to date{skipped}), "
            f"{counted(run.checked, 'link')} worked on"
        )
    elif kind == "recheck":
        settings.err.print(
            f"{counted(run.checked, 'link')} re-checked; outputs rewritten for {ran} of "
            f"{counted(len(run.documents), 'document')} ({len(run.documents) - ran} had "
            f"nothing due{skipped})"
        )
    for line in lines:
        settings.err.print(line, markup=False, highlight=False)
    return code


def _write_results(result: RunResult, params: dict[str, Any]) -> None:
    """``run --format``: the links' results for CI, on stdout or ``--output``."""
    from kzarchive.cli.context import open_output, report_text
    from kzarchive.reporters import LinkResult, Results, document_name

    cited = [r for r in result.manifest.links if r.cited]
    results = Results(
        document_name(str(result.manifest.document.get("path") or "")),
        tuple(LinkResult(r.url, r.footnotes, r.check, r.archive) for r in cited),
        result.offline,
    )
    with open_output(params["output"]) as stream:
        stream.write(report_text(params["fmt"], results, params["output"]))


def documents_argument(command: F) -> F:
    return click.argument("documents", nargs=-1, metavar="[DOCUMENT|FOLDER|GLOB]...")(command)


def run_documents(settings: Settings, given: tuple[str, ...], params: dict[str, Any]) -> None:
    """``kzarchive run``: one document as always (every link checked), or a library (only what
    changed or is due)."""
    documents = expand_documents(given or ("sources.txt",), params["out"])
    single = len(documents) == 1 and not any(Path(g).is_dir() or glob.has_magic(g) for g in given)
    if params.get("fmt") and not single:
        raise click.UsageError("--format is for one document (a library has library.csv)")
    check_readable(documents)
    run, store, _ = library_job(settings, documents, params, everything=single, report=not single)
    try:
        result = run.documents[0].result if single else None
        if params.get("fmt") and result is not None:
            _write_results(result, params)
        if result is not None and not settings.quiet:
            from kzarchive.cli import views

            sheets, lines = views.run_summary(
                result.manifest, result.written, result.kept, result.saved_now, result.cdx_requests
            )
            views.print_summary(sheets, lines, sys.stderr)
        code = _report_run(settings, run, store, "run" if single else "library", documents)
    finally:
        store.close()
    sys.exit(code)


@click.command("recheck", short_help="Check again the library's links that are due.")
@global_options
@out_option("The library's folder (its store, its documents' folders).")
@work_options
@click.pass_obj
def recheck_command(settings: Settings, /, **params: Any) -> None:
    """Check again every link of the library that is due (a dying link once --confirm-apart has
    passed, the others after --recheck-after), archive what needs it, update every document's
    outputs and library.html; safe to start from cron or a systemd timer (a second run on the
    same folder stops at once, in one line)."""
    from kzarchive.store.folder import open_for

    out: Path = params["out"]
    if not has_library(out, params.get("store_path")):
        raise no_library(out)
    from kzarchive.library import is_gone

    with open_for(out, params.get("store_path")) as store:
        # named as run names them (relative to the current folder); standard input is never gone
        rows = store.documents()
    if not rows:
        raise no_library(out)
    for row in [d for d in rows if is_gone(d)]:
        settings.err.print(
            f"warning: {shown(row.path)}: no longer there; its links are left as they were "
            f"('kzarchive library --out {out} --forget {shown(row.path)}' drops it)",
            markup=False,
            highlight=False,
        )
    present = [Path(shown(d.path)) for d in rows if not is_gone(d)]
    if not present:
        raise KzarchiveError(f"{out}: none of the library's documents is there any more")
    run, store, _ = library_job(settings, present, params, everything=False, report=True)
    try:
        code = _report_run(settings, run, store, "recheck", present)
    finally:
        store.close()
    sys.exit(code)


@click.command("library", short_help="The library's rot over time: library.html and .csv.")
@global_options
@out_option("The library's folder: library.html and library.csv are written there.")
@policy_options
@click.option("--no-chart", is_flag=True, help="Leave the chart out (no matplotlib).")
@format_option("table", "json")
@output_option
@click.option(
    "--forget",
    multiple=True,
    metavar="DOCUMENT",
    help="Drop a document from the library (one deleted or renamed): its links and their "
    "history stay for the others that cite them; its output folder is left as it is. Repeatable.",
)
@click.pass_obj
def library_command(settings: Settings, /, **params: Any) -> None:
    """Per document and per year of citation, the share of links alive, dying, dead and
    preserved, with a chart; the links the last run changed; written as library.html and
    library.csv into --out, the table printed. Documents no longer where they were read are
    listed apart and not counted."""
    from kzarchive.library import document_key, write_library
    from kzarchive.store.folder import mark_forgotten, open_for

    out: Path = params["out"]
    if not has_library(out, params.get("store_path")):
        raise no_library(out)
    with open_for(out, params.get("store_path")) as store:
        for given in params["forget"]:
            known = store.document(given) or store.document(document_key(Path(given)))
            if known is None:
                raise KzarchiveError(f"{given}: not a document of the library in {out}")
            store.forget_document(known.path)
            mark_forgotten(out / (known.folder or "."), known.path)
            settings.err.print(
                f"forgot {shown(known.path)} (its folder {out / (known.folder or '.')} is left "
                "as it is)",
                markup=False,
                highlight=False,
            )
        before = stored_policy(store)
        policy = rot_policy(settings, store, params)
        if policy != before:
            settings.err.print(
                f"policy: in library.csv, {policy_effects(store, before, policy)}; each "
                "document's own outputs (manifest, citations, reports) follow at its next run "
                f"or recheck ('kzarchive recheck --out {out}'); a link a run confirmed dead "
                "stays dead",
                markup=False,
                highlight=False,
            )
        report = write_library(store, out, policy, chart=not params["no_chart"])
    if report.gone:
        names = ", ".join(shown(d.path) for d in report.gone)
        settings.err.print(
            f"warning: {len(report.gone)} document{'s' if len(report.gone) != 1 else ''} no "
            f"longer there, not counted: {names} ('kzarchive library --forget DOCUMENT' drops "
            "one)",
            markup=False,
            highlight=False,
        )
    if params["fmt"] == "json":
        from kzarchive import formats
        from kzarchive.cli.context import open_output
        from kzarchive.rot_report import library_data

        with open_output(params["output"]) as stream:
            stream.write(formats.to_json(library_data(report.rows, report.changes, report.gone)))
    else:
        _print_tables(report.rows, params["output"])
    for change in report.changes:
        settings.err.print(f"changed: {change.url}: {change.before} → {change.after}")
    settings.err.print("wrote " + ", ".join(str(p) for p in report.written))


def _print_tables(link_rows: list[Any], output: str | None) -> None:
    """The report's two tables, by document and by year of citation, each with its total."""
    from kzarchive.cli import views
    from kzarchive.cli.context import open_output
    from kzarchive.rot_report import SHOWN, Tally, tallies, total

    documents, years = tallies(link_rows)
    counted = ("links", *SHOWN, "preserved")

    def numbers(t: Tally) -> tuple[str, ...]:
        return (str(t.links), *(f"{t.counts.get(s, 0)}" for s in SHOWN), str(t.preserved))

    whole = total(link_rows)
    by_document = views.Sheet(
        "by document",
        ("document", "folder", "year", *counted),
        [(t.name, f"{t.folder}/", t.year, *numbers(t)) for t in documents]
        + [("all documents", "", "", *numbers(whole))],
        right=frozenset(range(3, 3 + len(counted))),
    )
    by_year = views.Sheet(
        "by year of citation",
        ("year", *counted),
        [(t.year, *numbers(t)) for t in years] + [("all years", *numbers(whole))],
        right=frozenset(range(1, 1 + len(counted))),
    )
    with open_output(output) as stream:
        views.print_sheet(by_document, stream, titled=True)
        stream.write("\n")
        views.print_sheet(by_year, stream, titled=True)
