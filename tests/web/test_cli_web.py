"""`mpp api-key` and `mpp notify failures` through the real command."""

from __future__ import annotations

import json

import pytest

from mpp.cli import main

pytestmark = pytest.mark.web


@pytest.fixture
def mpp(tmp_path, capsys, monkeypatch):
    from tests.conftest import ONE_COUNTER_HALL_TOML

    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    cfg = tmp_path / "hall.toml"
    cfg.write_text(ONE_COUNTER_HALL_TOML, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'mpp.sqlite3'}"

    def run(*argv):
        rc = main(["--db", url, "--config", str(cfg), *argv])
        out, err = capsys.readouterr()
        return rc, out, err

    return run


def test_api_key_add_list_revoke(mpp):
    rc, out, err = mpp("api-key", "add", "--scope", "write", "--name", "kota-app", "--json")
    assert rc == 0, err
    key = json.loads(out)
    assert key["scopes"] == ["read", "write"] and key["key"].startswith("mpp_")
    rc, out, _ = mpp("api-key", "list")
    assert "kota-app" in out and "active" in out and key["key"] not in out
    rc, _, err = mpp("api-key", "add", "--scope", "read", "--name", "kota-app")
    assert rc == 2 and "already exists" in err
    rc, out, _ = mpp("api-key", "revoke", "kota-app")
    assert rc == 0 and "revoked" in out
    rc, _, err = mpp("api-key", "revoke", "kota-app")
    assert rc == 2 and "no active API key" in err
    rc, _, err = mpp("api-key", "add", "--scope", "admin", "--name", "x")
    assert rc == 2


def test_notify_failures_listing(mpp):
    rc, out, _ = mpp("notify", "failures")
    assert rc == 0 and "no failed notifications" in out


def test_serve_help_names_the_options(mpp, capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert "--port" in capsys.readouterr().out
