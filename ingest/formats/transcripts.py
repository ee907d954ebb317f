"""Video and MOOC transcripts: WebVTT and SRT subtitles (webvtt-py reads both). Cues become
passages that keep their start and end times; a speaker comes from a WebVTT voice tag
(``<v Marie Dupont>``) or from a cue that opens with a name in capitals (« INTERVENANT : »)."""
from __future__ import annotations

import io
import re
from pathlib import Path

from ..errors import UnreadableDocument
from .builder import Draft, TextBuilder

# « MARIE DUPONT : », « INTERVENANT 2 : », « JEAN-PIERRE L'HÔTE : » (capitals: a sentence such as
# « Exemple : … » must not become a speaker)
UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ"
SPEAKER = re.compile(rf"^(?P<name>[{UPPER}][{UPPER}0-9 .’'\-]{{1,50}}?)\s*:\s+(?P<text>\S.*)$", re.S)


def read_subtitles(path: Path) -> Draft:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    kind = "webvtt" if path.suffix.lower() == ".vtt" else "srt"
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"{path.name} : sous-titres non UTF-8", "not_utf8") from exc
    try:
        captions = webvtt.from_buffer(io.StringIO(raw.replace("\r\n", "\n")),
                                      format="vtt" if kind == "webvtt" else "srt").captions
    except (MalformedFileError, MalformedCaptionError, ValueError, IndexError) as exc:
        raise UnreadableDocument(f"{path.name} : sous-titres {kind.upper()} illisibles ({exc or type(exc).__name__})",
                                 f"broken_{kind}") from exc
    timings = sum("-->" in line for line in raw.splitlines())
    if len(captions) < timings:     # the parser skips a malformed cue: say so rather than lose it
        raise UnreadableDocument(f"{path.name} : {timings - len(captions)} sous-titre(s) illisible(s) sur {timings} "
                                 f"(horodatage mal formé ?)", f"broken_{kind}")
    text = TextBuilder()
    speaker = None
    for caption in captions:
        line = " ".join(caption.text.split())
        voice = getattr(caption, "voice", None)
        named = SPEAKER.match(line)
        if voice:
            speaker = " ".join(voice.split())
        elif named:
            speaker, line = named.group("name").title(), named.group("text")    # MARIE DUPONT → Marie Dupont
        text.cue(line, caption.start_time.in_milliseconds() / 1000, caption.end_time.in_milliseconds() / 1000,
                 speaker)
    if not text.cues:
        raise UnreadableDocument(f"{path.name} : aucun sous-titre", "no_text")
    return text.draft("time")
