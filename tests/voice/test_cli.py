from __future__ import annotations

import shutil
import subprocess

import pytest

from display.voice.audio import wav_duration
from display.voice.cli import announce_command, parse_ticket_number
from display.voice.players import AudioUnavailable, CommandPlayer, RecordingPlayer
from tests.voice.helpers import CHIME, make_tone


@pytest.mark.parametrize(
    ("text", "expected"),
    [("K-012", ("K", 12)), ("k012", ("K", 12)), ("K 7", ("K", 7)), ("012", ("", 12)), (" A-100 ", ("A", 100))],
)
def test_parse_ticket_number(text, expected):
    assert parse_ticket_number(text) == expected


@pytest.mark.parametrize("bad", ["", "K-", "K-1a", "12K"])
def test_parse_ticket_number_rejects(bad):
    with pytest.raises(ValueError):
        parse_ticket_number(bad)


@pytest.mark.voice
def test_announce_to_wav(tmp_path, need_speech):
    out = tmp_path / "K-012-loket-7.wav"
    got = announce_command("K", 12, 7, "Disdukcapil", wav_out=out, cache_dir=tmp_path / "cache")
    assert got == out
    seconds = wav_duration(out)
    assert wav_duration(CHIME) + 2.0 < seconds < wav_duration(CHIME) + 12.0
    if shutil.which("soxi"):
        soxi = subprocess.run(["soxi", "-D", str(out)], capture_output=True, text=True, check=True)
        assert float(soxi.stdout) == pytest.approx(seconds, abs=0.01)


@pytest.mark.voice
def test_announce_without_chime_and_repeated(tmp_path, need_speech):
    one = announce_command("K", 12, 7, "Disdukcapil", wav_out=tmp_path / "a.wav", chime=False,
                           cache_dir=tmp_path / "c")
    two = announce_command("K", 12, 7, "Disdukcapil", wav_out=tmp_path / "b.wav", chime=False, repeat=2,
                           cache_dir=tmp_path / "c")
    assert wav_duration(two) == pytest.approx(2 * wav_duration(one) - 0.25 + 1.0, abs=0.01)


@pytest.mark.voice
def test_announce_plays_through_the_player(tmp_path, need_speech):
    player = RecordingPlayer()
    got = announce_command("K", 12, 7, "Disdukcapil", cache_dir=tmp_path / "c", player=player)
    assert got is not None and player.paths == [got]


@pytest.mark.voice
def test_no_audio_device_is_reported_clearly(tmp_path, need_speech):
    said = []
    got = announce_command(
        "K", 12, 7, "Disdukcapil", cache_dir=tmp_path / "c",
        player=RecordingPlayer(fail_with=AudioUnavailable("Connection refused")), report=said.append,
    )
    assert got is None
    assert "No audio output: Connection refused" in said[0]
    assert "--wav" in said[0]


def test_bad_input_is_a_value_error(tmp_path):
    with pytest.raises(ValueError):
        announce_command("K1", 12, 7, "X", wav_out=tmp_path / "x.wav", cache_dir=tmp_path)
    with pytest.raises(ValueError):
        announce_command("K", 12, 7, "X", lang="fr", wav_out=tmp_path / "x.wav", cache_dir=tmp_path)


def test_command_player_reports_the_players_message(tmp_path):
    wav = make_tone(tmp_path / "t.wav", 0.1)
    p = CommandPlayer(["sh", "-c", 'echo "Connection failure: Connection refused" >&2; exit 1', "player"])
    with pytest.raises(AudioUnavailable, match="Connection refused"):
        p.play(wav)
    CommandPlayer(["true"]).play(wav)
    with pytest.raises(AudioUnavailable, match="did not finish"):
        CommandPlayer(["sh", "-c", "sleep 30", "player"], slack=0.3).play(wav)


def test_command_player_with_no_player_installed(tmp_path, monkeypatch):
    monkeypatch.setattr(CommandPlayer, "CANDIDATES", (("no-such-player-xyz",),))
    with pytest.raises(AudioUnavailable, match="no command-line audio player"):
        CommandPlayer().play(make_tone(tmp_path / "t.wav", 0.1))
