"""The split `mpp` command: every command is in mpp.cli.COMMANDS under the module that adds it, a
command run alone builds the same parser (help, options) as in the full parser, and `mpp issue`
imports no other command module, no Qt and no optional library."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

import pytest

from mpp import cli


def _choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]


def _who_adds_what() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in cli.PLUGINS:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).add_commands(sub)
        out.update(dict.fromkeys(sub.choices, name))
    return out


def test_commands_table_names_every_command_and_its_module():
    assert cli.COMMANDS == _who_adds_what()
    assert list(_choices(cli.build_parser())) == list(_who_adds_what())  # help order kept


def _help_tree(parser: argparse.ArgumentParser) -> list[str]:
    out = [parser.format_help()]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                out += _help_tree(child)
    return out


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_one_command_alone_has_the_parser_it_has_in_the_full_parser(command):
    full = _choices(cli.build_parser())[command]
    alone_parser = cli.build_parser(["--json", "--db", "sqlite:///x", command, "--help"])
    assert list(_choices(alone_parser)) == [command]
    assert _help_tree(_choices(alone_parser)[command]) == _help_tree(full)


@pytest.mark.parametrize("argv, chosen", [
    (["issue", "ktp"], "issue"), (["--db", "issue", "status"], "status"), (["--db=x", "-v", "call", "7"], "call"),
    (["--help"], None), ([], None), (["--conf", "x", "issue"], None), (["nope"], None), (["--", "issue"], None),
])
def test_chosen_command(argv, chosen):
    assert cli.chosen_command(argv) == chosen


def test_unknown_command_still_lists_every_command(capsys):
    assert cli.main(["nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice: 'nope'" in err and "kiosk-pin" in err


def test_mpp_issue_imports_only_what_it_needs(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'q.db'}"
    assert cli.main(["--db", url, "db", "upgrade"]) == 0
    script = ("import sys, json; from mpp.cli import main; code = main(sys.argv[1:]); "
              "print(json.dumps([code, sorted(sys.modules)]))")
    r = subprocess.run([sys.executable, "-c", script, "--db", url, "issue", "nope"], capture_output=True, text=True,
                       timeout=120)
    code, loaded = json.loads(r.stdout.strip().splitlines()[-1])
    assert code == 2 and "nope" in r.stderr  # an unknown service: the hall and the store were loaded
    assert "mpp.cli_queue" in loaded and "antrian.config" in loaded
    assert not set(loaded) & (set(cli.PLUGINS) - {"mpp.cli_queue"})
    heavy = {"PySide6", "escpos", "alembic", "reportlab", "openpyxl", "qrcode", "PIL", "fastapi", "pyttsx3"}
    assert not [m for m in loaded if m.split(".")[0] in heavy]
