from __future__ import annotations

import re

import pytest

from display.voice.phrases import build_phrase, number_words, speakable, spell_letters

ID_WORDS = {
    0: "nol",
    7: "tujuh",
    10: "sepuluh",
    11: "sebelas",
    12: "dua belas",
    100: "seratus",
    101: "seratus satu",
    110: "seratus sepuluh",
    999: "sembilan ratus sembilan puluh sembilan",
    1000: "seribu",
}


@pytest.mark.parametrize(("n", "words"), sorted(ID_WORDS.items()))
def test_indonesian_number_words(n, words):
    assert number_words(n, "id") == words
    assert build_phrase("K", n, 7, "Disdukcapil") == (
        f"Nomor antrean, K, {words}. Silakan menuju loket tujuh, Disdukcapil."
    )


def test_the_standard_phrases():
    assert build_phrase("K", 12, 7, "Disdukcapil") == (
        "Nomor antrean, K, dua belas. Silakan menuju loket tujuh, Disdukcapil."
    )
    assert build_phrase("K", 12, 7, "Disdukcapil", lang="en") == (
        "Queue number, K, twelve. Please proceed to counter seven, Disdukcapil."
    )


def test_counter_numbers_are_words_too():
    assert "loket sebelas" in build_phrase("A", 1, 11, "Polres")
    assert "loket seratus sepuluh" in build_phrase("A", 1, 110, "Polres")
    assert "counter twelve" in build_phrase("A", 1, 12, "Polres", lang="en")


def test_no_leading_zeros_and_never_digit_by_digit():
    # seq 12 of "K-012": not "nol satu dua", not "satu dua"
    text = build_phrase("K", int("012"), 7, "Disdukcapil")
    assert "nol" not in text
    assert "satu dua" not in text
    assert ", dua belas." in text


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("seq", [0, 1, 7, 10, 11, 12, 19, 20, 99, 100, 101, 110, 999, 1000, 1100, 9999])
def test_no_digits_in_any_phrase(seq, lang):
    for recall in (False, True):
        text = build_phrase("P", seq, seq % 40 + 1, "Samsat 2", lang=lang, recall=recall)
        assert not re.search(r"\d", text), text


def test_english_long_numbers_have_no_commas_inside():
    assert number_words(1100, "en") == "one thousand one hundred"
    assert build_phrase("A", 1100, 1, "X", lang="en").startswith("Queue number, A, one thousand one hundred.")


@pytest.mark.parametrize("letter", list("ABCDEFGHJKLMNPRSTUVWXYZ"))
def test_the_prefix_letter_is_spelled_as_a_lone_capital(letter):
    # espeak-ng -v id reads a lone capital as its letter name (K -> "ka", C -> "ce", ...).
    text = build_phrase(letter, 5, 1, "Agency")
    assert text.startswith(f"Nomor antrean, {letter}, lima.")


def test_prefix_is_normalised_and_checked():
    assert spell_letters("k") == "K"
    assert spell_letters("ab") == "A B"
    assert spell_letters("") == ""
    assert build_phrase("", 3, 2, "Dinsos") == "Nomor antrean, tiga. Silakan menuju loket dua, Dinsos."
    for bad in ("K1", "K-", "É"):
        with pytest.raises(ValueError):
            spell_letters(bad)


def test_spoken_names_are_used_as_given():
    assert build_phrase("D", 4, 9, "A T R B P N").endswith("loket sembilan, A T R B P N.")
    assert build_phrase("P", 4, 9, "P D A M").endswith("loket sembilan, P D A M.")
    assert build_phrase("R", 4, 9, "Bank B J B").endswith("loket sembilan, Bank B J B.")
    assert speakable("Samsat 2") == "Samsat dua"
    assert speakable("Samsat 2", "en") == "Samsat two"


def test_empty_agency_is_left_out():
    assert build_phrase("K", 12, 7, "") == "Nomor antrean, K, dua belas. Silakan menuju loket tujuh."
    assert build_phrase("K", 12, 7, "  ") == "Nomor antrean, K, dua belas. Silakan menuju loket tujuh."


def test_recall_prefix():
    assert build_phrase("K", 12, 7, "Disdukcapil", recall=True) == (
        "Panggilan ulang. Nomor antrean, K, dua belas. Silakan menuju loket tujuh, Disdukcapil."
    )
    assert build_phrase("K", 12, 7, "Disdukcapil", lang="en", recall=True) == (
        "Calling again. Queue number, K, twelve. Please proceed to counter seven, Disdukcapil."
    )


def test_bad_input():
    with pytest.raises(ValueError):
        build_phrase("K", -1, 7, "X")
    with pytest.raises(ValueError):
        build_phrase("K", 1, 7, "X", lang="jv")
    with pytest.raises(TypeError):
        build_phrase("K", "12", 7, "X")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        number_words(True)  # type: ignore[arg-type]


# ---------------------------------------------------------------- [hall] number_reading (issue 15.16)

def test_digits_reading_keeps_the_printed_zeros():
    from display.voice.phrases import spoken_number

    assert build_phrase("A", 4, 7, "Polres", reading="digits", number="A-004") == (
        "Nomor antrean, A, nol nol empat. Silakan menuju loket tujuh, Polres."
    )
    assert build_phrase("K", 12, 7, "Disdukcapil", reading="digits", number="K-012") == (
        "Nomor antrean, K, nol satu dua. Silakan menuju loket tujuh, Disdukcapil."
    )
    assert spoken_number(1234, "id", "digits", "K-1234") == "satu dua tiga empat"
    assert spoken_number(4, "en", "digits", "A-004") == "zero zero four"
    assert spoken_number(4, "id", "digits") == "empat"  # no printed form: the bare number
    assert spoken_number(4, "id", "digits", "A-005") == "empat"  # a mismatch never reads another number


def test_words_reading_is_the_default_and_unchanged():
    assert build_phrase("A", 4, 7, "Polres", number="A-004") == build_phrase("A", 4, 7, "Polres") == (
        "Nomor antrean, A, empat. Silakan menuju loket tujuh, Polres."
    )
    assert build_phrase("K", 12, 7, "Disdukcapil", reading="words", number="K-012").count("dua belas") == 1


def test_unknown_reading_is_refused():
    with pytest.raises(ValueError, match="number reading"):
        build_phrase("A", 4, 7, "Polres", reading="short")


def test_hall_setting_is_validated_and_defaults_to_words():
    from antrian.config import HallFile, build_hall
    from tests.conftest import hall_dict

    assert build_hall(HallFile.model_validate(hall_dict())).number_reading == "words"
    hall = build_hall(HallFile.model_validate(hall_dict(number_reading="digits")))
    assert hall.number_reading == "digits"
    with pytest.raises(Exception):
        HallFile.model_validate(hall_dict(number_reading="short"))


def test_announcer_passes_the_reading_and_the_printed_number(tmp_path):
    from display.voice.announcer import Announcement, Announcer

    seen = []

    def phrase(*args, **kw):
        seen.append((args, kw))
        return "x"

    class NoPlayer:
        def play(self, path):
            pass

    a = Announcer(None, NoPlayer(), work_dir=tmp_path, phrase=phrase, number_reading="digits")
    a.submit(Announcement(event_id=1, number="A-004", prefix="A", seq=4, counter_number=7))
    assert a.wait_idle(timeout=10)
    a.stop()
    assert seen and seen[0][1]["reading"] == "digits" and seen[0][1]["number"] == "A-004"
