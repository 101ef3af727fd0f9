"""Announcer: order, no overlap, never blocking, degrading to silence with one log line."""

from __future__ import annotations

import json
import logging
import threading

import pytest

from display.voice.announcer import (
    Announcement,
    AnnouncementLog,
    Announcer,
    AudioUnavailable,
    LogEntry,
    NullPlayer,
    RecordingPlayer,
)
from display.voice.audio import wav_duration
from display.voice.tts import SpeechError, SpeechUnavailable
from tests.voice.helpers import CHIME, FakeRenderer

LOGGER = "display.voice.announcer"


def call(i: int, **kw) -> Announcement:
    base = dict(
        event_id=i,
        number=f"K-{i:03d}",
        prefix="K",
        seq=i,
        counter_number=7,
        spoken_agency="Disdukcapil",
    )
    base.update(kw)
    return Announcement(**base)


def warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno >= logging.WARNING]


@pytest.fixture
def make(tmp_path):
    made = []

    def _make(renderer=None, player=None, **kw) -> Announcer:
        a = Announcer(
            renderer if renderer is not None else FakeRenderer(tmp_path / "cache"),
            player if player is not None else RecordingPlayer(seconds=0.02),
            work_dir=tmp_path / "calls",
            chime_path=kw.pop("chime_path", CHIME),
            **kw,
        )
        made.append(a)
        return a

    yield _make
    for a in made:
        a.stop(drain=False, timeout=5)


def test_burst_from_several_threads_is_played_in_submit_order_without_overlap(make):
    player = RecordingPlayer(seconds=0.03)
    ann = make(player=player)
    order: list[int] = []
    order_lock = threading.Lock()
    start = threading.Barrier(5)

    def officer(ids):
        start.wait()
        for i in ids:
            with order_lock:  # the order in which submit() was called
                order.append(i)
                assert ann.submit(call(i)) is True

    threads = [threading.Thread(target=officer, args=([k, k + 5],)) for k in range(1, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ann.wait_idle(10)

    entries = ann.log.entries()
    assert [e.event_id for e in entries] == order
    assert all(e.status == "played" for e in entries)
    assert len(player.plays) == 10
    assert player.max_concurrent == 1
    plays = player.plays  # recorded in play order
    for a, b in zip(plays, plays[1:]):
        assert a.end <= b.start, "two announcements overlapped"
    # each play is the WAV made for that call, in the same order
    assert [str(p.path) for p in plays] == [e.wav for e in entries]
    assert all("call-" in e.wav for e in entries)


def test_submit_never_blocks_even_while_playing(make):
    gate = threading.Event()

    class SlowPlayer:
        def play(self, path):
            gate.wait(10)

    ann = make(player=SlowPlayer())
    for i in range(20):
        ann.submit(call(i))
    assert not gate.is_set()  # all 20 were taken while the player was still held
    assert ann.pending == 20
    gate.set()
    assert ann.wait_idle(10)
    assert ann.pending == 0


def test_chime_comes_first_and_repeat_and_volume_apply(make, fake_renderer):
    player = RecordingPlayer()
    ann = make(renderer=fake_renderer, player=player, repeat=2)
    ann.submit(call(1))
    assert ann.wait_idle(5)
    voice = fake_renderer.cache_dir.glob("*.wav").__next__()
    expected = wav_duration(CHIME) + 0.3 + 2 * wav_duration(voice) + 1.0 + 0.25
    assert wav_duration(player.plays[0].path) == pytest.approx(expected, abs=0.001)
    assert fake_renderer.calls == [("Nomor antrean, K, satu. Silakan menuju loket tujuh, Disdukcapil.", "id")]


def test_phrase_language_and_recall_come_from_the_announcement(make, fake_renderer):
    ann = make(renderer=fake_renderer)
    ann.submit(call(12, lang="en", recall=True))
    assert ann.wait_idle(5)
    assert fake_renderer.calls[0] == (
        "Calling again. Queue number, K, twelve. Please proceed to counter seven, Disdukcapil.",
        "en",
    )
    e = ann.log.entries()[0]
    assert e.text == fake_renderer.calls[0][0]
    assert e.number == "K-012" and e.counter == 7


def test_failing_renderer_logs_once_and_keeps_going(make, tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    player = RecordingPlayer()
    bad = FakeRenderer(tmp_path / "c", fail_with=SpeechError("speech failed twice: hung"))
    ann = make(renderer=bad, player=player)
    for i in range(4):
        ann.submit(call(i))
    assert ann.wait_idle(5)
    entries = ann.log.entries()
    assert [e.status for e in entries] == ["failed"] * 4
    assert all("hung" in e.error for e in entries)
    assert len(warnings(caplog)) == 1
    # the hall still hears the bell, so people look at the screen
    assert [p.path for p in player.plays] == [CHIME] * 4

    # speech comes back: logged once as recovered, calls are "played" again
    bad.fail_with = None
    ann.submit(call(9))
    assert ann.wait_idle(5)
    assert ann.log.entries()[-1].status == "played"
    assert any("works again" in r.getMessage() for r in caplog.records)


def test_speech_unavailable_is_silent(make, tmp_path, caplog):
    none = FakeRenderer(tmp_path / "c", fail_with=SpeechUnavailable("pyttsx3 is not installed"))
    ann = make(renderer=none)
    for i in range(3):
        ann.submit(call(i))
    assert ann.wait_idle(5)
    assert [e.status for e in ann.log.entries()] == ["silent"] * 3
    assert len(warnings(caplog)) == 1


def test_no_audio_device_is_silent_and_logged_once(make, caplog):
    ann = make(player=RecordingPlayer(fail_with=AudioUnavailable("no audio output device")))
    for i in range(3):
        ann.submit(call(i))
    assert ann.wait_idle(5)
    entries = ann.log.entries()
    assert [e.status for e in entries] == ["silent"] * 3
    assert all(e.rendered_at and e.played_at is None for e in entries)
    assert len(warnings(caplog)) == 1


def test_unexpected_errors_never_reach_the_caller(make, caplog):
    def broken_phrase(*a, **k):
        raise RuntimeError("boom")

    ann = make(phrase=broken_phrase)
    ann.submit(call(1))
    ann.submit(call(2))
    assert ann.wait_idle(5)
    assert [e.status for e in ann.log.entries()] == ["failed", "failed"]
    assert len(warnings(caplog)) == 1


def test_a_broken_chime_falls_back_to_voice_only(make, tmp_path, caplog):
    bad_chime = tmp_path / "chime.wav"
    bad_chime.write_bytes(b"not a wav at all")
    player = RecordingPlayer()
    ann = make(player=player, chime_path=bad_chime)
    ann.submit(call(1))
    ann.submit(call(2))
    assert ann.wait_idle(5)
    assert [e.status for e in ann.log.entries()] == ["played", "played"]
    assert wav_duration(player.plays[0].path) < 1.0  # voice (0.1 s) + tail, no chime
    assert len(warnings(caplog)) == 1


def test_speech_switched_off(tmp_path):
    player = RecordingPlayer()
    ann = Announcer(None, player, chime_path=CHIME, work_dir=tmp_path)
    ann.submit(call(1))
    assert ann.wait_idle(5)
    assert ann.log.entries()[0].status == "silent"
    assert player.plays == []
    ann.stop()


def test_log_file_gets_one_json_line_per_call(make, tmp_path):
    path = tmp_path / "log" / "announcements.jsonl"
    ann = make(log=AnnouncementLog(path))
    ann.submit(call(1))
    ann.submit(call(2, recall=True))
    assert ann.wait_idle(5)
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [x["event_id"] for x in lines] == [1, 2]
    assert set(lines[0]) >= {"event_id", "number", "counter", "text", "wav", "rendered_at", "played_at", "status"}
    assert lines[1]["text"].startswith("Panggilan ulang.")
    assert AnnouncementLog.read(path) == ann.log.entries()
    assert isinstance(ann.log.entries()[0], LogEntry)


def test_on_done_errors_do_not_stop_the_worker(make):
    seen = []

    def on_done(entry):
        seen.append(entry.event_id)
        raise ValueError("listener bug")

    ann = make(on_done=on_done)
    ann.submit(call(1))
    ann.submit(call(2))
    assert ann.wait_idle(5)
    assert seen == [1, 2]


def test_stop_drains_then_refuses(make, tmp_path):
    r = FakeRenderer(tmp_path / "c")
    ann = make(renderer=r, player=RecordingPlayer(seconds=0.05), owns_renderer=True)
    for i in range(5):
        ann.submit(call(i))
    assert ann.stop(drain=True, timeout=10)
    assert len(ann.log) == 5
    assert r.closed
    assert ann.submit(call(99)) is False


def test_stop_without_drain_drops_the_queue_and_cuts_playback(make):
    started = threading.Event()

    class LongPlayer(NullPlayer):
        def play(self, path):
            started.set()
            super().play(path)

    player = LongPlayer(speed=1000.0)  # each call would last about half an hour
    ann = make(player=player)
    for i in range(5):
        ann.submit(call(i))
    assert started.wait(10)  # the first call is playing
    assert ann.stop(drain=False, timeout=20)  # only true if the playback was cut
    assert len(ann.log) <= 1
    assert ann.pending == 0


def test_null_player_takes_as_long_as_the_wav(tmp_path):
    class Waits:
        """Stands in for the player's stop event: records how long it was asked to wait."""

        def __init__(self):
            self.waited: list[float] = []

        def clear(self):
            pass

        def wait(self, seconds):
            self.waited.append(seconds)
            return False

    p = NullPlayer(speed=1.5)
    p._cut = Waits()
    p.play(CHIME)
    assert p._cut.waited == [pytest.approx(wav_duration(CHIME) * 1.5)]


def test_from_settings(tmp_path):
    from antrian.config import VoiceSettings

    s = VoiceSettings(repeat=2, volume=0.5, rate=170, chime=True)
    ann = Announcer.from_settings(s, RecordingPlayer(), cache_dir=tmp_path / "vc", log_path=tmp_path / "a.jsonl")
    try:
        assert ann.renderer.rate == 170 and ann.renderer.volume == 1.0
        assert ann.repeat == 2 and ann.volume == 0.5
        assert ann.chime_path is not None and ann.chime_path.name == "chime.wav"
        assert ann.renderer.worker_pid is None  # nothing started yet
    finally:
        ann.stop()
    off = Announcer.from_settings(VoiceSettings(enabled=False, chime=False), RecordingPlayer())
    assert off.renderer is None and off.chime_path is None
    off.stop()


@pytest.mark.voice
def test_real_speech_burst(tmp_path, need_speech):
    from display.voice.tts import SpeechRenderer

    player = RecordingPlayer(seconds=0.0)
    ann = Announcer(
        SpeechRenderer(tmp_path / "vc"), player, chime_path=CHIME, work_dir=tmp_path / "calls",
        owns_renderer=True,
    )
    try:
        for i in range(10):
            ann.submit(call(i + 1, counter_number=i % 3 + 1))
        assert ann.wait_idle(30)
        entries = ann.log.entries()
        assert [e.event_id for e in entries] == list(range(1, 11))
        assert all(e.status == "played" for e in entries)
        for e in entries:
            assert 3.0 < wav_duration(e.wav) < 14.0
    finally:
        assert ann.stop()
