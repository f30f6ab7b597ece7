"""Where a voice comes from, as written by a user: one parser for `--voice` and for voice profiles.

    fantine                      a catalogue voice (tts.catalogue.VOICES)
    voices/me.wav                an audio file to clone (AUDIO_SUFFIXES), relative to a base directory
    me.safetensors               an exported voice state
    hf://org/repo/file.wav@rev   a file on the Hugging Face hub: a state if it ends in .safetensors

`VoiceSource.parse` checks what it can without the model (the file exists, the name is in the catalogue);
`load_voice` turns the source's `location` into a voice state.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from audiobook_tts.tts.catalogue import VOICES
from audiobook_tts.tts.errors import ModelError

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aiff", ".aif")
STATE_SUFFIX = ".safetensors"
HUB_PREFIX = "hf://"


class VoiceSourceError(ModelError):
    """A voice that names no usable source; the message says what is wrong and what is allowed."""


@dataclass(frozen=True)
class VoiceSource:
    kind: Literal["name", "audio", "state"]  # catalogue name, audio file to clone, exported voice state
    name: str  # as written
    path: Path | None = None  # absolute, for a local audio or state file

    @classmethod
    def parse(
        cls, raw: str, base: Path, what: str = "voice", relative_to: str = "the current directory"
    ) -> VoiceSource:
        """A voice as written (paths relative to `base`), checked; VoiceSourceError naming `what`."""
        raw = raw.strip()
        if raw.startswith(HUB_PREFIX):
            return cls("state" if raw.rsplit("@", 1)[0].endswith(STATE_SUFFIX) else "audio", raw)
        suffix = Path(raw).suffix.lower()
        if suffix == STATE_SUFFIX:
            return cls("state", raw, existing_file(raw, base, f"{what} state", relative_to))
        if suffix in AUDIO_SUFFIXES:
            return cls("audio", raw, existing_file(raw, base, f"{what} audio", relative_to))
        if "/" in raw or "\\" in raw or suffix:
            raise VoiceSourceError(
                f"{what} {raw!r} is a file of an unknown kind; use an audio file"
                f" ({', '.join(AUDIO_SUFFIXES)}) or a voice state (.safetensors)"
            )
        if raw not in VOICES:
            raise VoiceSourceError(
                f"{what} {raw!r} is not a predefined voice{did_you_mean(raw.lower(), VOICES)}; use one of"
                f" {', '.join(sorted(VOICES))}, or a path to an audio file or a .safetensors voice state"
            )
        return cls("name", raw)

    @property
    def location(self) -> str:
        """What `load_voice` takes: the absolute path of a local file, else the name or hf:// address."""
        return str(self.path) if self.path is not None else self.name

    @property
    def display_name(self) -> str | None:
        """The audiobook's narrator tag by default: a catalogue voice's name ("Alba"); a cloned voice has none
        (a file name is no one's name; --narrator or the profile's `narrator:` says who it is)."""
        return self.name.replace("_", " ").title() if self.kind == "name" else None

    @property
    def narrator(self) -> str:
        """The name a listener is shown: the catalogue name, or the file's stem."""
        return self.name if self.kind == "name" else Path(self.name.split("@")[0]).stem


def existing_file(raw: str, base: Path, what: str, relative_to: str) -> Path:
    """`raw` resolved against `base`, which must be a file; else an error naming `what`."""
    path = (base / Path(raw).expanduser()).resolve()
    if not path.is_file():
        raise VoiceSourceError(
            f"{what} {raw!r} not found: no file {path} (paths are relative to {relative_to})"
        )
    return path


def did_you_mean(word: str, choices: object) -> str:
    """' (did you mean 'x'?)' for the closest of `choices`, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1)  # type: ignore[call-overload]
    return f" (did you mean {close[0]!r}?)" if close else ""
