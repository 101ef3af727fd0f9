"""assets/translations/kiosk_id.ts covers every self.tr() text of the kiosk, in the context of
the class that calls it, and keeps the {placeholders}; and it really loads."""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "antrian" / "data" / "translations" / "kiosk_id.ts"
SOURCES = sorted(p for p in (ROOT / "kiosk").glob("*.py") if p.name != "__init__.py")


def tr_calls() -> set[tuple[str, str]]:
    found = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
            for node in ast.walk(cls):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "tr" and isinstance(node.func.value, ast.Name)
                        and node.func.value.id == "self"):
                    arg = node.args[0]
                    assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), (
                        f"{path.name}:{node.lineno}: self.tr() needs a literal string")
                    found.add((cls.name, arg.value))
    return found


def ts_messages() -> dict[tuple[str, str], str]:
    out = {}
    for ctx in ET.parse(TS).getroot().findall("context"):
        name = ctx.find("name").text
        for msg in ctx.findall("message"):
            t = msg.find("translation")
            assert t.get("type") not in ("unfinished", "obsolete", "vanished"), (name, msg.find("source").text)
            out[(name, msg.find("source").text)] = t.text or ""
    return out


def test_every_text_is_translated_in_its_class_context():
    calls = tr_calls()
    assert len(calls) > 50
    messages = ts_messages()
    missing = sorted(calls - set(messages))
    assert not missing, f"add to {TS.name}: {missing}"
    unused = sorted(set(messages) - calls)
    assert not unused, f"remove from {TS.name}: {unused}"
    for key, translation in messages.items():
        assert translation.strip(), key
        assert set(re.findall(r"{\w+}", key[1])) == set(re.findall(r"{\w+}", translation)), key


def test_required_indonesian_wording():
    t = {src: tr for (_, src), tr in ts_messages().items()}
    assert t["{n} waiting \u00b7 {left} tickets left"].endswith("sisa kuota {left}")
    assert t["Quota full ({issued}/{quota})"] == "Kuota habis ({issued}/{quota})"
    assert t["Closed - opens {when}"] == "Sedang tutup \u00b7 buka {when}"
    assert t["Priority service"] == "Layanan Prioritas"
    assert t["Processing"] == "Memproses"
    assert t["The ticket could not be printed. Please take a photo of this number and the QR code."] == (
        "Tiket tidak dapat dicetak. Silakan foto nomor dan kode QR ini.")


@pytest.mark.ui
def test_compiled_translation_switches_a_label(qapp, monkeypatch, tmp_path):
    from qtshared.common import Translations
    from kiosk.screens import ResultScreen  # noqa: F401  (context class exists)
    from PySide6.QtCore import QCoreApplication

    tr = Translations(qapp)
    tr.set_language("id")
    try:
        assert QCoreApplication.translate("ResultScreen", "Your queue number") == "Nomor antrean Anda"
    finally:
        tr.set_language("en")
    assert QCoreApplication.translate("ResultScreen", "Your queue number") == "Your queue number"
