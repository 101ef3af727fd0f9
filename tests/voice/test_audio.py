from __future__ import annotations

import importlib.util
import os
import wave

import pytest

from display.voice.audio import (
    VOICE_FORMAT,
    WavFormat,
    build_announcement,
    peak,
    prune_dir,
    read_pcm16,
    scale,
    silence,
    wav_duration,
    write_wav,
)
from tests.voice.helpers import CHIME, ROOT, make_tone


def test_chime_asset_is_a_short_soft_bell():
    assert CHIME.exists(), "run tools/make_chime.py"
    assert CHIME.stat().st_size < 100_000
    with wave.open(str(CHIME)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (22050, 1, 2)
    assert 1.0 <= wav_duration(CHIME) <= 1.5
    samples, _ = read_pcm16(CHIME)
    assert 0.3 < peak(samples) < 0.9  # audible, not louder than the voice
    assert abs(samples[0]) < 300  # no click at the start
    assert peak(samples[-220:]) < 0.01  # faded out at the end


def test_make_chime_is_deterministic(tmp_path):
    spec = importlib.util.spec_from_file_location("make_chime", ROOT / "tools" / "make_chime.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "chime.wav"
    assert mod.main(["--out", str(out)]) == 0
    assert out.read_bytes() == CHIME.read_bytes()


def test_wav_duration(tmp_path):
    assert wav_duration(make_tone(tmp_path / "a.wav", 0.5)) == pytest.approx(0.5, abs=1e-4)
    assert wav_duration(make_tone(tmp_path / "b.wav", 1.0, rate=44100, channels=2)) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize(
    ("rate", "channels", "width"), [(44100, 2, 2), (16000, 1, 2), (22050, 1, 1), (48000, 2, 4), (22050, 1, 2)]
)
def test_any_pcm_wav_is_converted_to_the_voice_format(tmp_path, rate, channels, width):
    src = make_tone(tmp_path / "x.wav", 0.5, rate=rate, channels=channels, sampwidth=width, amp=0.5)
    samples, fmt = read_pcm16(src, VOICE_FORMAT)
    assert fmt == VOICE_FORMAT
    assert len(samples) == pytest.approx(0.5 * 22050, abs=2)
    assert peak(samples) == pytest.approx(0.5, abs=0.03)


def test_silence_scale_and_write(tmp_path):
    assert len(silence(0.1)) == 2205
    assert len(silence(0.1, WavFormat(22050, 2))) == 4410
    s, _ = read_pcm16(make_tone(tmp_path / "t.wav", 0.1, amp=0.8))
    assert peak(scale(s, 0.5)) == pytest.approx(0.4, abs=0.01)
    assert peak(scale(s, 0.0)) == 0.0
    assert peak(scale(s, 2.0)) == pytest.approx(1.0, abs=0.01)  # clipped, no wrap-around
    out = write_wav(tmp_path / "sub" / "o.wav", s)
    assert wav_duration(out) == pytest.approx(0.1, abs=1e-4)
    assert not list(out.parent.glob("*.tmp"))


def test_announcement_is_chime_then_voice(tmp_path):
    voice = make_tone(tmp_path / "voice.wav", 2.0, freq=300)
    out = build_announcement(voice, tmp_path / "call.wav", CHIME, gap=0.3, tail=0.25)
    expected = wav_duration(CHIME) + 0.3 + 2.0 + 0.25
    assert wav_duration(out) == pytest.approx(expected, abs=2 / 22050)
    samples, fmt = read_pcm16(out)
    assert fmt == VOICE_FORMAT
    chime, _ = read_pcm16(CHIME)
    assert samples[: len(chime)] == chime  # the chime comes first, unchanged at volume 1


def test_announcement_repeats_with_pauses_and_volume(tmp_path):
    voice = make_tone(tmp_path / "voice.wav", 1.0, amp=0.8)
    out = build_announcement(voice, tmp_path / "call.wav", None, repeat=3, pause=0.5, tail=0.0, volume=0.5)
    assert wav_duration(out) == pytest.approx(3 * 1.0 + 2 * 0.5, abs=2 / 22050)
    samples, _ = read_pcm16(out)
    assert peak(samples) == pytest.approx(0.4, abs=0.01)


def test_a_chime_in_another_format_is_converted(tmp_path):
    voice = make_tone(tmp_path / "voice.wav", 1.0)
    chime = make_tone(tmp_path / "chime44.wav", 0.6, rate=44100, channels=2)
    out = build_announcement(voice, tmp_path / "call.wav", chime, gap=0.0, tail=0.0)
    assert wav_duration(out) == pytest.approx(1.6, abs=2 / 22050)
    with wave.open(str(out)) as w:
        assert (w.getframerate(), w.getnchannels()) == (22050, 1)


def test_bad_arguments(tmp_path):
    voice = make_tone(tmp_path / "voice.wav", 0.1)
    with pytest.raises(ValueError):
        build_announcement(voice, tmp_path / "o.wav", repeat=0)
    with pytest.raises(ValueError):
        build_announcement(voice, tmp_path / "o.wav", volume=1.5)


def test_prune_dir_keeps_the_newest(tmp_path):
    import os

    for i in range(5):
        p = make_tone(tmp_path / f"{i}.wav", 0.01)
        os.utime(p, (1000 + i, 1000 + i))
    assert prune_dir(tmp_path, "*.wav", keep=2) == 3
    assert sorted(p.name for p in tmp_path.glob("*.wav")) == ["3.wav", "4.wav"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_write_wav_to_a_device_or_pipe_writes_in_place_and_never_replaces_it(tmp_path):
    """`mpp announce --wav /dev/null` must not rename a file over the device (it did, as root)."""
    import stat
    import threading
    from array import array

    from display.voice.audio import write_wav

    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_wav(fifo, array("h", [0, 100, -100, 0]))
    reader.join(timeout=10)
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still the pipe, not a regular file
    assert got and got[0][:4] == b"RIFF" and len(got[0]) == 44 + 8
