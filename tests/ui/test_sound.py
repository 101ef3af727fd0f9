"""The alert chime plays through a command-line player, not Qt Multimedia (issue 11: memory)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qtshared.sound import SoundPlayer


def test_a_command_line_player_plays_the_sound_in_its_own_process(tmp_path: Path):
    out = tmp_path / "played"
    script = tmp_path / "player.sh"
    script.write_text(f'#!/bin/sh\necho "$1" > {out}\n')
    script.chmod(0o755)
    player = SoundPlayer(tmp_path / "chime.wav", players=((str(script),),))
    assert player.command == (str(script),)
    assert player.play()
    assert player._proc is not None
    player._proc.wait(timeout=10)
    assert out.read_text().strip() == str(tmp_path / "chime.wav")
    assert not player.playing


def test_no_player_installed_falls_back_to_qt(tmp_path: Path):
    player = SoundPlayer(tmp_path / "chime.wav", players=(("no-such-player-mpp",),))
    assert player.command is None


def test_the_alert_beep_does_not_load_qt_multimedia():
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "from PySide6.QtWidgets import QApplication; app = QApplication([])\n"
            "from qtshared.sound import SoundPlayer\n"
            "p = SoundPlayer('/nonexistent.wav', players=(('true',),)); p.play(); p._proc.wait()\n"
            "print('PySide6.QtMultimedia' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "False"
