"""The optional [web] and [notify] sections of the hall file, and where tickets point."""

from __future__ import annotations

import pytest

from antrian.config import ConfigError, HallFile, build_hall, load_hall, load_hall_file
from tests.conftest import ONE_COUNTER_HALL_TOML, hall_dict

pytestmark = pytest.mark.web


def test_defaults_when_absent():
    f = HallFile.model_validate(hall_dict())
    assert (f.web.host, f.web.port, f.web.address) == ("0.0.0.0", 8080, "")
    assert f.notify.channel == "none" and f.notify.ahead == 5
    assert build_hall(f).public_url == ""


def test_web_address_makes_tickets_point_to_this_server():
    d = hall_dict()
    d["web"] = {"address": "192.168.1.10", "port": 8000}
    hall = build_hall(HallFile.model_validate(d))
    assert hall.public_url == "http://192.168.1.10:8000"
    d["hall"]["public_url"] = "https://antrean.example.go.id/"
    assert build_hall(HallFile.model_validate(d)).public_url == "https://antrean.example.go.id"


def test_notify_settings_are_checked_with_the_key_named(tmp_path):
    p = tmp_path / "hall.toml"
    p.write_text(ONE_COUNTER_HALL_TOML + '\n[notify]\nchannel = "whatsapp"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_hall(p)
    assert "notify" in str(e.value) and "whatsapp_token" in str(e.value)
    p.write_text(ONE_COUNTER_HALL_TOML + '\n[notify]\nchannel = "sms"\nsms_url = "https://sms.example/send"\n'
                 'sms_token = "x"\nahead = 3\n[web]\nport = 9000\n', encoding="utf-8")
    f = load_hall_file(p)
    assert f.notify.ahead == 3 and f.web.port == 9000


def test_demo_public_url_override(monkeypatch, tmp_path):
    from antrian.bootstrap import build_context

    p = tmp_path / "hall.toml"
    p.write_text(ONE_COUNTER_HALL_TOML, encoding="utf-8")
    monkeypatch.setenv("MPP_PUBLIC_URL", "http://10.0.0.5:8080/")
    ctx = build_context(db=f"sqlite:///{tmp_path / 'x.db'}", config=str(p))
    assert ctx.hall.public_url == "http://10.0.0.5:8080"


def test_server_address_for_phones(monkeypatch, tmp_path):
    from antrian.bootstrap import build_context
    from antrian.config import WebCfg
    from web.server import public_base

    p = tmp_path / "hall.toml"
    p.write_text(ONE_COUNTER_HALL_TOML, encoding="utf-8")
    monkeypatch.delenv("MPP_PUBLIC_URL", raising=False)
    ctx = build_context(db=f"sqlite:///{tmp_path / 'x.db'}", config=str(p))
    assert public_base(ctx, WebCfg(address="mpp.lan"), "0.0.0.0", 8080) == "http://mpp.lan:8080"
    assert public_base(ctx, WebCfg(), "127.0.0.1", 8081) == "http://127.0.0.1:8081"
    assert public_base(ctx, WebCfg(), "0.0.0.0", 8080).startswith("http://")


def test_the_shared_hall_builder_writes_toml_that_reads_back_the_same(tmp_path):
    import tomllib

    from tests.support.halls import bench_hall, to_toml

    for d in (hall_dict(), bench_hall(), {"hall": {"name": 'MPP "Uji"\n', "x y": True}, "agency": []}):
        assert tomllib.loads(to_toml(d)) == d
    p = tmp_path / "hall.toml"
    p.write_text(to_toml(bench_hall()), encoding="utf-8")
    assert [c.code for c in load_hall(p).counters] == ["1", "2", "3", "4", "9"]
