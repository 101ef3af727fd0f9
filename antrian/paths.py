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

from antrian.domain.errors import QueueError

APP_NAME = "antrian-mpp"
DIR_MODE = 0o700  # the data dir holds PIN hashes and the database: owner only
FILE_MODE = 0o600


class DataDirError(QueueError):
    """The data dir (or the SQLite file in it) cannot be used: a file is in the way, or it is not
    writable. The message names the path and what to do."""

    code = "data_dir"
    exit_code = 7


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


def _private_dir(path: Path, what: str) -> Path:
    """Create ``path`` (and missing parents) owner-only (0700); refuse a file in the way or a
    folder we cannot write, with one clear line (DataDirError)."""
    hint = "(set MPP_DATA_DIR to another folder)"
    if path.exists() and not path.is_dir():
        raise DataDirError(f"the {what} {path} is a file, not a folder {hint}", path=str(path))
    if not path.is_dir():
        try:
            path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask
        except OSError as e:
            raise DataDirError(f"cannot create the {what} {path}: {e.strerror or e} {hint}",
                               path=str(path)) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataDirError(f"the {what} {path} is not writable {hint}", path=str(path))
    return path


def data_dir() -> Path:
    """The user data dir, created owner-only (0700) on first use. DataDirError (one line) when
    it is a file or not writable."""
    override = os.environ.get("MPP_DATA_DIR")
    if override:
        path = Path(override)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return _private_dir(path, "data dir")


def secure_file(path: Path) -> None:
    """Make sure the SQLite file at ``path`` exists readable by its owner only (0600): create it
    empty with that mode (SQLite then gives its -wal and -shm files the same mode), or tighten an
    existing one we own. DataDirError when the folder is not writable."""
    try:
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
            os.close(fd)
        if path.is_file() and path.stat().st_uid == getattr(os, "getuid", lambda: path.stat().st_uid)():
            os.chmod(path, FILE_MODE)
    except OSError as e:
        raise DataDirError(f"cannot create the database file {path}: {e.strerror or e}",
                           path=str(path)) from None


def log_dir() -> Path:
    """Where the rotating log file lives: ``<data dir>/logs`` (created on first use)."""
    return _private_dir(data_dir() / "logs", "log folder")


def log_file() -> Path:
    """The rotating log file every `mpp` command and window writes (``mpp.log``)."""
    return log_dir() / "mpp.log"


def translations_dir() -> Path:
    """The bundled Qt translations: ``<name>_<lang>.ts`` sources and their compiled ``.qm``."""
    return asset("translations")


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'antrian.sqlite3'}"
