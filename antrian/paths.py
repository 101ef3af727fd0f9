"""The one place that knows where bundled files and user data live.

Bundled files (the default hall, station examples, the chime, translations) ship inside the
package as `antrian/data/` and are found through importlib.resources, so an installed wheel works
from any directory. User data (the SQLite file, ticket previews, logs) goes to the platform's user
data dir unless `MPP_DATA_DIR` is set.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

APP_NAME = "antrian-mpp"


def bundled_root() -> Path:
    """The package's data folder (a real directory: the package is never run from a zip)."""
    return Path(str(resources.files("antrian") / "data"))


def asset(*parts: str) -> Path:
    """Path of a bundled asset, e.g. asset("sounds", "chime.wav")."""
    return bundled_root().joinpath(*parts)


def bundled_config(*parts: str) -> Path:
    """Path of a bundled config file, e.g. bundled_config("stations", "kiosk.example.toml")."""
    return bundled_root().joinpath(*parts)


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


def log_dir() -> Path:
    """Where the rotating log file lives: ``<data dir>/logs`` (created on first use)."""
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    """The rotating log file every `mpp` command and window writes (``mpp.log``)."""
    return log_dir() / "mpp.log"


def translations_dir() -> Path:
    """The bundled Qt translations: ``<name>_<lang>.ts`` sources and their compiled ``.qm``."""
    return asset("translations")


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'antrian.sqlite3'}"
