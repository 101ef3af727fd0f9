"""Fixtures for the voice tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.voice.helpers import FakeRenderer, speech_missing

# Qt tests here run without a screen (the Makefile sets this too).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def fake_renderer(tmp_path: Path) -> FakeRenderer:
    return FakeRenderer(tmp_path / "cache")


@pytest.fixture
def need_speech() -> None:
    why = speech_missing()
    if why:
        pytest.skip(f"real speech not available: {why}")


@pytest.fixture
def renderer(tmp_path: Path, need_speech):
    from display.voice.tts import SpeechRenderer

    r = SpeechRenderer(tmp_path / "voice-cache", timeout=10.0)
    yield r
    r.close()
