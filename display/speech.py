"""Wiring the hall display's voice: which player, which log, warm-up.

The ``Announcer`` (display.voice) does the work on its own thread; this module only picks its
parts: ``QtPlayer`` when Qt sees an audio output, else ``NullPlayer`` (the calls keep their
rhythm and are logged, silently), and the announcement log from ``MPP_ANNOUNCE_LOG``.
Create the player on the GUI thread, after the QApplication.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)

ANNOUNCE_LOG_ENV = "MPP_ANNOUNCE_LOG"


def announce_log_path(explicit: Path | str | None = None) -> Path | None:
    """Where announcements are logged as JSON lines: ``explicit``, else $MPP_ANNOUNCE_LOG."""
    value = explicit or os.environ.get(ANNOUNCE_LOG_ENV)
    return Path(value) if value else None


def choose_player():
    """``QtPlayer`` if an audio output exists, else ``NullPlayer`` (said once in the log)."""
    from display.voice.players import NullPlayer

    try:
        from display.voice.qt_player import QtPlayer, audio_outputs

        outputs = audio_outputs()
    except Exception as e:  # QtMultimedia missing or broken
        log.warning("display: QtMultimedia is not usable (%s); calls are shown but not heard", e)
        return NullPlayer()
    if not outputs:
        log.warning("display: no audio output device; calls are shown and logged but not heard")
        return NullPlayer()
    log.info("display: audio output: %s", outputs[0])
    return QtPlayer()


def build_announcer(voice, *, enabled: bool = True, player=None, log_path: Path | str | None = None,
                    cache_dir: Path | None = None, warm_up: bool = True):
    """The display's ``Announcer`` from the station's ``[display.voice]`` settings.

    ``enabled=False`` (``--no-voice``) keeps the announcer and its log but renders and plays
    nothing. ``warm_up`` starts the speech worker in the background so the first call is not
    slower than the others."""
    from display.voice.announcer import Announcer

    if not enabled and voice.enabled:
        voice = voice.model_copy(update={"enabled": False})
    announcer = Announcer.from_settings(
        voice,
        player if player is not None else choose_player(),
        cache_dir=cache_dir,
        log_path=announce_log_path(log_path),
    )
    if warm_up and announcer.renderer is not None:
        start = getattr(announcer.renderer, "start", None)
        if callable(start):
            threading.Thread(target=_quietly, args=(start,), name="speech-warm-up", daemon=True).start()
    return announcer


def _quietly(fn) -> None:
    # A missing engine is reported (once) by the announcer at the first call; not here too.
    try:
        fn()
    except Exception as e:
        log.debug("speech warm-up: %s", e)
