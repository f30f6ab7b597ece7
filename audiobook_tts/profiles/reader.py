"""The profile YAML reader: walks the node tree so every error names file:line, what is wrong and what is
allowed (ProfileError, one line). The schema is in the package docstring."""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path
from typing import Literal

import yaml

from audiobook_tts.errors import UserError
from audiobook_tts.profiles.model import (
    GENERATION_KEYS,
    MATCH_KEYS,
    PROFILE_KEYS,
    RULE_KEYS,
    TEXT_KEYS,
    ChapterRule,
    Profile,
    ProfileError,
    is_config_file,
)
from audiobook_tts.profiles.ranges import ALLOWED, Ranges, parse_ranges
from audiobook_tts.text.pauses import MAX_MARKER, PausePlan
from audiobook_tts.tts.catalogue import model_names
from audiobook_tts.tts.options import GenerationOptions
from audiobook_tts.tts.voices import VoiceSource, did_you_mean, existing_file


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
        narrator=reader.string(top["narrator"], "narrator") if "narrator" in top else None,
        model=reader.model(top["model"]) if "model" in top else None,
        generation=reader.generation(top, ""),
        pauses=reader.pauses(top["pauses"]) if "pauses" in top else {},
        text=reader.text_options(top["text"]) if "text" in top else {},
        lexicon=reader.lexicon(top["lexicon"]) if "lexicon" in top else {},
        chapters=reader.rules(top["chapters"]) if "chapters" in top else (),
    )


def _allowed(names: typing.Iterable[str]) -> str:
    return ", ".join(sorted(names))


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
                hint = did_you_mean(key, allowed)
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
        if (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or (integer and not isinstance(value, int))
            or value != value  # NaN
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            bounds = [f">= {low}"] if low is not None else []
            bounds += [f"<= {high}"] if high is not None else []
            kind = " ".join(["a whole number" if integer else "a number", " and ".join(bounds)]).strip()
            raise self.error(node, f"{what} must be {kind}, not {self.describe(node)}")
        return value if integer else float(value)

    def choice(self, node: yaml.Node, what: str, choices: typing.Sequence[str]) -> str:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, str) or value not in choices:
            raise self.error(node, f"{what} must be one of {', '.join(choices)}; not {self.describe(node)}")
        return value

    def existing_file(self, node: yaml.Node, what: str, raw: str) -> Path:
        try:
            return existing_file(raw, self.base, what, "the profile")
        except UserError as error:
            raise self.error(node, str(error)) from None

    # ---- sections

    def voice(self, node: yaml.Node, what: str = "voice") -> VoiceSource:
        raw = self.string(node, what)
        try:
            return VoiceSource.parse(raw, self.base, what, "the profile")
        except UserError as error:
            raise self.error(node, str(error)) from None

    def model(self, node: yaml.Node) -> str:
        raw = self.string(node, "model").strip()
        if is_config_file(raw):
            return str(self.existing_file(node, "model config", raw))
        if raw not in model_names():
            raise self.error(
                node,
                f"model {raw!r} is not a released model{did_you_mean(raw, model_names())}; use one of"
                f" {', '.join(model_names())}, or a path to a config .yaml",
            )
        return raw

    def generation(self, section: dict[str, yaml.Node], where: str) -> GenerationOptions:
        values: dict[str, typing.Any] = {}  # GenerationOptions field -> its value
        if "temperature" in section:
            values["temperature"] = self.number(section["temperature"], f"{where}temperature", low=0)
        if "eos_threshold" in section:
            values["eos_threshold"] = self.number(section["eos_threshold"], f"{where}eos_threshold")
        if "frames_after_eos" in section:
            values["frames_after_eos"] = self.number(
                section["frames_after_eos"], f"{where}frames_after_eos", integer=True, low=0
            )
        try:  # the rules every generation setting follows, wherever it comes from (tts/options.py)
            return GenerationOptions(**values)
        except UserError as error:
            raise self.error(section[str(error).split()[0]], f"{where}{error}") from None

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
        matches: dict[str, typing.Any] = {
            fields[k]: read[k](section[k], f"{what}.{k}") for k in MATCH_KEYS if k in section
        }
        return dataclasses.replace(rule, **matches)

    def index(self, node: yaml.Node, what: str) -> int:
        return int(self.number(node, what, integer=True, low=1))

    def ranges(self, node: yaml.Node, what: str) -> Ranges:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.error(node, f"{what} must be text like '1-3, 7'; {ALLOWED}")
        try:
            return parse_ranges(value, what)
        except UserError as error:
            raise self.error(node, str(error)) from None

    def regex(self, node: yaml.Node, what: str) -> re.Pattern:
        raw = self.string(node, what)
        try:
            return re.compile(raw, re.IGNORECASE)
        except re.error as error:
            raise self.error(node, f"{what} {raw!r} is not a valid regular expression: {error}") from None
