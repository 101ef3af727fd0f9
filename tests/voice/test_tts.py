"""SpeechRenderer: the worker process, its restart on hang/death, the cache, real espeak-ng."""

from __future__ import annotations

import functools
import os
import threading
import wave

import pytest

from display.voice.audio import build_announcement, wav_duration
from display.voice.phrases import build_phrase
from display.voice.tts import SpeechError, SpeechRenderer, SpeechUnavailable, choose_voice
from tests.voice import workers
from tests.voice.helpers import CHIME

STANDARD = "Nomor antrean, K, dua belas. Silakan menuju loket tujuh, Disdukcapil."


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); treat as gone
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False


# -- voice choice (pure) --------------------------------------------------------------------------


def test_choose_voice_prefers_the_espeak_ids():
    voices = [("gmw/en-us", ["en-us"]), ("gmw/en", ["en-gb"]), ("poz/id", ["id"]), ("poz/ms", ["ms"])]
    assert choose_voice(voices, "id") == "poz/id"
    assert choose_voice(voices, "en") == "gmw/en"
    assert choose_voice([("gmw/en-us", ["en-us"])], "en") == "gmw/en-us"
    assert choose_voice([("HKEY\\Tokens\\Indonesian", ["id"])], "id") == "HKEY\\Tokens\\Indonesian"
    assert choose_voice(voices, "jv") is None


# -- worker lifecycle with stand-in workers (no espeak needed) ------------------------------------


def test_a_hung_worker_is_killed_and_restarted_within_the_timeout(tmp_path):
    target = functools.partial(workers.hang_on_first_job, str(tmp_path / "hung-once"), False)
    with SpeechRenderer(tmp_path / "c", timeout=2.0, worker_target=target) as r:
        r.start()
        hung_pid = r.worker_pid
        path = r.render("halo", "id")
        assert wav_duration(path) == pytest.approx(0.5, abs=0.01)
        assert r.restarts == 1
        assert r.worker_pid not in (None, hung_pid)
        assert not _pid_alive(hung_pid), "the hung worker must be killed"
        # noticed at the timeout, then a fresh worker answered within its own timeout
        assert len(r.problems) == 1 and r.problems[0].endswith("(hung)"), r.problems
        assert r.worker_starts == 2


def test_a_worker_that_never_starts_is_replaced(tmp_path):
    target = functools.partial(workers.hang_at_start, str(tmp_path / "hung-once"))
    with SpeechRenderer(tmp_path / "c", timeout=2.0, worker_target=target) as r:
        r.render("halo", "id")
        assert r.restarts == 1
        assert len(r.problems) == 1 and "start" in r.problems[0] and r.problems[0].endswith("(hung)")


def test_a_crashed_worker_is_noticed_at_once_and_replaced(tmp_path):
    target = functools.partial(workers.die_on_first_job, str(tmp_path / "die-once"))
    with SpeechRenderer(tmp_path / "c", timeout=60.0, worker_target=target) as r:
        r.render("halo", "id")
        assert r.restarts == 1
        # seen as a death (the process is gone), not as a hang at the end of the timeout
        assert len(r.problems) == 1 and r.problems[0].startswith("died"), r.problems


def test_two_hangs_in_a_row_give_a_clear_error(tmp_path):
    with SpeechRenderer(tmp_path / "c", timeout=1.0, worker_target=workers.always_hang) as r:
        with pytest.raises(SpeechError, match="twice"):
            r.render("halo", "id")
        assert r.restarts == 2
        assert all(p.endswith("(hung)") for p in r.problems) and len(r.problems) == 2
        assert r.worker_pid is None
    assert not list((tmp_path / "c").glob("*.wav"))


def test_engine_missing_is_speech_unavailable_and_remembered(tmp_path):
    with SpeechRenderer(tmp_path / "c", timeout=5.0, worker_target=workers.no_engine) as r:
        with pytest.raises(SpeechUnavailable, match="libespeak-ng"):
            r.render("halo", "id")
        starts = r.worker_starts
        with pytest.raises(SpeechUnavailable):
            r.render("lagi", "id")
        assert r.worker_starts == starts  # no second process start


def test_pyttsx3_missing_is_speech_unavailable(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyttsx3" else real(name, *a)
    )
    with SpeechRenderer(tmp_path / "c") as r:
        with pytest.raises(SpeechUnavailable, match="pyttsx3 is not installed"):
            r.render("halo", "id")


def test_cache_key_and_closed_renderer(tmp_path):
    r = SpeechRenderer(tmp_path / "c", worker_target=workers.tone_worker)
    assert r.worker_pid is None  # nothing starts in __init__
    a = r.cache_path("halo", "id")
    assert a == r.cache_path("halo", "id")
    assert a != r.cache_path("halo", "en")
    assert a != SpeechRenderer(tmp_path / "c", rate=180).cache_path("halo", "id")
    assert a != SpeechRenderer(tmp_path / "c", volume=0.5).cache_path("halo", "id")
    p = r.render("  halo \n", "id")
    assert p == a  # whitespace does not make a new phrase
    r.close()
    r.close()
    assert r.render("halo", "id") == a  # cached files still served
    with pytest.raises(SpeechError, match="closed"):
        r.render("baru", "id")
    with pytest.raises(ValueError):
        SpeechRenderer(tmp_path, volume=2)


def test_render_is_serialised_across_threads(tmp_path):
    with SpeechRenderer(tmp_path / "c", worker_target=workers.tone_worker) as r:
        out: dict[int, object] = {}

        def go(i):
            out[i] = r.render(f"kalimat {i % 4}", "id")

        threads = [threading.Thread(target=go, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert len(out) == 12
        assert len({str(p) for p in out.values()}) == 4
        assert r.restarts == 0


# -- the real engine --------------------------------------------------------------------------------


@pytest.mark.voice
def test_real_indonesian_wav(renderer):
    path = renderer.render(STANDARD, "id")
    assert path.exists() and path.stat().st_size > 10_000
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
    assert 2.0 < wav_duration(path) < 12.0


@pytest.mark.voice
def test_real_english_wav(renderer):
    text = build_phrase("K", 12, 7, "Disdukcapil", lang="en")
    path = renderer.render(text, "en")
    assert 2.0 < wav_duration(path) < 12.0
    assert path != renderer.render(STANDARD, "id")


@pytest.mark.voice
def test_cached_phrase_is_served_without_the_worker(renderer):
    """From the cache: no work for the worker (how fast is measured by `make bench`)."""
    renderer.start()
    first = renderer.render(STANDARD, "id")
    assert renderer.last_render_ms is not None and renderer.last_render_ms > 0
    info = renderer.last_info
    again = renderer.render(STANDARD, "id")
    assert again == first
    assert renderer.last_render_ms == 0.0  # served from the cache, the worker was not asked
    assert renderer.last_info is info and renderer.worker_starts == 1


@pytest.mark.voice
def test_chime_plus_voice_is_longer_by_the_chime(renderer, tmp_path):
    voice = renderer.render(STANDARD, "id")
    call = build_announcement(voice, tmp_path / "call.wav", CHIME, gap=0.3, tail=0.25)
    extra = wav_duration(call) - wav_duration(voice)
    assert extra == pytest.approx(wav_duration(CHIME) + 0.3 + 0.25, abs=0.001)
    assert extra >= wav_duration(CHIME)


@pytest.mark.voice
def test_a_language_without_a_voice_is_unavailable(renderer):
    with pytest.raises(SpeechUnavailable, match="no voice"):
        renderer.render("halo", "xx-nothing")
    assert renderer.render("halo", "id").exists()  # the worker is fine


@pytest.mark.voice
def test_real_worker_recovers_from_a_hang(tmp_path, need_speech):
    target = functools.partial(workers.hang_on_first_job, str(tmp_path / "hung-once"), True)
    with SpeechRenderer(tmp_path / "c", timeout=2.0, worker_target=target) as r:
        path = r.render(STANDARD, "id")
        assert r.restarts == 1 and r.problems[0].endswith("(hung)")
        assert 2.0 < wav_duration(path) < 12.0


@pytest.mark.voice
def test_bench_voice_measures_new_and_cached(need_speech, capsys):
    from display.voice.bench import bench_voice

    result = bench_voice(phrases=4, quiet=True)
    assert result["cached_ms"] < result["new_phrase_ms"]
    assert 2.0 < result["voice_s"] < 12.0
    with capsys.disabled():
        print(f"\n[bench_voice] {result}")
