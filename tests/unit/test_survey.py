"""The SKM of PermenPAN-RB 14/2017 and its index: pure domain tests with golden examples."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from antrian.domain.survey import (
    ELEMENTS,
    InvalidAnswer,
    Profile,
    check_answers,
    clean_comment,
    compute_ikm,
    mutu,
)

GOLDEN = [
    [4, 4, 4, 4, 4, 4, 4, 4, 4],
    [3, 3, 3, 4, 3, 3, 3, 3, 3],
    [3, 4, 3, 4, 3, 3, 4, 3, 2],
    [2, 3, 3, 4, 3, 4, 3, 3, 3],
]


def test_golden_ikm_worked_by_hand():
    """Four respondents (rows above), worked by hand:

    sums per element  U1..U9 = 12, 14, 13, 16, 13, 14, 14, 13, 12   (total 121)
    NRR = sum / 4           = 3, 3.5, 3.25, 4, 3.25, 3.5, 3.5, 3.25, 3
    NRR tertimbang = NRR/9  ; their sum = 121 / 4 / 9 = 121/36 = 3.3611...
    IKM = 121/36 x 25 = 3025/36 = 84.02777... -> 84.03 -> mutu B (76.61-88.30), "Baik".
    (With the weight 0.111 instead of 1/9: 30.25 x 0.111 x 25 = 83.94, a different published figure.)
    """
    r = compute_ikm(GOLDEN)
    assert r.respondents == 4
    assert r.sums == (12, 14, 13, 16, 13, 14, 14, 13, 12)
    assert r.nrr == tuple(Fraction(x) for x in ("3", "3.5", "3.25", "4", "3.25", "3.5", "3.5", "3.25", "3"))
    assert r.nrr_weighted[0] == Fraction(1, 3)
    assert r.nrr_unit == Fraction(121, 36)
    assert r.ikm == Fraction(3025, 36)
    assert r.ikm_decimal == Decimal("84.03")
    assert (r.mutu.letter, r.mutu.label) == ("B", "Baik")


def test_exact_ninth_changes_the_grade_where_0111_would_not():
    """Five respondents scoring 32, 32, 32, 32 and 31 (total 159):
    IKM = 159 / 5 / 9 x 25 = 3975/45 = 88.333... -> 88.33 -> A (Sangat Baik).
    With 0.111: 31.8 x 0.111 x 25 = 88.245 -> B. The regulation's 1/9 gives A."""
    rows = [[4, 4, 4, 4, 4, 3, 3, 3, 3]] * 4 + [[4, 4, 4, 4, 3, 3, 3, 3, 3]]
    r = compute_ikm(rows)
    assert r.ikm == Fraction(3975, 45)
    assert r.ikm_decimal == Decimal("88.33")
    assert r.mutu.letter == "A"
    assert Decimal("31.8") * Decimal("0.111") * 25 < Decimal("88.31")


@pytest.mark.parametrize("value,letter", [
    ("100", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"), ("76.60", "C"), ("65.00", "C"),
    ("64.99", "D"), ("25.00", "D"), ("88.305", "A"),  # published as 88.31 (half-up)
])
def test_mutu_boundaries(value, letter):
    assert mutu(Decimal(value)).letter == letter


def test_all_ones_and_all_fours():
    assert compute_ikm([[1] * 9]).ikm_decimal == Decimal("25.00")
    assert compute_ikm([[1] * 9]).mutu.label == "Tidak Baik"
    assert compute_ikm([[4] * 9]).ikm_decimal == Decimal("100.00")


def test_no_respondents():
    r = compute_ikm([])
    assert r.respondents == 0 and r.ikm is None and r.mutu is None


def test_nine_elements_with_the_regulations_wording():
    assert len(ELEMENTS) == 9 and [e.code for e in ELEMENTS] == [f"U{i}" for i in range(1, 10)]
    assert ELEMENTS[0].name == "Persyaratan"
    assert ELEMENTS[0].labels == ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")
    assert ELEMENTS[3].labels == ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")
    assert ELEMENTS[8].labels[-1] == "Dikelola dengan baik"
    assert all(len(e.labels) == 4 and len(e.labels_en) == 4 for e in ELEMENTS)


@pytest.mark.parametrize("bad", [[0] + [3] * 8, [5] + [3] * 8, [3] * 8, [3] * 10, [3.5] + [3] * 8,
                                 [True] + [3] * 8, ["4"] + [3] * 8])
def test_answers_outside_the_scale_are_refused(bad):
    with pytest.raises(InvalidAnswer):
        check_answers(bad)


def test_answers_by_element_code():
    assert check_answers({f"U{i}": 2 for i in range(1, 10)}) == (2,) * 9
    with pytest.raises(InvalidAnswer, match="missing U9"):
        check_answers({f"U{i}": 2 for i in range(1, 9)})


def test_profile_is_categories_only():
    Profile("20-29", "P", "SMA", "Swasta")
    with pytest.raises(InvalidAnswer):
        Profile(age_band="27")
    with pytest.raises(InvalidAnswer):
        Profile(sex="X")


def test_comment_keeps_no_phone_or_nik():
    assert clean_comment("  bagus   sekali ") == "bagus sekali"
    assert clean_comment("hubungi 0812-3456-7890 ya") == "hubungi [dihapus] ya"
    assert clean_comment("NIK saya 3671012345678901") == "NIK saya [dihapus]"
    assert clean_comment("loket 7 cepat") == "loket 7 cepat"
    assert len(clean_comment("x" * 2000)) == 500
    assert clean_comment("") is None
