"""The one place that knows where bundled files and user data live.

Bundled files (assets/, config/) sit next to the packages in the source tree (the project is
installed editable). `MPP_HOME` overrides the root for unusual layouts. User data (the SQLite
file, ticket previews, logs) goes to the platform's user data dir unless `MPP_DATA_DIR` is set.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "antrian-mpp"


def project_root() -> Path:
    home = os.environ.get("MPP_HOME")
    if home:
        return Path(home)
    return Path(__file__).resolve().parent.parent


def asset(*parts: str) -> Path:
    """Path of a bundled asset, e.g. asset("sounds", "chime.wav")."""
    return project_root().joinpath("assets", *parts)


def bundled_config(*parts: str) -> Path:
    return project_root().joinpath("config", *parts)


def default_hall_config() -> Path:
    return bundled_config("hall.toml")


def data_dir() -> Path:
    """The user data dir (created on first use)."""
    override = os.environ.get("MPP_DATA_DIR")
    if override:
        path = Path(override)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'antrian.sqlite3'}"
