"""What a voice profile says, once read: voices and generation options per chapter, pauses, text, lexicon."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path

from audiobook_tts.errors import UserError
from audiobook_tts.ingest import IngestOptions
from audiobook_tts.profiles.ranges import Ranges, in_ranges
from audiobook_tts.text.chapter import TextOptions
from audiobook_tts.text.pauses import PausePlan
from audiobook_tts.tts.options import DEFAULT_OPTIONS, GenerationOptions
from audiobook_tts.tts.voices import VoiceSource


class ProfileError(UserError):
    """A profile file that cannot be used; the message starts with file:line."""


GENERATION_KEYS = ("temperature", "eos_threshold", "frames_after_eos")
MATCH_KEYS = ("index", "range", "title", "title_regex")
PROFILE_KEYS = ("voice", "narrator", "model", *GENERATION_KEYS, "pauses", "text", "lexicon", "chapters")
RULE_KEYS = (*MATCH_KEYS, "voice", *GENERATION_KEYS)
# The `text:` options a profile may set, and the dataclass each belongs to; types and choices come from it.
TEXT_KEYS: dict[str, type] = {
    "speak_titles": TextOptions,
    "urls": TextOptions,
    "notes": IngestOptions,
    "include_front_matter": IngestOptions,
    "placeholders": IngestOptions,
    "tables": IngestOptions,
    "code": IngestOptions,
}


@dataclass(frozen=True)
class ChapterSettings:
    voice: VoiceSource | None  # None: the engine's default voice
    generation: GenerationOptions  # only what the profile sets; the rest is the engine's default


@dataclass(frozen=True)
class ChapterRule:
    line: int  # where the rule starts in the profile, for messages
    index: int | None = None
    ranges: Ranges | None = None
    title: str | None = None  # glob
    title_regex: re.Pattern | None = None
    voice: VoiceSource | None = None
    generation: GenerationOptions = DEFAULT_OPTIONS

    def matches(self, index: int, title: str) -> bool:
        if self.index is not None and index != self.index:
            return False
        if self.ranges is not None and not in_ranges(index, self.ranges):
            return False
        if self.title is not None and not fnmatch.fnmatchcase(title.casefold(), self.title.casefold()):
            return False
        return self.title_regex is None or self.title_regex.search(title) is not None


@dataclass(frozen=True)
class Profile:
    path: Path
    voice: VoiceSource | None = None
    narrator: str | None = None  # who reads, for the tags (default: the voices' display names)
    model: str | None = None  # a config name, or an absolute path to a config file
    generation: GenerationOptions = DEFAULT_OPTIONS
    pauses: dict[str, float] = field(default_factory=dict)  # PausePlan field -> seconds, only those set
    text: dict[str, typing.Any] = field(default_factory=dict)  # TEXT_KEYS -> value, only those set
    lexicon: dict[str, str] = field(default_factory=dict)
    chapters: tuple[ChapterRule, ...] = ()

    def settings_for_chapter(self, index: int, title: str) -> ChapterSettings:
        """Voice and generation settings for chapter number `index` (1-based): the last matching rule wins."""
        voice, generation = self.voice, self.generation
        for rule in self.chapters:
            if rule.matches(index, title):
                voice = rule.voice or voice
                generation = generation.updated(rule.generation)
        return ChapterSettings(voice, generation)

    def unmatched_rules(self, chapters: typing.Iterable[tuple[int, str]]) -> list[str]:
        """A warning line for each rule matching none of the book's (index, title) chapters: likely a typo."""
        chapters = list(chapters)
        return [
            f"{self.path}:{rule.line}: chapters[{n}] matches no chapter of this book"
            for n, rule in enumerate(self.chapters, start=1)
            if not any(rule.matches(index, title) for index, title in chapters)
        ]

    def pause_plan(self, base: PausePlan | None = None) -> PausePlan:
        return dataclasses.replace(base or PausePlan(), **self.pauses)

    def ingest_options(self, base: IngestOptions | None = None) -> IngestOptions:
        values = {k: v for k, v in self.text.items() if TEXT_KEYS[k] is IngestOptions}
        return dataclasses.replace(base or IngestOptions(), **values)

    def text_options(self, base: TextOptions | None = None) -> TextOptions:
        """`base` (built with the engine's token budget and character table) with the profile's choices."""
        base = base or TextOptions()
        values = {k: v for k, v in self.text.items() if TEXT_KEYS[k] is TextOptions}
        return dataclasses.replace(
            base, **values, pauses=self.pause_plan(base.pauses), lexicon={**base.lexicon, **self.lexicon}
        )

    def model_choice(self) -> tuple[str | None, str | None]:
        """(catalogue model name, config file): a profile's `model` may be either."""
        if self.model and is_config_file(self.model):
            return None, self.model
        return self.model, None


def is_config_file(model: str) -> bool:
    """Whether a model option names a config file rather than a catalogue model."""
    return Path(model).suffix.lower() in (".yaml", ".yml")
