"""Voice profiles: one YAML file saying who reads which chapter, how, with which pauses and pronunciations.

    # every key is optional
    voice: fantine              # the default voice (see "Voices" below)
    model: english              # a model config name, or a path to a config .yaml
    temperature: 0.5            # generation settings for the whole book ...
    eos_threshold: -4.0
    frames_after_eos: 2
    pauses:                     # seconds of silence, by boundary (the fields of text.pauses.PausePlan)
      sentence: 0.3
      paragraph: 0.8
    text:                       # how the book's text is read
      speak_titles: true        # read each chapter's title first
      notes: chapter_end        # footnotes: drop | inline | chapter_end
      include_front_matter: false
      placeholders: false       # say "[Table omitted]" and the like instead of skipping silently
      urls: drop                # drop | speak
    lexicon:                    # word -> respelling, whole words; or a path to a YAML file of such a map,
      Hermione: her-MY-oh-nee   #   or a list of maps and paths (later entries win)
    chapters:                   # rules, applied in order: a later matching rule overrides an earlier one
      - range: "1-3, 7"         # chapter numbers (1 = the first chapter read); "10-" runs to the end
        voice: marius
      - index: 4                # one chapter number
        temperature: 0.7        # ... and generation settings per chapter
      - title: "Interlude*"     # shell-style pattern on the chapter title, case-insensitive
        voice: voices/whisper.wav
      - title_regex: "^Part [IVX]+$"   # Python regular expression, searched case-insensitively
        voice: cosette

Voices: a predefined voice name from the catalogue (alba, marius, javert, jean, fantine, cosette, eponine,
azelma, ...: `tts.catalogue.VOICES`), an audio file to clone (.wav, .flac, .mp3, .ogg, .opus, .m4a, .aiff), or
an exported voice state (.safetensors). Models: a catalogue model name or a config .yaml. Paths are relative
to the profile file and must exist.

Rules: a rule matches when every match key it has (index, range, title, title_regex) matches; it sets
`voice` and/or generation settings. For each setting the last matching rule that sets it wins, then the
top-level value, then the engine's default (None here).

Every error names the file and line, what is wrong and what is allowed (ProfileError, one line).
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from audiobook_tts.errors import UserError
from audiobook_tts.ingest import IngestOptions
from audiobook_tts.text.chapter import TextOptions
from audiobook_tts.text.pauses import MAX_MARKER, PausePlan
from audiobook_tts.tts.catalogue import VOICES, model_names


class ProfileError(UserError):
    """A profile file that cannot be used; the message starts with file:line."""


AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a", ".aiff", ".aif")
GENERATION_KEYS = ("temperature", "eos_threshold", "frames_after_eos")
MATCH_KEYS = ("index", "range", "title", "title_regex")
PROFILE_KEYS = ("voice", "model", *GENERATION_KEYS, "pauses", "text", "lexicon", "chapters")
RULE_KEYS = (*MATCH_KEYS, "voice", *GENERATION_KEYS)
# The `text:` options a profile may set, and the dataclass each belongs to; types and choices come from it.
TEXT_KEYS: dict[str, type] = {
    "speak_titles": TextOptions,
    "urls": TextOptions,
    "notes": IngestOptions,
    "include_front_matter": IngestOptions,
    "placeholders": IngestOptions,
}


@dataclass(frozen=True)
class Voice:
    kind: Literal["name", "audio", "state"]  # predefined name, audio file to clone, exported voice state
    name: str  # the name as written in the profile
    path: Path | None = None  # absolute, for audio and state


@dataclass(frozen=True)
class GenerationSettings:
    """None = not set here: a later layer (or the engine default) decides."""

    temperature: float | None = None
    eos_threshold: float | None = None
    frames_after_eos: int | None = None

    def updated(self, other: GenerationSettings) -> GenerationSettings:
        """These settings with every value `other` sets replacing ours."""
        changes = {k: v for k, v in dataclasses.asdict(other).items() if v is not None}
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, float | int]:
        """Only the values that are set."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass(frozen=True)
class ChapterSettings:
    voice: Voice | None  # None: the engine's default voice
    generation: GenerationSettings


@dataclass(frozen=True)
class ChapterRule:
    line: int  # where the rule starts in the profile, for messages
    index: int | None = None
    ranges: tuple[tuple[int, int | None], ...] | None = None  # (first, last or None = to the end)
    title: str | None = None  # glob
    title_regex: re.Pattern | None = None
    voice: Voice | None = None
    generation: GenerationSettings = GenerationSettings()

    def matches(self, index: int, title: str) -> bool:
        if self.index is not None and index != self.index:
            return False
        if self.ranges is not None and not any(
            lo <= index and (hi is None or index <= hi) for lo, hi in self.ranges
        ):
            return False
        if self.title is not None and not fnmatch.fnmatchcase(title.casefold(), self.title.casefold()):
            return False
        return self.title_regex is None or self.title_regex.search(title) is not None


@dataclass(frozen=True)
class Profile:
    path: Path
    voice: Voice | None = None
    model: str | None = None  # a config name, or an absolute path to a config file
    generation: GenerationSettings = GenerationSettings()
    pauses: dict[str, float] = field(default_factory=dict)  # PausePlan field -> seconds, only those set
    text: dict[str, object] = field(default_factory=dict)  # TEXT_KEYS -> value, only those set
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


# ---- reading ---------------------------------------------------------------------------------------------


def load_profile(path: Path) -> Profile:
    """Read and validate a profile; ProfileError with file:line for anything wrong."""
    path = Path(path)
    reader = _Reader(path)
    root = reader.document()
    if root is None:
        return Profile(path.resolve())
    top = reader.mapping(root, "the profile", PROFILE_KEYS)
    return Profile(
        path=path.resolve(),
        voice=reader.voice(top["voice"]) if "voice" in top else None,
        model=reader.model(top["model"]) if "model" in top else None,
        generation=reader.generation(top, ""),
        pauses=reader.pauses(top["pauses"]) if "pauses" in top else {},
        text=reader.text_options(top["text"]) if "text" in top else {},
        lexicon=reader.lexicon(top["lexicon"]) if "lexicon" in top else {},
        chapters=reader.rules(top["chapters"]) if "chapters" in top else (),
    )


def parse_voice(raw: str, base: Path, what: str = "voice", relative_to: str = "the profile") -> Voice:
    """A voice as written (name, audio file or voice state; paths relative to `base`), checked.

    The CLI's `--voice` goes through here too: `parse_voice(value, Path.cwd(), "--voice", "the current
    directory")`. ProfileError without a location; the profile reader adds file:line.
    """
    raw = raw.strip()
    suffix = Path(raw).suffix.lower()
    if suffix == ".safetensors":
        return Voice("state", raw, _existing_file(raw, base, f"{what} state", relative_to))
    if suffix in AUDIO_SUFFIXES:
        return Voice("audio", raw, _existing_file(raw, base, f"{what} audio", relative_to))
    if "/" in raw or "\\" in raw or suffix:
        raise ProfileError(
            f"{what} {raw!r} is a file of an unknown kind; use an audio file ({', '.join(AUDIO_SUFFIXES)})"
            " or a voice state (.safetensors)"
        )
    if raw not in VOICES:
        raise ProfileError(
            f"{what} {raw!r} is not a predefined voice{_did_you_mean(raw.lower(), VOICES)}; use one of"
            f" {', '.join(sorted(VOICES))}, or a path to an audio file or a .safetensors voice state"
        )
    return Voice("name", raw)


def _existing_file(raw: str, base: Path, what: str, relative_to: str) -> Path:
    path = (base / Path(raw).expanduser()).resolve()
    if not path.is_file():
        raise ProfileError(f"{what} {raw!r} not found: no file {path} (paths are relative to {relative_to})")
    return path


def _allowed(names: typing.Iterable[str]) -> str:
    return ", ".join(sorted(names))


def _did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Reader:
    """Walks the composed YAML node tree of one file, so that every value has its line for messages."""

    def __init__(self, path: Path):
        self.path = path
        self.base = path.resolve().parent
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ProfileError(f"{path}: no such profile file") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ProfileError(f"{path}: cannot read the profile ({error})") from None
        self.loader = yaml.SafeLoader(text)

    def document(self) -> yaml.Node | None:
        try:
            return self.loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = f":{mark.line + 1}" if mark else ""
            raise ProfileError(
                f"{self.path}{line}: not valid YAML: {error.problem or error.context}"
            ) from None
        except yaml.YAMLError as error:
            raise ProfileError(f"{self.path}: not valid YAML: {error}") from None

    def error(self, node: yaml.Node, message: str) -> ProfileError:
        return ProfileError(f"{self.path}:{node.start_mark.line + 1}: {message}")

    # ---- node shapes

    def mapping(
        self, node: yaml.Node, what: str, allowed: typing.Sequence[str] | None
    ) -> dict[str, yaml.Node]:
        """Keys -> value nodes; unknown keys (when `allowed` is given) and repeated keys are errors."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(
                node, f"{what} must be a mapping (`key: value` lines), not {self.describe(node)}"
            )
        out: dict[str, yaml.Node] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag.endswith(":str")):
                raise self.error(key_node, f"{what} has a key that is not a name: {self.describe(key_node)}")
            key = key_node.value
            if allowed is not None and key not in allowed:
                hint = _did_you_mean(key, allowed)
                message = f"unknown key {key!r} in {what}{hint}; allowed keys: {_allowed(allowed)}"
                raise self.error(key_node, message)
            if key in out:
                raise self.error(key_node, f"key {key!r} is repeated in {what} (first on line {lines[key]})")
            out[key] = value_node
            lines[key] = key_node.start_mark.line + 1
        return out

    def value(self, node: yaml.Node) -> object:
        return self.loader.construct_object(node, deep=True)

    def describe(self, node: yaml.Node) -> str:
        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list"
        value = self.value(node)
        return "nothing" if value is None else f"{type(value).__name__} {value!r}"

    def string(self, node: yaml.Node, what: str) -> str:
        if not (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str")) or not node.value.strip():
            raise self.error(node, f"{what} must be a non-empty text, not {self.describe(node)}")
        return node.value

    def boolean(self, node: yaml.Node, what: str) -> bool:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, bool):
            raise self.error(node, f"{what} must be true or false, not {self.describe(node)}")
        return value

    def number(
        self,
        node: yaml.Node,
        what: str,
        *,
        integer: bool = False,
        low: float | None = None,
        high: float | None = None,
    ) -> float | int:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        kinds = (int,) if integer else (int, float)
        ok = isinstance(value, kinds) and not isinstance(value, bool) and value == value  # not NaN
        ok = ok and (low is None or value >= low) and (high is None or value <= high)
        if not ok:
            bounds = [f">= {low}"] if low is not None else []
            bounds += [f"<= {high}"] if high is not None else []
            kind = " ".join(["a whole number" if integer else "a number", " and ".join(bounds)]).strip()
            raise self.error(node, f"{what} must be {kind}, not {self.describe(node)}")
        return value if integer else float(value)

    def choice(self, node: yaml.Node, what: str, choices: typing.Sequence[str]) -> str:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if value not in choices:
            raise self.error(node, f"{what} must be one of {', '.join(choices)}; not {self.describe(node)}")
        return value

    def existing_file(self, node: yaml.Node, what: str, raw: str) -> Path:
        try:
            return _existing_file(raw, self.base, what, "the profile")
        except ProfileError as error:
            raise self.error(node, str(error)) from None

    # ---- sections

    def voice(self, node: yaml.Node, what: str = "voice") -> Voice:
        raw = self.string(node, what)
        try:
            return parse_voice(raw, self.base, what)
        except ProfileError as error:
            raise self.error(node, str(error)) from None

    def model(self, node: yaml.Node) -> str:
        raw = self.string(node, "model").strip()
        if Path(raw).suffix.lower() in (".yaml", ".yml"):
            return str(self.existing_file(node, "model config", raw))
        if raw not in model_names():
            raise self.error(
                node,
                f"model {raw!r} is not a released model{_did_you_mean(raw, model_names())}; use one of"
                f" {', '.join(model_names())}, or a path to a config .yaml",
            )
        return raw

    def generation(self, section: dict[str, yaml.Node], where: str) -> GenerationSettings:
        values: dict[str, float | int] = {}
        if "temperature" in section:
            values["temperature"] = self.number(section["temperature"], f"{where}temperature", low=0)
        if "eos_threshold" in section:
            values["eos_threshold"] = self.number(section["eos_threshold"], f"{where}eos_threshold")
        if "frames_after_eos" in section:
            values["frames_after_eos"] = self.number(
                section["frames_after_eos"], f"{where}frames_after_eos", integer=True, low=0
            )
        return GenerationSettings(**values)

    def pauses(self, node: yaml.Node) -> dict[str, float]:
        fields = [f.name for f in dataclasses.fields(PausePlan)]
        section = self.mapping(node, "pauses", fields)
        return {
            name: self.number(value, f"pauses.{name} (seconds)", low=0, high=MAX_MARKER)
            for name, value in section.items()
        }

    def text_options(self, node: yaml.Node) -> dict[str, object]:
        section = self.mapping(node, "text", list(TEXT_KEYS))
        out: dict[str, object] = {}
        for name, value in section.items():
            kind = typing.get_type_hints(TEXT_KEYS[name])[name]
            if kind is bool:
                out[name] = self.boolean(value, f"text.{name}")
            elif typing.get_origin(kind) is Literal:
                out[name] = self.choice(value, f"text.{name}", typing.get_args(kind))
            else:  # a new option type the profile does not know how to read yet
                raise self.error(value, f"text.{name} cannot be set in a profile yet")
        return out

    def lexicon(self, node: yaml.Node) -> dict[str, str]:
        """A mapping, a path to a YAML file holding one, or a list of both (later entries win)."""
        if isinstance(node, yaml.SequenceNode):
            merged: dict[str, str] = {}
            for item in node.value:
                merged.update(self.lexicon(item))
            return merged
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str"):
            path = self.existing_file(node, "lexicon file", node.value)
            reader = _Reader(path)
            root = reader.document()
            return {} if root is None else reader.entries(root, f"the lexicon in {path.name}")
        return self.entries(node, "lexicon")

    def entries(self, node: yaml.Node, what: str) -> dict[str, str]:
        if isinstance(node, yaml.ScalarNode):  # a bare word reads better here than "must be a mapping"
            raise self.error(node, f"{what} must map words to respellings (`Word: respelling`) or be a path")
        section = self.mapping(node, what, None)
        out = {}
        for word, value in section.items():
            if not word.strip() or any(c.isspace() for c in word.strip()):
                raise self.error(value, f"{what}: {word!r} must be a single word")
            out[word.strip()] = self.string(value, f"the respelling of {word!r} in {what}").strip()
        return out

    def rules(self, node: yaml.Node) -> tuple[ChapterRule, ...]:
        if not isinstance(node, yaml.SequenceNode):
            message = f"chapters must be a list of rules (`- range: 1-3`), not {self.describe(node)}"
            raise self.error(node, message)
        return tuple(self.rule(item, f"chapters[{n}]") for n, item in enumerate(node.value, start=1))

    def rule(self, node: yaml.Node, what: str) -> ChapterRule:
        section = self.mapping(node, what, RULE_KEYS)
        if not any(key in section for key in MATCH_KEYS):
            raise self.error(node, f"{what} matches no chapter: give one of {', '.join(MATCH_KEYS)}")
        if not any(key in section for key in ("voice", *GENERATION_KEYS)):
            raise self.error(node, f"{what} changes nothing: give voice or {', '.join(GENERATION_KEYS)}")
        rule = ChapterRule(
            line=node.start_mark.line + 1,
            voice=self.voice(section["voice"], f"{what}.voice") if "voice" in section else None,
            generation=self.generation(section, f"{what}."),
        )
        read = {"index": self.index, "range": self.ranges, "title": self.string, "title_regex": self.regex}
        fields = {"index": "index", "range": "ranges", "title": "title", "title_regex": "title_regex"}
        matches = {fields[k]: read[k](section[k], f"{what}.{k}") for k in MATCH_KEYS if k in section}
        return dataclasses.replace(rule, **matches)

    def index(self, node: yaml.Node, what: str) -> int:
        return self.number(node, what, integer=True, low=1)

    def ranges(self, node: yaml.Node, what: str) -> tuple[tuple[int, int | None], ...]:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        allowed = "write chapter numbers from 1 as N, N-M or N- (to the end), separated by commas: '1-3, 7'"
        if not isinstance(value, str) or not value.strip():
            raise self.error(node, f"{what} must be text like '1-3, 7'; {allowed}")
        out = []
        for part in value.split(","):
            match = re.fullmatch(r"\s*(\d+)\s*(?:(-)\s*(\d+)?)?\s*", part)
            if not match:
                raise self.error(node, f"{what} {value!r}: cannot read {part.strip()!r}; {allowed}")
            low = int(match.group(1))
            high = low if match.group(2) is None else (int(match.group(3)) if match.group(3) else None)
            if low < 1:
                raise self.error(node, f"{what} {value!r}: chapter numbers start at 1; {allowed}")
            if high is not None and high < low:
                message = f"{what} {value!r}: {part.strip()!r} runs backwards; write it as {high}-{low}"
                raise self.error(node, message)
            out.append((low, high))
        return tuple(out)

    def regex(self, node: yaml.Node, what: str) -> re.Pattern:
        raw = self.string(node, what)
        try:
            return re.compile(raw, re.IGNORECASE)
        except re.error as error:
            raise self.error(node, f"{what} {raw!r} is not a valid regular expression: {error}") from None
