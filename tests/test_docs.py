"""The README documents every command and option, and every documented option exists."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from sitegen.cli import parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_and_option_is_in_the_readme() -> None:
    for name, sub in _subcommands().items():
        assert f"sitegen {name}" in README, name
        assert sub.description, f"{name} has no description"
        for action in sub._actions:
            if action.help == argparse.SUPPRESS or not action.option_strings:
                continue
            assert action.help, f"{name} {action.option_strings} has no help"
            longest = max(action.option_strings, key=len)
            if longest != "--help":
                assert longest in README or min(action.option_strings, key=len) in README, (name, longest)


def test_every_option_in_the_readme_exists() -> None:
    known = {opt for sub in _subcommands().values() for a in sub._actions for opt in a.option_strings}
    table = README[README.index("## Commands and options"):README.index("## The site folder")]
    for cmd, args in re.findall(r"`sitegen (\w+)([^`]*)`", table):
        assert cmd in _subcommands(), cmd
        for opt in re.findall(r"(--?[a-z][a-z-]*)", args):
            assert opt in known, f"README mentions {opt} for sitegen {cmd}"


def test_help_works_for_every_command() -> None:
    for name in _subcommands():
        run = subprocess.run([sys.executable, "-m", "sitegen", name, "--help"], capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 0 and "usage: sitegen" in run.stdout, name
