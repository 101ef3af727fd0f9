"""The built wheel, installed into a fresh venv and run from another directory, finds its bundled
files through importlib.resources: the default hall, the chime, the translations, the Alembic
migrations. Builds the wheel from a copy of the source tree (nothing is written into the
checkout), installs it with --no-deps into a new venv that borrows this venv's dependencies
(site-packages added by a .pth file, so the project itself comes only from the wheel) and runs
`mpp db upgrade`, `mpp catalogue`, `mpp announce --wav` and an offscreen `mpp kiosk`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("antrian", "kiosk", "counter", "display", "printer", "qtshared", "mpp")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _bin(venv: Path, name: str) -> Path:
    folder = venv / ("Scripts" if os.name == "nt" else "bin")
    exe = folder / (name + (".exe" if os.name == "nt" else ""))
    return exe


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check",
                    "-w", str(out), str(src)], check=True, stdin=subprocess.DEVNULL)
    (whl,) = out.glob("antrian_mpp-*.whl")
    return whl


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = _bin(venv, "python")
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # The dependencies come from this venv; the .pth entry goes after the new site-packages.
    here = sysconfig.get_paths()
    (Path(purelib) / "_borrowed_deps.pth").write_text(f"{here['purelib']}\n{here['platlib']}\n", "utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                    "--no-index", "--disable-pip-version-check", str(wheel)], check=True, stdin=subprocess.DEVNULL)
    return venv


@pytest.fixture
def run(venv, tmp_path):
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPP_", "PYTHON"))}
    env.update(MPP_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="offscreen")

    def _run(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
        exe = argv[0] if os.path.isabs(argv[0]) else str(_bin(venv, argv[0]))
        return subprocess.run([exe, *argv[1:]], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    _run.cwd = cwd  # type: ignore[attr-defined]
    _run.data = tmp_path / "data"  # type: ignore[attr-defined]
    return _run


def test_the_wheel_carries_the_bundled_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = [p for p in (ROOT / "antrian" / "data").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in bundled:
        assert path.relative_to(ROOT).as_posix() in names, path
    for ts in (ROOT / "antrian" / "data" / "translations").glob("*.ts"):
        assert f"antrian/data/translations/{ts.stem}.qm" in names
    for path in ("antrian/data/hall.toml", "antrian/data/sounds/chime.wav",
                 "antrian/data/stations/kiosk.example.toml",
                 "antrian/storage/migrations/env.py", "antrian/storage/migrations/script.py.mako"):
        assert path in names, path
    migrations = [p for p in (ROOT / "antrian/storage/migrations/versions").glob("*.py")]
    assert migrations and all(f"antrian/storage/migrations/versions/{p.name}" in names for p in migrations)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "License-Expression: MIT" in text
    assert "Requires-Dist: pywin32>=306; sys_platform == \"win32\"" in text
    entry_points = zipfile.ZipFile(wheel).read(meta.replace("METADATA", "entry_points.txt")).decode()
    assert "[gui_scripts]" in entry_points and "mpp-kiosk = mpp.gui:kiosk" in entry_points


def test_the_project_comes_from_the_wheel(run, venv):
    r = run("python", "-c", "import antrian, mpp, qtshared; print(antrian.__file__); print(qtshared.__file__)")
    assert r.returncode == 0, r.stderr
    for line in r.stdout.split():
        assert Path(line).is_relative_to(venv), line
    for script in ("mpp", "mpp-kiosk", "mpp-counter", "mpp-monitor", "mpp-display", "mpp-demo"):
        assert _bin(venv, script).exists(), script


def test_db_upgrade_catalogue_and_announce_from_another_dir(run):
    r = run("mpp", "db", "upgrade")
    assert r.returncode == 0 and "is at revision" in r.stdout, r.stderr
    assert (run.data / "antrian.sqlite3").exists()

    r = run("mpp", "catalogue", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["agencies"] and data["hall"]["name"]

    r = run("mpp", "announce", "K-012", "--counter", "7", "--wav", "out.wav")
    if r.returncode != 0 and "espeak" in (r.stderr + r.stdout).lower():
        pytest.skip(f"no speech engine: {r.stderr.strip()}")
    assert r.returncode == 0, r.stderr
    wav = run.cwd / "out.wav"
    assert wav.exists() and wav.stat().st_size > 44
    assert "Traceback" not in r.stderr


KIOSK_PROBE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from mpp.cli import main
from qtshared.common import compiled_translations

seen = []

def hook(kind, window):
    seen.append((kind, window.isVisible()))
    QTimer.singleShot(0, QApplication.quit)  # runs only once the event loop turns

code = main(["kiosk", "--windowed", "--lang", "id"], window_hooks=[hook])
print(seen)
print(compiled_translations("id")[0])
sys.exit(code)
"""


@pytest.mark.ui
def test_an_offscreen_kiosk_reaches_its_event_loop(run, venv):
    assert run("mpp", "db", "upgrade").returncode == 0
    r = run("python", "-c", KIOSK_PROBE)
    assert r.returncode == 0, r.stderr
    seen, qm = r.stdout.strip().splitlines()[-2:]
    assert seen == "[('kiosk', True)]"
    assert Path(qm).is_relative_to(venv) and Path(qm).name == "kiosk_id.qm"
    assert "Traceback" not in r.stderr and "translation" not in r.stderr.lower()


def test_a_bad_database_is_one_line_from_the_wheel(run):
    r = run("mpp", "db", "upgrade", "--db", "sqlite:////nonexistent-dir/x/y.sqlite3")
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
