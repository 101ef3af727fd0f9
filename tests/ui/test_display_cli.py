"""``mpp display`` and ``mpp announce``: arguments, errors, the voice wiring, and one run of the
real display process following calls made by other ``mpp`` processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.voice.helpers import speech_missing

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for var in ("MPP_STATION", "MPP_CONFIG", "MPP_DB_URL", "MPP_ANNOUNCE_LOG"):
        monkeypatch.delenv(var, raising=False)


def run_mpp(*argv):
    from mpp.cli import main

    return main(list(argv))


def test_display_cli_imports_no_qt():
    code = "import sys, mpp.cli_display; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "argv,message",
    [
        (["announce", "Z-001", "--counter", "7"], "no agency uses the letter 'Z'"),
        (["announce", "K-012", "--counter", "99"], "unknown counter '99'"),
        (["announce", "hello", "--counter", "7"], "'hello' is not a ticket number"),
        (["announce", "K-012"], "--counter"),
        (["announce", "K-012", "--counter", "7", "--wav", "/no/such/folder/x.wav"], "does not exist"),
        (["announce", "K-012", "--counter", "7", "--lang", "fr"], "invalid choice"),
        (["display", "--zone", "nope,17"], "unknown agency or counter 'nope'"),
        (["display", "--zone", ","], "--zone needs agency codes or loket numbers"),
        (["display", "--screen", "99"], "screen 99 must be between 0 and 16"),
    ],
)
def test_bad_arguments_say_what_is_wrong(capsys, argv, message):
    assert run_mpp(*argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("mpp: ") and len(err.strip().splitlines()) == 1


def test_announcer_wiring_log_path_from_env(monkeypatch, tmp_path):
    from display.speech import build_announcer
    from display.voice.players import RecordingPlayer
    from antrian.config import VoiceSettings

    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("MPP_ANNOUNCE_LOG", str(log))
    a = build_announcer(VoiceSettings(), player=RecordingPlayer(), cache_dir=tmp_path / "cache", warm_up=False)
    try:
        assert a.log.path == log and a.renderer is not None
    finally:
        a.stop(drain=False, timeout=2)
    silent = build_announcer(VoiceSettings(), enabled=False, player=RecordingPlayer(), warm_up=False)
    try:
        assert silent.renderer is None and silent.log.path == log
    finally:
        silent.stop(drain=False, timeout=2)


def test_choose_player_without_audio_output_is_null(monkeypatch, caplog, qapp):
    import display.voice.qt_player as qt_player
    from display.speech import choose_player
    from display.voice.players import NullPlayer

    monkeypatch.setattr(qt_player, "audio_outputs", lambda: [])
    with caplog.at_level("WARNING"):
        assert isinstance(choose_player(), NullPlayer)
    assert sum("no audio output" in r.message for r in caplog.records) == 1


@pytest.mark.voice
def test_announce_to_wav_with_real_speech(capsys, tmp_path):
    why = speech_missing()
    if why:
        pytest.skip(f"real speech not available: {why}")
    from display.voice.audio import wav_duration

    wav = tmp_path / "k012.wav"
    assert run_mpp("announce", "K-012", "--counter", "17", "--wav", str(wav)) == 0
    out = capsys.readouterr().out.strip()
    seconds = wav_duration(wav)
    assert out == f"{wav} ({seconds:.2f} s)"
    assert 3.0 < seconds < 20.0  # chime + "Nomor antrean, K, dua belas. Silakan menuju loket ..."
    wav2 = tmp_path / "k12-en.wav"
    assert run_mpp("--json", "announce", "k12", "--counter", "7", "--lang", "en", "--recall", "--wav", str(wav2)) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["number"] == "K-012" and data["wav"] == str(wav2) and not data["played"]
    assert data["text"] == "Calling again. Queue number, K, twelve. Please proceed to counter seven, A T R B P N."


# ------------------------------------------------------------------------------ real processes

HALL_TOML = """
[hall]
name = "MPP Uji"
city = "Kota Uji"

[defaults]
service_minutes = 10
target_wait_minutes = 30

[defaults.hours]
mon = ["00:00-23:59"]
tue = ["00:00-23:59"]
wed = ["00:00-23:59"]
thu = ["00:00-23:59"]
fri = ["00:00-23:59"]
sat = ["00:00-23:59"]
sun = ["00:00-23:59"]

[[agency]]
code = "dukcapil"
name = "Disdukcapil"
prefix = "K"
colour = "#1565c0"
counters = [7, 8]

[[agency.service]]
code = "ktp"
name = "KTP-el"
"""


def _wait_for_log(path: Path, n: int, timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    entries: list[dict] = []
    while time.monotonic() < deadline:
        if path.exists():
            entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            if len(entries) >= n:
                return entries
        time.sleep(0.1)
    return entries


@pytest.mark.e2e
@pytest.mark.parametrize("voice", [False, pytest.param(True, marks=[pytest.mark.voice, pytest.mark.slow])])
def test_mpp_display_follows_calls_from_other_processes(tmp_path, voice, monkeypatch):
    if voice and speech_missing():
        pytest.skip(f"real speech not available: {speech_missing()}")
    hall = tmp_path / "hall.toml"
    hall.write_text(HALL_TOML)
    log = tmp_path / "announce.jsonl"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MPP_DATA_DIR": str(tmp_path / "data"),
           "MPP_ANNOUNCE_LOG": str(log), "PYTHONPATH": str(ROOT)}
    base = [sys.executable, "-m", "mpp.cli", "--db", f"sqlite:///{tmp_path / 'mpp.sqlite3'}", "--config", str(hall)]

    def mpp(*argv):
        # the commands run in this (the test's) process: another process than the display's, and
        # no interpreter start per command
        return run_mpp(*base[3:], *argv)

    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    # counter commands need a login (issue 10, 11): the first admin needs none, then MPP_USER/MPP_PIN
    assert mpp("user", "add", "kepala", "--name", "Kepala", "--role", "admin", "--pin", "135790") == 0
    monkeypatch.setenv("MPP_USER", "kepala")
    monkeypatch.setenv("MPP_PIN", "135790")
    env.update(MPP_USER="kepala", MPP_PIN="135790")
    assert mpp("issue", "ktp") == 0
    assert mpp("call", "7") == 0  # before the display starts: shown, not announced
    display_argv = [*base, "display", "--windowed", "--lang", "id", "--verbose"] + ([] if voice else ["--no-voice"])
    proc = subprocess.Popen(display_argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    err_lines: list[str] = []
    rebuilt = threading.Event()

    def read_stderr():
        for line in proc.stderr:
            err_lines.append(line)
            if "display: rebuilt from" in line:
                rebuilt.set()  # the start snapshot is taken: later calls come through the feed

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert rebuilt.wait(60) and proc.poll() is None, "".join(err_lines)
        for _ in range(2):
            assert mpp("issue", "ktp") == 0
        assert mpp("call", "8") == 0
        assert mpp("recall", "8") == 0
        entries = _wait_for_log(log, 2, 60 if voice else 15)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover - reported by the assert below
            proc.kill()
            proc.wait()
        reader.join(5)
    err = "".join(err_lines)
    assert proc.returncode == 0, err
    assert [(e["number"], e["counter"]) for e in entries] == [("K-002", 8), ("K-002", 8)]
    assert entries[0]["text"] == "Nomor antrean, K, dua. Silakan menuju loket delapan, Disdukcapil."
    assert entries[1]["text"].startswith("Panggilan ulang. Nomor antrean, K, dua.")
    if voice:
        assert all(e["status"] in ("played", "silent") and e["wav"] for e in entries), entries
    else:
        assert all(e["status"] == "silent" for e in entries)
