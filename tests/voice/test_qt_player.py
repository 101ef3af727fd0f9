"""QtPlayer: plays on the GUI thread for a worker thread, waits for the end, fails clearly."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time

import pytest

pytest.importorskip("PySide6.QtMultimedia", reason="QtMultimedia (PySide6-Addons) is not installed")

from display.voice import qt_player  # noqa: E402
from display.voice.announcer import Announcer  # noqa: E402
from display.voice.audio import wav_duration  # noqa: E402
from display.voice.players import AudioUnavailable  # noqa: E402
from tests.voice.helpers import CHIME, FakeRenderer, make_tone  # noqa: E402

pytestmark = pytest.mark.ui


@pytest.fixture
def need_output(qapp):
    outs = qt_player.audio_outputs()
    if not outs:
        pytest.skip(
            "no audio output (start one with: pulseaudio --daemonize "
            '--load="module-null-sink sink_name=virt")'
        )
    return outs


def play_in_thread(player, path):
    result = {}

    def run():
        t0 = time.monotonic()
        try:
            player.play(path)
            result["seconds"] = time.monotonic() - t0
        except Exception as e:  # noqa: BLE001
            result["error"] = e

    th = threading.Thread(target=run)
    th.start()
    return th, result


def test_worker_thread_play_waits_for_the_end(qtbot, need_output):
    player = qt_player.QtPlayer()
    th, result = play_in_thread(player, CHIME)
    qtbot.waitUntil(lambda: not th.is_alive(), timeout=10_000)
    assert "error" not in result, result
    assert result["seconds"] >= wav_duration(CHIME) - 0.05  # no upper bound: a loaded machine is slower


@pytest.mark.slow
def test_same_file_twice_plays_twice(qtbot, need_output):
    player = qt_player.QtPlayer()
    for _ in range(2):
        th, result = play_in_thread(player, CHIME)
        qtbot.waitUntil(lambda: not th.is_alive(), timeout=10_000)
        assert result["seconds"] >= wav_duration(CHIME) - 0.05


def test_play_on_the_gui_thread_runs_a_local_loop(qapp, need_output):
    player = qt_player.QtPlayer()
    t0 = time.monotonic()
    player.play(CHIME)
    assert time.monotonic() - t0 >= wav_duration(CHIME) - 0.05


def test_no_audio_device_raises_audio_unavailable(qtbot, monkeypatch):
    class NoDevices:
        @staticmethod
        def audioOutputs():
            return []

    monkeypatch.setattr(qt_player, "QMediaDevices", NoDevices)
    player = qt_player.QtPlayer()
    th, result = play_in_thread(player, CHIME)
    qtbot.waitUntil(lambda: not th.is_alive(), timeout=5_000)
    assert isinstance(result.get("error"), AudioUnavailable)
    assert "no audio output" in str(result["error"])


def test_gives_up_when_the_gui_event_loop_is_blocked(qapp):
    player = qt_player.QtPlayer(slack=0.3)
    th, result = play_in_thread(player, CHIME)
    th.join(10)  # the GUI thread does not process events meanwhile
    assert not th.is_alive()  # it gave up by itself (after the clip's length plus the slack)
    assert isinstance(result.get("error"), AudioUnavailable)
    assert "event loop" in str(result["error"])
    qapp.processEvents()  # the late request finds no job and does nothing


@pytest.mark.slow
def test_announcer_with_qt_player_plays_in_order(qtbot, need_output, tmp_path):
    player = qt_player.QtPlayer()
    ann = Announcer(FakeRenderer(tmp_path / "c", seconds=0.2), player, chime_path=CHIME, work_dir=tmp_path / "w")
    from display.voice.announcer import Announcement

    for i in range(2):
        ann.submit(Announcement(i, f"K-{i:03d}", "K", i, 1, "Disdukcapil"))
    qtbot.waitUntil(lambda: ann.pending == 0, timeout=20_000)
    entries = ann.log.entries()
    assert [e.event_id for e in entries] == [0, 1]
    assert [e.status for e in entries] == ["played"] * 2
    assert entries[0].played_at < entries[1].played_at
    assert ann.stop()


@pytest.mark.skipif(not shutil.which("parecord"), reason="parecord (pulseaudio-utils) is not installed")
def test_sound_really_comes_out(qtbot, need_output, tmp_path):
    """Record the default sink's monitor while QtPlayer plays: the chime must be in it."""
    info = subprocess.run(["pactl", "get-default-sink"], capture_output=True, text=True)
    if info.returncode != 0 or not info.stdout.strip():
        pytest.skip("no PulseAudio default sink")
    rec = tmp_path / "rec.wav"
    proc = subprocess.Popen(
        ["parecord", "--device", info.stdout.strip() + ".monitor", "--file-format=wav",
         "--channels=1", "--rate=22050", str(rec)],
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(0.3)
        player = qt_player.QtPlayer()
        th, result = play_in_thread(player, CHIME)
        qtbot.waitUntil(lambda: not th.is_alive(), timeout=10_000)
        time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(5)
    from display.voice.audio import peak, read_pcm16

    samples, _ = read_pcm16(rec)
    assert peak(samples) > 0.2, "nothing audible reached the sink"


@pytest.mark.slow
def test_a_play_costs_only_a_few_none_references(qtbot, need_output, monkeypatch, tmp_path):
    """Regression guard for the PySide6 6.12 / Python 3.11 refcount bug: waiting must not be a
    processEvents() busy loop (that cost ~300,000 references to None per second of audio)."""
    import gc
    import sys

    player = qt_player.QtPlayer()
    gc.collect()
    before = sys.getrefcount(None)
    tone = make_tone(tmp_path / "tone.wav", 0.3)
    player.play(tone)  # GUI-thread path: local event loop
    th, result = play_in_thread(player, tone)  # worker path
    while th.is_alive():
        qtbot.wait(100)
    assert "error" not in result
    gc.collect()
    # the bug loses ~300,000 per second of audio (here 0.6 s: ~180,000); freeing a few objects
    # that held None (other threads, Qt's own) moves the count by hundreds, seen up to 721
    assert before - sys.getrefcount(None) < 20_000
