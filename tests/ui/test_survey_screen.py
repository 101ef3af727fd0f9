"""The counter-side SKM screen (`mpp survey --counter 7`): offers the survey after each finish at
its counter, walks the nine elements with big buttons, saves one response, resets by itself."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from antrian.domain.model import Event
from antrian.domain.survey import ELEMENTS
from antrian.services.survey import SurveyService
from antrian.storage.manager_store import ManagerStore
from counter.survey_flow import IDLE, OFFER, PROFILE, QUESTION, THANKS

pytestmark = pytest.mark.ui
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_url(tmp_path):  # the screen's behaviour does not depend on the database: SQLite only
    return f"sqlite:///{tmp_path / 'mpp.sqlite3'}"


@pytest.fixture
def screen(qtbot, qapp, queue, hall, store):
    from counter.survey_screen import SurveyScreen
    from qtshared.common import EventFeed, Runner, Translations

    tr = Translations(qapp)
    tr.set_language("id")
    runner = Runner(max_workers=1, name="test-survey")
    feed = EventFeed(queue, poll_ms=50)
    survey = SurveyService(hall, ManagerStore(store))
    w = SurveyScreen(survey, runner, feed, "7", hall.short_name, timeout_s=45, thanks_s=8)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    feed.start()
    yield w
    feed.stop()
    if feed._thread is not None:  # the feed's thread must be gone before Qt objects are
        qtbot.waitUntil(lambda: not feed._thread.is_alive(), timeout=30000)
    runner.shutdown(wait=True)
    w.shutdown()
    tr.set_language("en")


def finish_at(queue, counter):
    queue.issue("ktp")
    queue.call_next(counter)
    return queue.finish(counter)


def test_offers_after_a_finish_at_its_counter_only(qtbot, screen, queue):
    assert screen.flow.state == IDLE
    other = queue.issue("kk").ticket
    queue.call_next("8")
    queue.finish("8")
    t = finish_at(queue, "7")
    qtbot.waitUntil(lambda: screen.flow.state == OFFER, timeout=5000)
    assert screen.flow.ticket_id == t.id != other.id
    assert t.number in screen.offer_title.text() and "selesai dilayani" in screen.offer_title.text()
    assert screen.yes_button.text() == "Ya, isi survei"


def test_the_whole_survey_is_saved_once(qtbot, screen, queue, store, hall):
    t = finish_at(queue, "7")
    qtbot.waitUntil(lambda: screen.flow.state == OFFER, timeout=5000)
    screen.yes_button.click()
    assert screen.flow.state == QUESTION and screen.question.text() == ELEMENTS[0].question
    buttons = dict(screen.answer_buttons)
    assert buttons[1].text().endswith("Tidak sesuai") and buttons[4].text().endswith("Sangat sesuai")
    for i, score in enumerate([4, 3, 3, 4, 3, 4, 4, 3, 2]):
        assert screen.progress.text() == f"Pertanyaan {i + 1} dari 9"
        dict(screen.answer_buttons)[score].click()
    assert screen.flow.state == PROFILE
    screen.choice_buttons[("age_band", "30-39")].click()
    screen.choice_buttons[("sex", "P")].click()
    screen.comment.setText("petugas ramah, hubungi 081234567890")
    screen.send_button.click()
    qtbot.waitUntil(lambda: screen.flow.state == THANKS, timeout=5000)
    assert screen.thanks_title.text() == "Terima kasih!" and "www.lapor.go.id" in screen.lapor.text()
    [r] = SurveyService(hall, ManagerStore(store)).responses(t.service_day, t.service_day)
    assert r.ticket_id == t.id and r.answers == (4, 3, 3, 4, 3, 4, 4, 3, 2)
    assert r.profile.age_band == "30-39" and r.profile.sex == "P" and r.comment == "petugas ramah, hubungi [dihapus]"
    assert screen.thanks_timer.isActive()
    screen.thanks_timer.timeout.emit()  # the thanks page resets by itself
    assert screen.flow.state == IDLE
    # the same ticket finishing again (an event replayed) is not offered again
    screen._on_events([Event(type="finished", at=t.finished_at, ticket_id=t.id, number=t.number, counter_code="7")])
    qtbot.waitUntil(lambda: screen.checked_ticket == t.id, timeout=5000)
    assert screen.flow.state == IDLE


def test_back_and_idle_timeout_reset(qtbot, screen, queue):
    finish_at(queue, "7")
    qtbot.waitUntil(lambda: screen.flow.state == OFFER, timeout=5000)
    screen.yes_button.click()
    assert not screen.back_button.isVisible()
    dict(screen.answer_buttons)[2].click()
    assert screen.flow.index == 1 and screen.back_button.isVisible()
    screen.back_button.click()
    assert screen.flow.index == 0 and screen.flow.answers[0] == 2
    assert screen.idle_timer.isActive() and screen.idle_timer.interval() == 45_000
    screen.idle_timer.timeout.emit()  # nobody touched it for 45 s
    assert screen.flow.state == IDLE and screen.flow.answers == [None] * 9


def test_declining_goes_back_to_idle(qtbot, screen, queue):
    finish_at(queue, "7")
    qtbot.waitUntil(lambda: screen.flow.state == OFFER, timeout=5000)
    screen.no_button.click()
    assert screen.flow.state == IDLE


@pytest.mark.parametrize("size", [(1366, 768), (1080, 1920)])
def test_screenshots(qtbot, screen, queue, shot, size):
    screen.resize(*size)
    finish_at(queue, "7")
    qtbot.waitUntil(lambda: screen.flow.state == OFFER, timeout=5000)
    name = f"{size[0]}x{size[1]}"
    shot(screen, f"survey-offer-{name}")
    screen.yes_button.click()
    dict(screen.answer_buttons)[4].click()
    p = shot(screen, f"survey-question-{name}")
    for _ in range(8):
        dict(screen.answer_buttons)[3].click()
    shot(screen, f"survey-profile-{name}")
    assert screen.height() == size[1]
    assert p.is_file()
    assert (screen.width(), screen.height()) == size  # the layout fits: the window did not grow
    for _, b in screen.answer_buttons:  # nothing cut off: every answer button fits the window
        assert b.geometry().bottom() <= screen.height()


def test_every_string_has_an_indonesian_translation():
    ts = ET.parse(ROOT / "antrian" / "data" / "translations" / "survey_id.ts").getroot()
    have = {m.findtext("source"): m.findtext("translation") for m in ts.iter("message")}
    wanted = set()
    tree = ast.parse((ROOT / "counter" / "survey_screen.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_t" and isinstance(node.args[0], ast.Constant):
            wanted.add(node.args[0].value)
    assert wanted and not (wanted - set(have)), sorted(wanted - set(have))
    assert all(have.values())
