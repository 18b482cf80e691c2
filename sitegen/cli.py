"""The `sitegen` command: parse arguments, call the library, map outcomes to exit codes.

Exit status: 0 success, 1 content errors (or warnings with --strict) and operating faults
(disk full, read-only, a concurrent build: one line, no traceback), 2 usage errors.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import urllib.parse
from pathlib import Path

from . import __version__
from .errors import ContentError, UsageError, counted, format_problems


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"sitegen: error: {message}\n")
        raise SystemExit(2)


_DRAFTS = "publish the records marked 'draft: true' too (by default they are in no page, data file, feed or search index)"


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="sitegen", description="Static site generator for reporting a plan's implementation.")
    p.add_argument("--version", action="version", version=f"sitegen {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    b = sub.add_parser("build", help="build the site into output/ (atomically)",
                       description="Build the site. The previous output is kept if anything fails.")
    b.add_argument("site_dir", nargs="?", default=".", help="site folder (default: current folder)")
    b.add_argument("-o", "--output", help="output folder (default: SITE_DIR/output)")
    b.add_argument("--strict", action="store_true",
                   help="treat warnings as errors (but missing translations: see require_translations)")
    b.add_argument("--drafts", action="store_true", help=_DRAFTS)
    b.add_argument("--file-links", action="store_true",
                   help="link pages as .../index.html so the output can be browsed from disk (file://); "
                   "as 'file_links: true' in site.yaml")

    c = sub.add_parser("check", help="validate everything without writing the site",
                       description="Validate records and templates; for CI and pre-commit.")
    c.add_argument("site_dir", nargs="?", default=".", help="site folder (default: current folder)")
    c.add_argument("--format", choices=("text", "github", "json"), default="text",
                   help="problem format: text (path:line:col), github (annotations) or json")
    c.add_argument("--strict", action="store_true",
                   help="treat warnings as errors (but missing translations: see require_translations)")
    c.add_argument("--drafts", action="store_true", help=_DRAFTS)

    s = sub.add_parser("serve", help="build, serve and rebuild on every change, with live reload",
                       description="Preview server with live reload; errors show in the browser.")
    s.add_argument("site_dir", nargs="?", default=".", help="site folder (default: current folder)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=_port, default=8000, help="port (default: 8000; 0 picks a free one)")
    s.add_argument("--open", action="store_true", help="open the site in the default browser")
    s.add_argument("--drafts", action="store_true", help=_DRAFTS)

    n = sub.add_parser("new", help="create a correctly formed record",
                       description="Create a record, e.g. sitegen new activity \"Title\" SITE_DIR --area ID")
    n.add_argument("kind", choices=("activity",), help="what to create")
    n.add_argument("title", help="the record's title")
    n.add_argument("site_dir", nargs="?", help="site folder (default: current folder)")
    n.add_argument("--area", required=True, help="area id (see content/plan.yaml)")
    n.add_argument("--start", help="start date YYYY-MM-DD (default: today, when it lies in the plan's "
                   "period; otherwise --start is required)")
    n.add_argument("--type", help="activity type (one of the plan's activity_types)")
    n.add_argument("--status", default="planned", help="status (default: planned)")
    n.add_argument("--site", metavar="DIR", help="site folder, as SITE_DIR (an older spelling)")

    f = sub.add_parser("pdf", help="print each reporting round to a PDF (with an installed Chromium, Chrome or Edge)",
                       description="Build the site and print each reporting round's page to "
                       "OUT/<plan>-<round>.pdf with an installed Chromium, Chrome or Edge (headless; "
                       "nothing is downloaded). Two runs give the same bytes.")
    f.add_argument("site_dir", nargs="?", default=".", help="site folder (default: current folder)")
    f.add_argument("--out", default=None, metavar="DIR", help="folder for the PDFs (default: SITE_DIR/pdf)")
    f.add_argument("--paper", choices=("a4", "letter"), default="a4", help="paper size (default: a4)")
    f.add_argument("--round", metavar="ID", help="print only this round (default: every round)")
    f.add_argument("--browser", metavar="PATH", help="the browser to print with (default: $SITEGEN_BROWSER, "
                   "else chromium, chromium-browser, google-chrome, google-chrome-stable or microsoft-edge "
                   "on PATH, else /usr/bin/chromium)")

    d = sub.add_parser("diff", help="print what changed in the records between two git revisions",
                       description="Compare the records at two git revisions (commits, branches, tags): "
                       "activities added and removed, status changes, and indicator values moved (each "
                       "at its revision's report date); as text, or JSON for pull-request comments and "
                       "other programs.")
    d.add_argument("rev1", metavar="REV1", help="the earlier revision (e.g. main, v1.0, HEAD~3)")
    d.add_argument("rev2", metavar="REV2", help="the later revision (e.g. HEAD)")
    d.add_argument("site_dir", nargs="?", default=".", help="site folder (default: current folder)")
    d.add_argument("--format", choices=("text", "json"), default="text",
                   help="output format: text (default) or json")

    i = sub.add_parser("init", help="create a new site folder with a minimal plan",
                       description="Create a new site folder with a minimal plan, a CI workflow and .gitignore.")
    i.add_argument("directory", help="folder to create (must be absent, empty, or hold only .git)")
    return p


def run() -> None:
    """The `sitegen` command: main(), then exit without tearing down the interpreter (freeing
    a large site's million objects one by one takes a noticeable part of a second)."""
    code = main(exiting=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's arguments. `new`'s SITE_DIR may also come after its options (argparse
    leaves an optional positional that follows two others and an option unrecognised)."""
    p = parser()
    args, extra = p.parse_known_args(argv)
    if (extra and args.command == "new" and args.site_dir is None and len(extra) == 1
            and not extra[0].startswith("-")):
        args.site_dir, extra = extra[0], []
    if extra:
        p.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _streams(machine: bool) -> None:
    """Write any character whatever the encoding of the terminal or pipe (a pipe on Windows
    is cp1252): `machine` output (JSON, GitHub annotations) on standard output in UTF-8, the
    rest with backslash escapes for what the encoding lacks, never a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:  # (replaced by a caller: left as it is)
            continue
        if machine and stream is sys.stdout:
            reconfigure(encoding="utf-8", errors="backslashreplace")
        elif stream.errors == "strict":
            reconfigure(errors="backslashreplace")


def _port(text: str) -> int:
    """A TCP port number, 0-65535 (argparse: anything else is a usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, not {value}")
    return value


def main(argv: list[str] | None = None, exiting: bool = False) -> int:
    """Run the command line `argv` (sys.argv's by default) and return its exit code
    (`exiting`: the process ends right after, see run)."""
    args = parse(argv)
    _streams(getattr(args, "format", "text") != "text")
    # A build makes millions of small objects and almost no reference cycles: collecting
    # every 700 allocations (the default) costs a quarter of the time spent reading records.
    gc.set_threshold(100_000, 50, 50)
    # `build` ends when done and collects none: at 10,000 activities the collector's passes
    # over the records a build loads took ~0.15 s of a 2.9 s build after one edit, while
    # what it would free is ~150,000 objects, most of them the last build's record of its
    # output, held in cycles by closures once the build returns (a cold build's peak
    # memory: 6-8 MB more, see docs/performance.md). Not `check`: when it kept every page it
    # rendered, its peak grew from 386 to 501 MB without the collector. (The preview,
    # which runs for hours, collects; so does a process that goes on after `main`, e.g. a
    # test, at the cost of one pass over what the command made; not one that ends: run.)
    collecting = gc.isenabled() and not exiting
    if args.command == "build":
        gc.disable()
    if getattr(args, "drafts", False):
        os.environ["SITEGEN_DRAFTS"] = "1"  # (read with site.yaml: the setting `drafts: true`, for this run)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "check":
            return _check(args)
        if args.command == "serve":
            from .serve import serve
            return serve(Path(args.site_dir), args.host, args.port, args.open)
        if args.command == "pdf":
            return _pdf(args)
        if args.command == "diff":
            return _diff(args)
        if args.command == "new":
            from .scaffold import new_activity
            return new_activity(_new_site(args.site_dir, args.site), args.title, args.area, args.start,
                                args.type, args.status)
        if args.command == "init":
            from .scaffold import init_site
            return init_site(Path(args.directory))
    except UsageError as exc:
        sys.stderr.write(f"sitegen: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("sitegen: interrupted\n")
        return 130
    finally:
        if collecting:
            gc.enable()
    return 2


def _new_site(positional: str | None, option: str | None) -> Path:
    """The site folder of `new`: SITE_DIR or --site (both only when they name one folder)."""
    if positional is not None and option is not None and \
            os.path.realpath(positional) != os.path.realpath(option):
        raise UsageError(f"two site folders given: {positional} and --site {option}; give one")
    return Path(positional or option or ".")


def _site_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise UsageError(f"no such site folder: {value}")
    if not (path / "site.yaml").exists() and not (path / "content").exists():
        # (a folder of a site, not the site: its content/ or deeper)
        above = next((p for p in path.resolve().parents if (p / "site.yaml").is_file() and (p / "content").is_dir()), None)
        if above is not None:
            raise UsageError(f"{value} is a folder inside the site {above} (the folder that holds site.yaml "
                             "and content/): run sitegen there, or give that folder")
        # (the folder above a site, or any other: a site holds site.yaml and content/)
        below = sorted(p.name for p in path.iterdir() if (p / "site.yaml").is_file() and (p / "content").is_dir())
        where = f"the site{'s' if len(below) > 1 else ''} below it: {', '.join(below)}" if below else \
            "`sitegen init DIR` makes one"
        raise UsageError(f"{value} is not a site folder: it holds no site.yaml and no content/ ({where})")
    return path


def _build(args: argparse.Namespace) -> int:
    from .build import build, progress_bar
    from .write import BuildFault

    site_dir = _site_dir(args.site_dir)
    out = Path(args.output) if args.output else None
    if args.file_links:
        os.environ["SITEGEN_FILE_LINKS"] = "1"  # (read with site.yaml: the setting `file_links: true`, for this run)
    try:
        result = build(site_dir, out, strict=args.strict, tick=progress_bar())
    except ContentError as exc:
        problems = exc.problems  # (with --strict, the warnings that stopped it are errors: see errors.strictly)
        sys.stderr.write(format_problems(problems, "text") + "\n")
        n = sum(1 for p in problems if p.severity == "error")
        sys.stderr.write(f"build failed: {counted(n, 'error')}; the previous output was left untouched\n")
        return 1
    except BuildFault as exc:
        sys.stderr.write(f"sitegen: error: {exc}\n")
        return 1
    except OSError as exc:  # disk full, read-only file system, permissions...
        sys.stderr.write(f"sitegen: error: {fault_text(exc)}; the build stopped and the previous "
                         "output was left as it was\n")
        return 1
    if result.warnings:
        sys.stderr.write(format_problems(list(result.warnings), "text") + "\n")
    fresh = f", {result.rendered} rendered" if 0 <= result.rendered < result.pages else ""
    records = f"{result.records} activit{'y' if result.records == 1 else 'ies'}"
    print(f"built {result.pages} pages ({result.files} files{fresh}) from {records} "
          f"in {result.seconds:.2f} s, {counted(len(result.warnings), 'warning')} -> {result.output}")
    return 0


def _pdf(args: argparse.Namespace) -> int:
    from .pdf import PrintFault, write_pdfs
    from .write import BuildFault

    site_dir = _site_dir(args.site_dir)
    out = Path(args.out) if args.out else site_dir / "pdf"
    try:
        written = write_pdfs(site_dir, out, args.paper, args.round, args.browser)
    except ContentError as exc:
        sys.stderr.write(format_problems(exc.problems, "text") + "\n")
        n = sum(1 for p in exc.problems if p.severity == "error")
        sys.stderr.write(f"pdf failed: {counted(n, 'error')} in the site\n")
        return 1
    except (BuildFault, PrintFault) as exc:
        sys.stderr.write(f"sitegen: error: {exc}\n")
        return 1
    except OSError as exc:
        sys.stderr.write(f"sitegen: error: {fault_text(exc)}\n")
        return 1
    for w in written:
        print(f"wrote {w.path} ({w.pages} pages)")
    local = next((w.online for w in written if urllib.parse.urlsplit(w.online).hostname in _LOCAL_HOSTS), "")
    if local:  # (the PDF leaves this machine: its link should not)
        sys.stderr.write(f"sitegen: warning: the PDFs' covers link to {local}, on this computer: set base_url "
                         "in site.yaml to the published site's address\n")
    return 0


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _diff(args: argparse.Namespace) -> int:
    from .changes import HistoryError, RevisionErrors, as_json, as_text, compare, uncommitted

    site_dir = _site_dir(args.site_dir)
    try:
        found = compare(site_dir, args.rev1, args.rev2)
    except HistoryError as exc:
        raise UsageError(str(exc)) from exc
    except RevisionErrors as exc:
        sys.stderr.write(format_problems(exc.problems, "text") + "\n")
        sys.stderr.write(f"diff failed: the records at {exc.rev} have {counted(len(exc.problems), 'error')}\n")
        return 1
    sys.stdout.write(as_json(found) if args.format == "json" else as_text(found))
    edited = uncommitted(site_dir, found)
    if edited:
        shown = ", ".join(edited[:3]) + (f" and {len(edited) - 3} more" if len(edited) > 3 else "")
        sys.stderr.write(f"sitegen: note: {counted(len(edited), 'uncommitted change')} to the records are not compared "
                         f"(the comparison reads commits; commit them to include them): {shown}\n")
    return 0


def fault_text(exc: OSError) -> str:
    """An operating fault in a few words: what went wrong, and on which file."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    reason = reason[:1].lower() + reason[1:]
    if exc.filename is not None:
        reason += f": {os.fsdecode(exc.filename)}"
    if exc.filename2 is not None:
        reason += f" -> {os.fsdecode(exc.filename2)}"
    return reason


def _check(args: argparse.Namespace) -> int:
    from .build import check

    site_dir = _site_dir(args.site_dir)
    site, problems = check(site_dir, strict=args.strict)
    errors = [p for p in problems if p.severity == "error"]
    if problems:
        out = format_problems(problems, args.format)
        (sys.stdout if args.format != "text" else sys.stderr).write(out + "\n")
    elif args.format == "json":
        sys.stdout.write("[]\n")
    if args.format == "text":
        sys.stderr.write(f"{counted(len(errors), 'error')}, {counted(len(problems) - len(errors), 'warning')}\n")
        if site is not None and site.drafts:
            held = "published (--drafts)" if site.config.drafts else "not published; --drafts publishes them"
            sys.stderr.write(f"{counted(len(site.drafts), 'draft')} ({held}): {', '.join(site.drafts)}\n")
    return 1 if errors or site is None else 0
