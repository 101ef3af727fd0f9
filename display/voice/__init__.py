"""The hall's voice: the phrase for a call, speech rendered to WAV, the chime, and the
serial announcer that plays one call after another.

Modules (import what you need; nothing here starts at import time and only
``qt_player`` imports Qt):

- ``phrases``   ``build_phrase()``: "Nomor antrean, K, dua belas. Silakan menuju loket tujuh, ..."
- ``tts``       ``SpeechRenderer``: text -> cached WAV via pyttsx3/espeak-ng in a worker process
- ``audio``     WAV utilities: chime + voice assembly, volume, ``wav_duration()``
- ``players``   the ``Player`` port and ``NullPlayer``, ``RecordingPlayer``, ``CommandPlayer``
- ``announcer`` ``Announcement``, ``AnnouncementLog``, ``Announcer`` (one call at a time, in order)
- ``qt_player`` ``QtPlayer``: plays through QtMultimedia on the GUI thread
- ``cli``       ``announce_command()`` behind ``mpp announce``
- ``bench``     ``bench_voice()``
"""
