"""`newscorpus` command line: one subcommand per module, imported only when used.

Lazy imports keep `newscorpus validate` fast: the validate path never imports datasets,
pyarrow or pandas. Each command module exposes `configure(parser)` and `run(args) -> int`.
Exit codes everywhere: 0 success, 1 the data is invalid (or a check failed), 2 usage or
environment error; 130 interrupted (Ctrl-C), 143 terminated (SIGTERM: a cancelled CI job, a
stopped container), both after the command has cleaned up what it was writing; 141 when
whoever read the output closed it early (`| head`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys

from newscorpus import __version__

# name -> (module, one-line help). The module owns its options and its behaviour; a module that
# serves several commands is named "module:command" and has configure_<command>/run_<command>.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("newscorpus.validate", "check raw files, metadata and annotations; report every problem with its rule code"),
    "fmt": ("newscorpus.fmt", "rewrite annotation, metadata, registry and split-policy files in canonical layout (--check only reports)"),
    "build": ("newscorpus.build", "validate, then write the Parquet dataset folder that datasets.load_dataset reads"),
    "agreement": ("newscorpus.agreement", "compare two annotation passes: span F1, attribute agreement, kappa"),
    "pin": ("newscorpus.pin", "after a release: pin every document of the built dataset to its split in annotated/splits.json (--check only reports)"),
    "new": ("newscorpus.scaffold:new", "write the metadata and annotation skeletons of a new raw file: hashes, sizes, zones; nothing guessed"),
    "span": ("newscorpus.scaffold:span", "find a text in a raw file and print its span (code-point offsets) as one canonical JSON line"),
    "entity": ("newscorpus.scaffold:entity", "search the entity registry (ids, names, aliases; case and accents ignored); --add adds an entry, --alias-of ID adds a spelling to one"),
}

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports when the reader of the output went away
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it unwinds as on Ctrl-C: a build removes
    its half-written folder instead of leaving it for the next build to find."""


def _on_sigterm(signum, frame) -> None:
    raise Terminated()


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM raises Terminated while a command runs, if SIGTERM has its default action: one
    ignored by whoever started us stays ignored, as Python leaves an ignored SIGINT alone."""
    installed = False
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_sigterm)
            installed = True
    except (ValueError, OSError):  # not the main thread (an embedding program): leave signals alone
        pass
    try:
        yield
    finally:
        if installed:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def _tolerant_output():
    """A character the console's encoding lacks (a path or an arrow in a summary, on a cp1252
    console, or with an ASCII locale and UTF-8 mode off) is written escaped rather than failing
    a command that has done its work. The streams' error handling is restored afterwards."""
    restore = []
    for stream in (sys.stdout, sys.stderr):
        reconfigure, errors = getattr(stream, "reconfigure", None), getattr(stream, "errors", None)
        if reconfigure is not None and errors is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")
                restore.append((reconfigure, errors))
    try:
        yield
    finally:
        for reconfigure, errors in restore:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors=errors)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newscorpus",
        description="Validate, format, compare and publish the newscorpus annotated news corpus.",
        epilog="Run `newscorpus COMMAND --help` for a command's options. Exit codes: 0 ok, 1 invalid data, 2 usage or environment error, "
               "130 interrupted, 143 terminated (SIGTERM), 141 output closed early.",
    )
    parser.add_argument("--version", action="version", version=f"newscorpus {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, description=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if not argv or argv[0] in {"-h", "--help", "--version"} or argv[0] not in COMMANDS:
        if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
            parser.print_usage(sys.stderr)
            print(f"newscorpus: error: unknown command {argv[0]!r} (choose from {', '.join(COMMANDS)})", file=sys.stderr)
            return EXIT_USAGE
        try:
            parser.parse_args(argv)
        except SystemExit as stop:
            return int(stop.code or 0)
        parser.print_help()
        return EXIT_USAGE
    name, rest = argv[0], argv[1:]
    module_name, help_text = COMMANDS[name]
    module_name, _, part = module_name.partition(":")
    module = importlib.import_module(module_name)
    configure, run = (getattr(module, f"configure_{part}"), getattr(module, f"run_{part}")) if part else (module.configure, module.run)
    sub = argparse.ArgumentParser(prog=f"newscorpus {name}", description=help_text)
    configure(sub)
    try:
        args = sub.parse_args(rest)
    except SystemExit as stop:
        return int(stop.code or 0) if stop.code in (0, None) else EXIT_USAGE
    try:
        with _tolerant_output(), _sigterm_as_interrupt():
            code = int(run(args))
            sys.stdout.flush()  # a reader that went away shows here, not in a traceback at exit
        return code
    except KeyboardInterrupt as stop:
        terminated = isinstance(stop, Terminated)
        print(f"newscorpus: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    except BrokenPipeError:  # `newscorpus validate | head`: stop quietly, as other tools do
        _discard_stdout()
        return EXIT_BROKEN_PIPE


def _discard_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (captured in a test)
        pass


if __name__ == "__main__":
    sys.exit(main())
