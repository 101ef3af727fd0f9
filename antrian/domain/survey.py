"""The Survei Kepuasan Masyarakat (SKM) of PermenPAN-RB 14/2017 and its index (IKM). Pure Python.

Nine elements (unsur), each answered on the regulation's 1-4 scale with the wording of its
example questionnaire (Lampiran, "Kuesioner"): the questionnaire asks sarana dan prasarana (8)
before penanganan pengaduan (9); the order does not change the index.

IKM (the regulation's formula, exact arithmetic):
    NRR per element          = sum of its scores / respondents
    NRR tertimbang           = NRR x 1/9          (weight exactly 1/9, not 0.111)
    IKM unit pelayanan       = sum of NRR tertimbang x 25
    mutu                     = A 88.31-100.00 Sangat Baik, B 76.61-88.30 Baik,
                               C 65.00-76.60 Kurang Baik, D 25.00-64.99 Tidak Baik
The grade is read from the IKM rounded half-up to two decimals, the figure that is published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

from antrian.domain.errors import QueueError

LAPOR_URL = "https://www.lapor.go.id"
LAPOR_TEXT = "Pengaduan: SP4N-LAPOR! www.lapor.go.id"
WEIGHT = Fraction(1, 9)


class SurveyError(QueueError):
    code = "survey_error"
    exit_code = 2


class InvalidAnswer(SurveyError):
    code = "survey_invalid_answer"


class AlreadyAnswered(SurveyError):
    code = "survey_already_answered"
    exit_code = 5


class NotSurveyable(SurveyError):
    code = "survey_not_surveyable"
    exit_code = 6


@dataclass(frozen=True)
class Element:
    code: str  # U1..U9
    name: str  # the element as the regulation names it
    question: str  # Bahasa Indonesia, the questionnaire's wording
    labels: tuple[str, str, str, str]  # answers 1..4
    name_en: str
    question_en: str
    labels_en: tuple[str, str, str, str]


ELEMENTS: tuple[Element, ...] = (
    Element("U1", "Persyaratan",
            "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
            ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
            "Requirements", "Do the requirements fit the service?",
            ("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate")),
    Element("U2", "Sistem, mekanisme dan prosedur",
            "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
            ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
            "System, mechanism and procedure", "How easy is the procedure here?",
            ("Not easy", "Less easy", "Easy", "Very easy")),
    Element("U3", "Waktu penyelesaian",
            "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
            ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
            "Completion time", "How fast was the service?",
            ("Not fast", "Less fast", "Fast", "Very fast")),
    Element("U4", "Biaya/tarif",
            "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
            ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
            "Cost/fee", "How fair was the cost of the service?",
            ("Very expensive", "Quite expensive", "Cheap", "Free")),
    Element("U5", "Produk spesifikasi jenis pelayanan",
            "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam "
            "standar pelayanan dengan hasil yang diberikan?",
            ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
            "Service product", "Does what you received match the service standard?",
            ("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate")),
    Element("U6", "Kompetensi pelaksana",
            "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
            ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
            "Staff competence", "How competent was the officer?",
            ("Not competent", "Less competent", "Competent", "Very competent")),
    Element("U7", "Perilaku pelaksana",
            "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
            ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
            "Staff behaviour", "How polite and friendly was the officer?",
            ("Not polite and friendly", "Less polite and friendly", "Polite and friendly",
             "Very polite and friendly")),
    Element("U8", "Sarana dan prasarana",
            "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
            ("Buruk", "Cukup", "Baik", "Sangat baik"),
            "Facilities", "How good are the facilities?",
            ("Poor", "Fair", "Good", "Very good")),
    Element("U9", "Penanganan pengaduan, saran dan masukan",
            "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
            ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
            "Handling of complaints, suggestions and feedback", "How are users' complaints handled?",
            ("None", "Exists but does not work", "Works, not fully", "Well managed")),
)

# The optional respondent profile: bands and categories only, never a name, number or NIK.
AGE_BANDS = ("<20", "20-29", "30-39", "40-49", "50-59", "60+")
SEXES = {"L": "Laki-laki", "P": "Perempuan"}
EDUCATIONS = ("SD", "SMP", "SMA", "D1-D3", "D4/S1", "S2", "S3")
OCCUPATIONS = ("PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Pelajar/Mahasiswa", "Lainnya")
COMMENT_MAX = 500
_LONG_DIGITS = re.compile(r"(?:\+?\d[\d\s.-]{6,}\d)")


@dataclass(frozen=True)
class Profile:
    age_band: str | None = None
    sex: str | None = None
    education: str | None = None
    occupation: str | None = None

    def __post_init__(self) -> None:
        for name, value, allowed in (("age_band", self.age_band, AGE_BANDS), ("sex", self.sex, tuple(SEXES)),
                                     ("education", self.education, EDUCATIONS),
                                     ("occupation", self.occupation, OCCUPATIONS)):
            if value is not None and value not in allowed:
                raise InvalidAnswer(f"{name} '{value}' is not one of {', '.join(allowed)}", field=name)


def check_answers(answers: Sequence[int] | Mapping[str, int]) -> tuple[int, ...]:
    """Nine whole numbers 1-4 (a sequence in element order, or a mapping U1..U9)."""
    if isinstance(answers, Mapping):
        missing = [e.code for e in ELEMENTS if e.code not in answers]
        extra = [k for k in answers if k not in {e.code for e in ELEMENTS}]
        if missing or extra:
            raise InvalidAnswer(f"answers need exactly {', '.join(e.code for e in ELEMENTS)}"
                                + (f"; missing {', '.join(missing)}" if missing else "")
                                + (f"; unknown {', '.join(map(str, extra))}" if extra else ""))
        answers = [answers[e.code] for e in ELEMENTS]
    answers = tuple(answers)
    if len(answers) != len(ELEMENTS):
        raise InvalidAnswer(f"the survey has {len(ELEMENTS)} elements, got {len(answers)} answers")
    for e, a in zip(ELEMENTS, answers):
        if isinstance(a, bool) or not isinstance(a, int) or not 1 <= a <= 4:
            raise InvalidAnswer(f"{e.code} ({e.name}): answer {a!r} is outside 1-4", element=e.code, value=a)
    return answers


def clean_comment(text: str | None) -> str | None:
    """Trim, cap at COMMENT_MAX, and blank out long digit runs (phone numbers, NIK): the survey
    keeps no personal data."""
    if not text:
        return None
    text = " ".join(str(text).split())[:COMMENT_MAX]
    text = _LONG_DIGITS.sub("[dihapus]", text)
    return text or None


@dataclass(frozen=True)
class Mutu:
    letter: str
    label: str
    label_en: str


MUTU = (
    (Decimal("88.31"), Mutu("A", "Sangat Baik", "Very good")),
    (Decimal("76.61"), Mutu("B", "Baik", "Good")),
    (Decimal("65.00"), Mutu("C", "Kurang Baik", "Fair")),
    (Decimal("25.00"), Mutu("D", "Tidak Baik", "Poor")),
)


def to_decimal(value: Fraction, places: int = 2) -> Decimal:
    q = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(q, rounding=ROUND_HALF_UP)


def mutu(ikm_value: Fraction | Decimal) -> Mutu:
    v = to_decimal(ikm_value) if isinstance(ikm_value, Fraction) else ikm_value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    for floor, m in MUTU:
        if v >= floor:
            return m
    return MUTU[-1][1]


@dataclass(frozen=True)
class IkmResult:
    respondents: int
    sums: tuple[int, ...]  # per element
    nrr: tuple[Fraction, ...]  # per element
    nrr_weighted: tuple[Fraction, ...]  # nrr x 1/9
    ikm: Fraction | None  # None without respondents
    mutu: Mutu | None

    @property
    def ikm_decimal(self) -> Decimal | None:
        return None if self.ikm is None else to_decimal(self.ikm)

    @property
    def grade(self) -> Mutu:
        """The mutu of a result with respondents (a report row always has some)."""
        if self.mutu is None:
            raise ValueError("no respondents: no grade")
        return self.mutu

    @property
    def ikm_value(self) -> Decimal:
        """The published IKM (two decimals) of a result with respondents."""
        if self.ikm is None:
            raise ValueError("no respondents: no IKM")
        return to_decimal(self.ikm)

    @property
    def nrr_unit(self) -> Fraction | None:
        """Sum of weighted NRR (the unit's index on the 1-4 scale)."""
        return sum(self.nrr_weighted, Fraction(0)) if self.respondents else None


def compute_ikm(answer_rows: Iterable[Sequence[int]]) -> IkmResult:
    sums = [0] * len(ELEMENTS)
    n = 0
    for row in answer_rows:
        row = check_answers(row)
        n += 1
        for i, a in enumerate(row):
            sums[i] += a
    if n == 0:
        return IkmResult(0, tuple(sums), (), (), None, None)
    nrr = tuple(Fraction(s, n) for s in sums)
    weighted = tuple(v * WEIGHT for v in nrr)
    value = sum(weighted, Fraction(0)) * 25
    return IkmResult(n, tuple(sums), nrr, weighted, value, mutu(value))
