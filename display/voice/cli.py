"""``announce_command()``: the work behind ``mpp announce K-012 --counter 7 [--wav PATH]``.

Renders the chime + voice announcement to one WAV; writes it to ``wav_out`` or plays it with
``paplay`` / ``pw-play`` / ``aplay`` (``CommandPlayer``). A caller inside a Qt application can
pass ``player=QtPlayer()``; this module itself never imports Qt, so the headless ``mpp``
command keeps its "no Qt" import contract.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable
from pathlib import Path

from display.voice.audio import build_announcement, prune_dir
from display.voice.phrases import build_phrase
from display.voice.players import AudioUnavailable, CommandPlayer, Player
from display.voice.tts import SpeechRenderer

__all__ = ["announce_command", "parse_ticket_number"]

_NUMBER = re.compile(r"^\s*([A-Za-z]*)\s*[-_ ]?\s*(\d+)\s*$")


def parse_ticket_number(text: str) -> tuple[str, int]:
    """ "K-012" -> ("K", 12); "k12" -> ("K", 12); "012" -> ("", 12)."""
    m = _NUMBER.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a ticket number like K-012")
    return m.group(1).upper(), int(m.group(2))


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


def announce_command(
    prefix: str,
    seq: int,
    counter_number: int,
    spoken_agency: str = "",
    lang: str = "id",
    repeat: int = 1,
    volume: float = 1.0,
    rate: int = 150,
    wav_out: Path | None = None,
    chime_path: Path | None = None,
    *,
    chime: bool = True,
    recall: bool = False,
    cache_dir: Path | None = None,
    player: Player | None = None,
    timeout: float = 10.0,
    report: Callable[[str], None] = _stderr,
    reading: str = "words",
    number: str | None = None,
) -> Path | None:
    """Render one announcement; write it to ``wav_out`` or play it.

    Returns the WAV's path (``wav_out``, or the played file), or None when it could not be
    played (no audio device; the reason goes to ``report``). ``chime_path`` None means the
    bundled chime; ``chime=False`` leaves it out. Raises ``SpeechUnavailable`` when
    pyttsx3/espeak-ng is missing and ``ValueError`` for a bad number, prefix or language.
    """
    from antrian.paths import asset, data_dir

    text = build_phrase(prefix, seq, counter_number, spoken_agency, lang=lang, recall=recall,
                        reading=reading, number=number)
    cache_dir = Path(cache_dir) if cache_dir else data_dir() / "voice-cache"
    with SpeechRenderer(cache_dir, rate=rate, timeout=timeout) as renderer:
        voice = renderer.render(text, lang)

    chime_file: Path | None = None
    if chime:
        chime_file = Path(chime_path) if chime_path else asset("sounds", "chime.wav")
        if not chime_file.exists():
            report(f"chime not found at {chime_file}; announcing without it")
            chime_file = None

    if wav_out is not None:
        target = Path(wav_out)
    else:
        key = f"{voice.name}|{chime_file}|{repeat}|{volume:.3f}"
        target = cache_dir / "calls" / f"cli-{hashlib.sha256(key.encode()).hexdigest()[:20]}.wav"
        prune_dir(target.parent, "cli-*.wav", keep=50)
    build_announcement(voice, target, chime_file, repeat=repeat, volume=volume)
    if wav_out is not None:
        return target

    player = player or CommandPlayer()
    try:
        player.play(target)
    except AudioUnavailable as e:
        report(
            f"No audio output: {e}.\n"
            f"The announcement was rendered to {target}; use --wav PATH to save it elsewhere."
        )
        return None
    return target
