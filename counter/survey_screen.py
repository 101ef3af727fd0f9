"""The citizen-facing SKM screen beside a counter (`mpp survey --counter 17`).

It follows the event feed; after each finish at its counter it offers the survey (big buttons,
one element per page, the regulation's four answers), then an optional profile, then thanks with
the SP4N-LAPOR address for complaints. It resets by itself after ``timeout_s`` without a touch,
and a few seconds after the thanks. Database work runs on the Runner, never on the GUI thread;
it writes a heartbeat ("survey", counter) every few seconds."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from antrian.domain.survey import AGE_BANDS, EDUCATIONS, ELEMENTS, LAPOR_URL, OCCUPATIONS, SEXES
from counter.survey_flow import IDLE, OFFER, PROFILE, QUESTION, THANKS, SurveyFlow

log = logging.getLogger(__name__)

STYLE = """
QWidget#survey { background: #F4F7FB; }
QLabel { color: #1B2A3A; }
QLabel#title { font-size: 34px; font-weight: bold; color: #0B4F8A; }
QLabel#big { font-size: 30px; }
QLabel#question { font-size: 28px; font-weight: bold; }
QLabel#small { font-size: 20px; color: #44566B; }
QLabel#progress { font-size: 22px; color: #44566B; }
QPushButton { font-size: 26px; padding: 16px; border-radius: 12px; background: white;
              border: 2px solid #9FB3C8; color: #1B2A3A; }
QPushButton:pressed { background: #D6E6F5; }
QPushButton#answer { font-size: 28px; min-height: 58px; text-align: left; padding: 8px 8px 8px 28px;
                     border-left-width: 18px; }
QPushButton#primary { background: #0B6E4F; color: white; border: none; font-weight: bold; }
QPushButton#choice { font-size: 20px; padding: 10px; min-height: 44px; }
QPushButton#choice:checked { background: #0B4F8A; color: white; border: none; }
QLineEdit { font-size: 22px; padding: 10px; border: 2px solid #9FB3C8; border-radius: 10px; background: white; }
"""

# one colour per score (red .. green) on the answer buttons' left edge; no emoji (kiosk PCs
# rarely have an emoji font)
SCORE_COLOURS = {1: "#C0392B", 2: "#E67E22", 3: "#7CB342", 4: "#2E7D32"}


def _t(text: str) -> str:
    return QCoreApplication.translate("SurveyScreen", text)


class SurveyScreen(QWidget):
    def __init__(self, survey, runner, feed, counter_code: str, hall_name: str, *, language: str = "id",
                 timeout_s: int = 45, thanks_s: int = 8, heartbeat=None, heartbeat_s: int = 5,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("survey")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        self.survey = survey
        self.runner = runner
        self.feed = feed
        self.counter_code = str(counter_code)
        self.hall_name = hall_name
        self.language = language
        self.flow = SurveyFlow()
        self.last_event_id: int | None = None
        self.checked_ticket: int | None = None
        self.translations: object | None = None  # kept alive while the screen shows
        self.heartbeat = heartbeat
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(timeout_s * 1000)
        self.idle_timer.timeout.connect(self.reset)
        self.thanks_timer = QTimer(self)
        self.thanks_timer.setSingleShot(True)
        self.thanks_timer.setInterval(thanks_s * 1000)
        self.thanks_timer.timeout.connect(self.reset)
        self.beat_timer = QTimer(self)
        self.beat_timer.setInterval(heartbeat_s * 1000)
        self.beat_timer.timeout.connect(self._beat)
        self._build()
        feed.events.connect(self._on_events)
        if heartbeat is not None:
            self.beat_timer.start()
            self._beat()
        self.show_state()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 16, 40, 16)
        self.header = QLabel()
        self.header.setObjectName("small")
        outer.addWidget(self.header)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)

        # idle
        self.idle_page = QWidget()
        v = QVBoxLayout(self.idle_page)
        v.addStretch(1)
        self.idle_title = self._label("title", center=True)
        self.idle_text = self._label("big", center=True)
        v.addWidget(self.idle_title)
        v.addWidget(self.idle_text)
        v.addStretch(1)
        self.stack.addWidget(self.idle_page)

        # offer
        self.offer_page = QWidget()
        v = QVBoxLayout(self.offer_page)
        v.addStretch(1)
        self.offer_title = self._label("title", center=True)
        self.offer_text = self._label("big", center=True)
        v.addWidget(self.offer_title)
        v.addWidget(self.offer_text)
        v.addSpacing(24)
        self.yes_button = QPushButton()
        self.yes_button.setObjectName("primary")
        self.yes_button.setMinimumHeight(96)
        self.yes_button.clicked.connect(lambda: self._tap(self.flow.accept))
        self.no_button = QPushButton()
        self.no_button.setMinimumHeight(72)
        self.no_button.clicked.connect(lambda: self._tap(self.flow.decline))
        v.addWidget(self.yes_button)
        v.addWidget(self.no_button)
        v.addStretch(1)
        self.stack.addWidget(self.offer_page)

        # question
        self.question_page = QWidget()
        v = QVBoxLayout(self.question_page)
        self.progress = self._label("progress")
        self.element_name = self._label("small")
        self.question = self._label("question")
        v.addWidget(self.progress)
        v.addWidget(self.element_name)
        v.addWidget(self.question)
        v.addSpacing(12)
        v.setSpacing(12)
        self.answer_buttons = []
        for score in (4, 3, 2, 1):  # best first, as citizens read top-down
            b = QPushButton()
            b.setObjectName("answer")
            b.setStyleSheet(f"QPushButton#answer {{ border-left-color: {SCORE_COLOURS[score]}; }}")
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)  # taller on a portrait screen
            b.setMaximumHeight(240)
            b.clicked.connect(lambda _=False, s=score: self._tap(lambda: self.flow.answer(s)))
            self.answer_buttons.append((score, b))
            v.addWidget(b, 2)
        v.addStretch(1)
        self.back_button = QPushButton()
        self.back_button.clicked.connect(lambda: self._tap(self.flow.back))
        v.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.stack.addWidget(self.question_page)

        # profile (optional)
        self.profile_page = QWidget()
        v = QVBoxLayout(self.profile_page)
        self.profile_title = self._label("question")
        self.profile_hint = self._label("small")
        v.addWidget(self.profile_title)
        v.addWidget(self.profile_hint)
        self.choice_buttons: dict[tuple[str, str], QPushButton] = {}
        self.profile_labels = {}
        grid = QGridLayout()
        choices = (("age_band", AGE_BANDS), ("sex", tuple(SEXES)), ("education", EDUCATIONS),
                   ("occupation", OCCUPATIONS))
        for row, (name, values) in enumerate(choices):
            lab = self._label("small")
            self.profile_labels[name] = lab
            grid.addWidget(lab, row * 2, 0, 1, 4)
            line = QHBoxLayout()
            for value in values:
                b = QPushButton(SEXES.get(value, value) if name == "sex" else value)
                b.setObjectName("choice")
                b.setCheckable(True)
                b.clicked.connect(lambda _=False, n=name, val=value: self._tap(lambda: self.flow.choose(n, val)))
                self.choice_buttons[(name, value)] = b
                line.addWidget(b)
            grid.addLayout(line, row * 2 + 1, 0, 1, 4)
        v.addLayout(grid)
        self.comment_label = self._label("small")
        v.addWidget(self.comment_label)
        self.comment = QLineEdit()
        self.comment.setMaxLength(500)
        self.comment.textEdited.connect(lambda _t: self.idle_timer.start())
        v.addWidget(self.comment)
        v.addStretch(1)
        buttons_row = QHBoxLayout()
        self.profile_back = QPushButton()
        self.profile_back.clicked.connect(lambda: self._tap(self.flow.back))
        self.send_button = QPushButton()
        self.send_button.setObjectName("primary")
        self.send_button.setMinimumHeight(84)
        self.send_button.clicked.connect(self.send)
        buttons_row.addWidget(self.profile_back)
        buttons_row.addWidget(self.send_button, 1)
        v.addLayout(buttons_row)
        self.stack.addWidget(self.profile_page)

        # thanks
        self.thanks_page = QWidget()
        v = QVBoxLayout(self.thanks_page)
        v.addStretch(1)
        self.thanks_title = self._label("title", center=True)
        self.thanks_text = self._label("big", center=True)
        self.lapor = self._label("small", center=True)
        v.addWidget(self.thanks_title)
        v.addWidget(self.thanks_text)
        v.addSpacing(20)
        v.addWidget(self.lapor)
        v.addStretch(1)
        self.stack.addWidget(self.thanks_page)

    @staticmethod
    def _label(name: str, center: bool = False) -> QLabel:
        lab = QLabel()
        lab.setObjectName(name)
        lab.setWordWrap(True)
        if center:
            lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return lab

    # ------------------------------------------------------------------ behaviour
    def _tap(self, action) -> None:
        action()
        self.idle_timer.start()
        self.show_state()

    def reset(self) -> None:
        self.flow.reset()
        self.comment.clear()
        self.idle_timer.stop()
        self.thanks_timer.stop()
        self.show_state()

    def _on_events(self, events: list) -> None:
        for e in events:
            if e.id is not None:
                self.last_event_id = e.id
            if e.type == "finished" and e.counter_code == self.counter_code and e.ticket_id is not None:
                ticket_id, number = e.ticket_id, e.number
                self.runner.submit(lambda tid=ticket_id: self.survey.can_answer(tid),
                                   lambda _t, tid=ticket_id, n=number: self._checked(tid, n),
                                   lambda _exc, tid=ticket_id: self._checked(tid, None))

    def _checked(self, ticket_id: int, number: str | None) -> None:
        """The answer to "may this ticket answer?": None means no (already answered, not served)."""
        self.checked_ticket = ticket_id
        if number is not None:
            self.offer(ticket_id, number)

    def offer(self, ticket_id: int, number: str) -> None:
        self.flow.offer(ticket_id, number)
        self.comment.clear()
        self.thanks_timer.stop()
        self.idle_timer.start()
        self.show_state()

    def send(self) -> None:
        if self.flow.state != PROFILE or not self.flow.complete:
            return
        ticket_id, answers, profile = self.flow.submission()
        comment = self.comment.text()
        self.send_button.setEnabled(False)
        self.runner.submit(lambda: self.survey.submit(ticket_id, answers, profile, comment, channel="counter"),
                           lambda _rid: self._sent(None), self._sent)

    def _sent(self, exc: BaseException | None) -> None:
        if exc is not None:
            log.warning("survey not saved: %s", exc)
        self.flow.done(None if exc is None else _t("Your answers could not be saved. Thank you all the same."))
        self.idle_timer.stop()
        self.thanks_timer.start()
        self.send_button.setEnabled(True)
        self.show_state()

    def _beat(self) -> None:
        if self.heartbeat is not None:
            self.runner.submit(lambda: self.heartbeat.beat(self.flow.state))

    def shutdown(self) -> None:
        for t in (self.idle_timer, self.thanks_timer, self.beat_timer):
            t.stop()

    # ------------------------------------------------------------------ rendering
    def show_state(self) -> None:
        en = self.language == "en"
        f = self.flow
        self.header.setText(_t("Citizen Satisfaction Survey (SKM) - Counter {counter} - {hall}").format(
            counter=self.counter_code, hall=self.hall_name))
        if f.state == IDLE:
            self.idle_title.setText(_t("Citizen Satisfaction Survey"))
            self.idle_text.setText(_t("After your service at counter {counter}, please tell us how it went.")
                                   .format(counter=self.counter_code))
            self.stack.setCurrentWidget(self.idle_page)
        elif f.state == OFFER:
            self.offer_title.setText(_t("Number {number} has been served").format(number=f.number))
            self.offer_text.setText(_t("Would you answer nine short questions about our service? "
                                       "It takes one minute and asks for no personal data."))
            self.yes_button.setText(_t("Yes, answer the survey"))
            self.no_button.setText(_t("No, thank you"))
            self.stack.setCurrentWidget(self.offer_page)
        elif f.state == QUESTION:
            e = f.element
            self.progress.setText(_t("Question {n} of {total}").format(n=f.index + 1, total=len(ELEMENTS)))
            self.element_name.setText(e.name_en if en else e.name)
            self.question.setText(e.question_en if en else e.question)
            labels = e.labels_en if en else e.labels
            for score, b in self.answer_buttons:
                b.setText(f"{score}   {labels[score - 1]}")
                b.setProperty("chosen", f.answers[f.index] == score)
            self.back_button.setText(_t("Back"))
            self.back_button.setVisible(f.index > 0)
            self.stack.setCurrentWidget(self.question_page)
        elif f.state == PROFILE:
            self.profile_title.setText(_t("About you (optional)"))
            self.profile_hint.setText(_t("Tap what fits, or send straight away. No name, number or NIK is asked."))
            for name, text in (("age_band", _t("Age")), ("sex", _t("Sex")), ("education", _t("Education")),
                               ("occupation", _t("Occupation"))):
                self.profile_labels[name].setText(text)
            for (name, value), b in self.choice_buttons.items():
                b.setChecked(f.profile.get(name) == value)
            self.comment_label.setText(_t("Suggestion (optional)"))
            self.profile_back.setText(_t("Back"))
            self.send_button.setText(_t("Send"))
            self.stack.setCurrentWidget(self.profile_page)
        elif f.state == THANKS:
            self.thanks_title.setText(_t("Thank you!"))
            self.thanks_text.setText(f.error or _t("Your answers help us serve you better."))
            self.lapor.setText(_t("Complaints about public services: SP4N-LAPOR! {url}").format(url=LAPOR_URL))
            self.stack.setCurrentWidget(self.thanks_page)


def make_survey_screen(ctx, counter: str, *, language: str = "id", timeout_s: int = 45, runner=None, feed=None,
                       app=None) -> SurveyScreen:
    from antrian.services.survey import SurveyService
    from antrian.storage.manager_store import ManagerStore, make_heartbeat_writer
    from qtshared.common import EventFeed, Runner, Translations

    app = app or QApplication.instance() or QApplication(sys.argv[:1])
    translations = Translations(app)
    translations.set_language(language)
    store = ManagerStore(ctx.queue.store)
    runner = runner or Runner(max_workers=1, name="mpp-survey")
    feed = feed or EventFeed(ctx.queue, poll_ms=500)
    screen = SurveyScreen(SurveyService(ctx.hall, store), runner, feed, counter, ctx.hall.short_name,
                          language=language, timeout_s=timeout_s)
    screen.heartbeat = make_heartbeat_writer(ctx.queue.store, "survey", str(counter),
                                             last_event_id=lambda: screen.last_event_id)
    screen.beat_timer.start()
    screen.translations = translations
    return screen


def run_survey_screen(ctx, args) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Antrian MPP")
    screen = make_survey_screen(ctx, str(args.counter), language=args.lang, timeout_s=args.timeout, app=app)
    screen.setWindowTitle(f"SKM - Loket {args.counter}")
    ctx.window_built("survey", screen)
    screen.feed.start()
    if args.windowed:
        from qtshared.common import place_from_env

        place_from_env(screen)
        screen.resize(1366, 768)
        screen.show()
    else:
        screen.showFullScreen()
    try:
        return app.exec()
    finally:
        screen.shutdown()
        screen.feed.stop()
        screen.runner.shutdown(wait=False)
