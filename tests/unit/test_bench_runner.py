"""The bench runner's command line and its report rows (no benchmark is run here)."""

from __future__ import annotations

from bench.__main__ import Report, main


def test_help_prints_usage_and_exits_0(capsys):
    for flag in ("--help", "-h"):
        assert main([flag]) == 0
        out = capsys.readouterr()
        assert out.out.startswith("usage: python -m bench") and "process" in out.out and "windows" in out.out
        assert "unknown" not in out.err


def test_unknown_suite_is_one_line_and_exit_2(capsys):
    assert main(["nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown suite 'nope'" in err


def test_rows_keep_the_positional_form_and_take_floor_and_ratio(capsys):
    r = Report()
    r("plain", 1.5, "ms", "target <= 2 ms")
    r("with floor", 3.0, "ms", "target", floor=0.5)
    r("explicit ratio", 4.0, "ms", floor=2.0, ratio=3.0)
    assert r.rows[0] == {"name": "plain", "value": 1.5, "unit": "ms", "target": "target <= 2 ms"}
    assert r.rows[1]["floor"] == 0.5 and r.rows[1]["ratio"] == 6.0
    assert r.rows[2]["ratio"] == 3.0
    lines = capsys.readouterr().out.splitlines()
    assert "floor" not in lines[0] and "floor 0.50" in lines[1] and "ratio 6.0x" in lines[1]
