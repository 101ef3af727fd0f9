"""The survey screen's flow, Qt-free: idle -> offer -> nine questions -> profile (optional) ->
thanks -> idle. The widget (counter.survey_screen) renders it and feeds it taps."""

from __future__ import annotations

from dataclasses import dataclass, field

from antrian.domain.survey import ELEMENTS, Profile

IDLE, OFFER, QUESTION, PROFILE, THANKS = "idle", "offer", "question", "profile", "thanks"
PROFILE_FIELDS = ("age_band", "sex", "education", "occupation")


@dataclass
class SurveyFlow:
    state: str = IDLE
    ticket_id: int | None = None
    number: str | None = None
    index: int = 0  # current question
    answers: list[int | None] = field(default_factory=lambda: [None] * len(ELEMENTS))
    profile: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(PROFILE_FIELDS))
    error: str | None = None

    def reset(self) -> None:
        fresh = SurveyFlow()
        self.__dict__.update(fresh.__dict__)

    def offer(self, ticket_id: int, number: str) -> None:
        """A ticket just finished at this counter (replaces any survey left half done)."""
        self.reset()
        self.state, self.ticket_id, self.number = OFFER, ticket_id, number

    def accept(self) -> None:
        if self.state == OFFER:
            self.state, self.index = QUESTION, 0

    def decline(self) -> None:
        self.reset()

    @property
    def element(self):
        return ELEMENTS[self.index]

    def answer(self, score: int) -> None:
        if self.state != QUESTION or not 1 <= score <= 4:
            return
        self.answers[self.index] = score
        if self.index + 1 < len(ELEMENTS):
            self.index += 1
        else:
            self.state = PROFILE

    def back(self) -> None:
        if self.state == QUESTION and self.index > 0:
            self.index -= 1
        elif self.state == PROFILE:
            self.state, self.index = QUESTION, len(ELEMENTS) - 1

    def choose(self, field_name: str, value: str) -> None:
        """Toggle one profile choice (a second tap clears it)."""
        if field_name in self.profile:
            self.profile[field_name] = None if self.profile[field_name] == value else value

    @property
    def complete(self) -> bool:
        return all(a is not None for a in self.answers)

    def submission(self) -> tuple[int, list[int], Profile]:
        assert self.ticket_id is not None and self.complete
        return self.ticket_id, [int(a) for a in self.answers if a is not None], Profile(**self.profile)

    def done(self, error: str | None = None) -> None:
        self.state, self.error = THANKS, error
