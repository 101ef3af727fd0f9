"""``mpp display`` and ``mpp announce``. Imports no Qt: the window is imported when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from antrian.domain.errors import QueueError, UsageError


def _screen(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a screen number (0 = primary)") from None
    if not 0 <= v <= 16:
        raise argparse.ArgumentTypeError(f"screen {v} must be between 0 and 16")
    return v


def add_commands(sub) -> None:
    d = sub.add_parser("display", help="the hall display: every call on the big screen, with voice")
    d.add_argument("--screen", type=_screen, metavar="N",
                   help="monitor to use, 0 = primary (default: [display] screen of the station config)")
    d.add_argument("--windowed", action="store_true", help="a normal window instead of full screen (testing)")
    d.add_argument("--zone", metavar="AGENCY,...",
                   help="only these agencies (codes) or loket numbers, e.g. disdukcapil,dinsos or 17,18")
    d.add_argument("--lang", choices=("id", "en"),
                   help="language of the screen and the voice (default: [display.voice] language, id)")
    d.add_argument("--no-voice", action="store_true", help="show calls without chime or voice")
    d.set_defaults(func=cmd_display)

    a = sub.add_parser("announce", help="speak one call (chime + voice), or write it to a WAV file")
    a.add_argument("number", help="ticket number, e.g. K-012 or K12")
    a.add_argument("--counter", required=True, metavar="CODE", help="loket number, e.g. 7")
    a.add_argument("--wav", type=Path, metavar="PATH", help="write the announcement to this WAV file instead of playing it")
    a.add_argument("--lang", choices=("id", "en"), help="language (default: [display.voice] language, id)")
    a.add_argument("--recall", action="store_true", help="announce it as a repeated call")
    a.set_defaults(func=cmd_announce)


def cmd_display(args) -> int:
    from mpp.cli import context_from

    ctx = context_from(args)
    from display.app import run_display

    return run_display(ctx, args)


def resolve_call(hall, number: str, counter_code: str):
    """(prefix, seq, counter, agency) for ``mpp announce``; UsageError when unknown."""
    from antrian.domain.model import parse_ticket_ref

    ref = parse_ticket_ref(number)
    if ref is None or ref.prefix is None:
        raise UsageError(f"'{number}' is not a ticket number: give a letter and a number, like K-012 or K12")
    if hall.agency_by_prefix(ref.prefix) is None:
        letters = ", ".join(sorted(a.prefix for a in hall.agencies))
        raise UsageError(f"no agency uses the letter '{ref.prefix}' (letters in this hall: {letters})")
    counter = hall.find_counter(str(counter_code).strip())
    if counter is None:
        known = ", ".join(c.code for c in hall.counters)
        raise UsageError(f"unknown counter '{counter_code}': give a loket number ({known})")
    return ref.prefix, ref.seq, counter, hall.agency(counter.agency_code)


def cmd_announce(args) -> int:
    from mpp.cli import context_from, emit

    ctx = context_from(args)
    hall = ctx.hall
    prefix, seq, counter, agency = resolve_call(hall, args.number, args.counter)
    voice = ctx.station.display.voice
    lang = args.lang or voice.language
    if args.wav is not None:
        import os

        target = args.wav.expanduser()
        if target.is_dir():
            raise UsageError(f"--wav: {target} is a folder; give a file name, e.g. {target / 'call.wav'}")
        folder = target.resolve().parent
        if not folder.is_dir():
            raise UsageError(f"--wav: folder {folder} does not exist; create it or choose another path")
        if not os.access(folder, os.W_OK):
            raise UsageError(f"--wav: folder {folder} is not writable; choose another path")

    from display.voice.audio import wav_duration
    from display.voice.cli import announce_command
    from display.voice.phrases import build_phrase
    from display.voice.tts import SpeechError, SpeechUnavailable

    reading = dict(reading=hall.number_reading, number=hall.format_number(prefix, seq))  # [hall] number_reading
    text = build_phrase(prefix, seq, counter.number, agency.spoken_name, lang=lang, recall=args.recall, **reading)
    try:
        path = announce_command(
            prefix, seq, counter.number, agency.spoken_name, lang=lang, repeat=voice.repeat,
            volume=voice.volume, rate=voice.rate, wav_out=args.wav, chime=voice.chime, recall=args.recall,
            **reading,
        )
    except SpeechUnavailable as e:
        raise QueueError(f"speech is not available: {e} (install espeak-ng; see README)") from None
    except SpeechError as e:
        raise QueueError(f"speech failed: {e}") from None
    except ValueError as e:
        raise UsageError(str(e)) from None
    except OSError as e:  # the WAV file cannot be written
        raise UsageError(f"--wav: cannot write {args.wav}: {e.strerror or e}") from None
    number = hall.format_number(prefix, seq)
    if path is None:  # rendered but no audio output; the reason is on stderr already
        return 1
    seconds = round(wav_duration(path), 2)
    data = {"number": number, "counter": counter.code, "lang": lang, "recall": args.recall, "text": text,
            "wav": str(path), "seconds": seconds, "played": args.wav is None}
    if args.wav is not None:
        emit(args, data, f"{path} ({seconds:.2f} s)")
    else:
        emit(args, data, f"announced {number} at loket {counter.number} ({seconds:.2f} s): {text}")
    return 0
