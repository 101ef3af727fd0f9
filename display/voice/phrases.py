"""The words the hall speaks for one call.

Most Indonesian halls read the number as words ("dua belas", never "satu dua" and never "nol nol
satu dua") and spell the prefix letter; some read it digit by digit with the ticket's zeros
("A nol nol empat"). The hall chooses with ``[hall] number_reading`` ("words", the default, or
"digits"; see ``READINGS``). The text is built here, in full, so the speech engine
never has to guess: espeak-ng reads "K012" as "ka nol satu dua" and "PDAM" as a word.

The prefix letter is written as a lone capital between commas ("Nomor antrean, K, dua belas.").
Checked with ``espeak-ng -v id -x``: a lone capital is read as its Indonesian letter name for
every letter A-Z (K -> [k'a], C -> [tS'e], H -> [h'a], R -> ['ER], V -> [f'e], Y -> [j'e],
Z -> [z'Et]), the same sound the spelled form "Ka" gives, and the English voice reads the same
text as English letter names (K -> [k'eI]). Writing the bare letter therefore needs no
per-letter table, works in both languages, and the text still reads well in the log.
"""

from __future__ import annotations

import re

from num2words import num2words

LANGUAGES = ("id", "en")
READINGS = ("words", "digits")  # [hall] number_reading

_TEMPLATES = {
    "id": {
        "call": "Nomor antrean, {letters}{number}. Silakan menuju loket {counter}{agency}.",
        "recall": "Panggilan ulang. ",
    },
    "en": {
        "call": "Queue number, {letters}{number}. Please proceed to counter {counter}{agency}.",
        "recall": "Calling again. ",
    },
}

_DIGITS = re.compile(r"\d+")


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r} (use one of: {', '.join(LANGUAGES)})")
    return lang


def number_words(n: int, lang: str = "id") -> str:
    """A whole number as words: 0 -> "nol", 12 -> "dua belas", 1100 -> "seribu seratus".

    Commas that num2words puts in long English numbers ("one thousand, one hundred") are
    dropped so the voice does not pause inside a number.
    """
    _check_lang(lang)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected a whole number, got {n!r}")
    if n < 0:
        raise ValueError(f"cannot call a negative number ({n})")
    words = num2words(n, lang=lang)
    return " ".join(words.replace(",", " ").split())


def digit_words(digits: str, lang: str = "id") -> str:
    """Each digit as a word: "004" -> "nol nol empat" (en: "zero zero four")."""
    _check_lang(lang)
    if not digits or not digits.isdigit() or not digits.isascii():
        raise ValueError(f"expected digits, got {digits!r}")
    return " ".join(number_words(int(d), lang) for d in digits)


def spoken_number(seq: int, lang: str = "id", reading: str = "words", number: str | None = None) -> str:
    """The ticket number as heard. ``reading`` "words": 12 -> "dua belas"; "digits": the digits
    of the number as printed (``number``, e.g. "K-004", keeps the hall's zero padding; without it
    the bare ``seq``) one by one -> "nol nol empat"."""
    if reading not in READINGS:
        raise ValueError(f"unknown number reading {reading!r} (use one of: {', '.join(READINGS)})")
    if reading == "words":
        return number_words(seq, lang)
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise ValueError(f"cannot call {seq!r}")
    runs = _DIGITS.findall(number or "")
    digits = runs[-1] if runs and int(runs[-1]) == seq else str(seq)
    return digit_words(digits, lang)


def spell_letters(prefix: str) -> str:
    """The prefix as separate capital letters: "k" -> "K", "AB" -> "A B"."""
    letters = prefix.strip().upper()
    if not letters.isascii() or not all(ch.isalpha() for ch in letters):
        raise ValueError(f"prefix must be letters A-Z, got {prefix!r}")
    return " ".join(letters)


def speakable(text: str, lang: str = "id") -> str:
    """Free text (a spoken agency name) with digit runs turned into words: "Samsat 2" ->
    "Samsat dua"."""
    _check_lang(lang)
    text = _DIGITS.sub(lambda m: number_words(int(m.group()), lang), text)
    return " ".join(text.split())


def build_phrase(
    prefix: str,
    seq: int,
    counter_number: int,
    spoken_agency: str,
    lang: str = "id",
    recall: bool = False,
    reading: str = "words",
    number: str | None = None,
) -> str:
    """The full sentence for one call.

    >>> build_phrase("K", 12, 7, "Disdukcapil")
    'Nomor antrean, K, dua belas. Silakan menuju loket tujuh, Disdukcapil.'
    >>> build_phrase("K", 12, 7, "Disdukcapil", lang="en")
    'Queue number, K, twelve. Please proceed to counter seven, Disdukcapil.'

    ``spoken_agency`` is the name as it should be heard (e.g. "A T R B P N"); empty leaves the
    agency out. ``recall`` puts "Panggilan ulang." / "Calling again." in front. ``reading`` and
    ``number`` (the number as printed, "K-004"): see ``spoken_number``.

    >>> build_phrase("A", 4, 7, "Polres", reading="digits", number="A-004")
    'Nomor antrean, A, nol nol empat. Silakan menuju loket tujuh, Polres.'
    """
    t = _TEMPLATES[_check_lang(lang)]
    letters = spell_letters(prefix)
    agency = speakable(spoken_agency or "", lang).rstrip(" .,")
    text = t["call"].format(
        letters=f"{letters}, " if letters else "",
        number=spoken_number(seq, lang, reading, number),
        counter=number_words(counter_number, lang),
        agency=f", {agency}" if agency else "",
    )
    return (t["recall"] if recall else "") + text
