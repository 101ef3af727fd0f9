"""The hall of a config file, validated once and kept as derived data in the data dir, so a short
command (`mpp issue`) does not import pydantic to read it again (issue 11: the config's imports
were a third of the command).

The cache file (``<data dir>/cache/hall-<key>.pickle``, owner-only like the data dir) is keyed
by the config file's resolved path, mtime, size and SHA-256 of its content, and by the size and
mtime of the modules that build a Hall from it (a changed program never reads an old hall). On a
miss, or a cache that does not load, the file is read and validated by antrian.config as always
(its errors are the same ConfigError) and the cache is written again. It is never in git: it is
written only under the data dir, which the program owns (0700); a config without a usable data
dir is simply validated every time."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path

from antrian import paths
from antrian.domain.catalogue import Hall

CACHE_FORMAT = 1
_BUILDERS = ("config.py", "config_base.py", "hall_cache.py", "domain/catalogue.py")


def _key(path: Path, content: bytes) -> str:
    st = path.stat()
    here = Path(__file__).parent
    code = []
    for name in _BUILDERS:
        try:
            s = (here / name).stat()
            code.append((name, s.st_mtime_ns, s.st_size))
        except OSError:
            code.append((name, 0, 0))
    meta = repr((CACHE_FORMAT, str(path.resolve()), st.st_mtime_ns, st.st_size, code, sys.version_info[:2]))
    return hashlib.sha256(meta.encode() + b"\0" + content).hexdigest()[:40]


def _cache_file(key: str) -> Path | None:
    try:
        return paths.data_dir() / "cache" / f"hall-{key}.pickle"
    except Exception:  # no usable data dir: no cache
        return None


def load_hall_cached(path: Path | str) -> Hall:
    """The Hall of the config file at ``path`` (antrian.config.load_hall), from the cache when it
    is current."""
    path = Path(path)
    cache: Path | None = None
    try:
        content = path.read_bytes()
        cache = _cache_file(_key(path, content))
    except OSError:  # unreadable: antrian.config says why, in its words
        pass
    if cache is not None:
        try:
            hall = pickle.loads(cache.read_bytes())
            if isinstance(hall, Hall):
                return hall
        except Exception:  # missing, stale format or damaged: validate again
            pass
    from antrian.config import load_hall

    hall = load_hall(path)
    if cache is not None:
        _write(cache, hall)
    return hall


def _write(cache: Path, hall: Hall) -> None:
    try:
        cache.parent.mkdir(mode=0o700, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pickle.dumps(hall, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, cache)
    except Exception:  # a read-only data dir: validated again next time
        pass
