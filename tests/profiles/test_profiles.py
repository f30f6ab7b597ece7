"""Voice profiles: shipped examples load, rules resolve in order, every mistake gets file:line and a fix."""

import dataclasses
import shutil
import textwrap
from pathlib import Path

import pytest

from audiobook_tts import profiles
from audiobook_tts.errors import UserError
from audiobook_tts.ingest import IngestOptions
from audiobook_tts.profiles import ProfileError, load_profile
from audiobook_tts.text.chapter import TextOptions
from audiobook_tts.text.pauses import PausePlan
from audiobook_tts.tts.options import GenerationOptions
from audiobook_tts.tts.voices import VoiceSource, VoiceSourceError

ROOT = Path(__file__).resolve().parents[2]
VOICE_WAV = ROOT / "tests" / "data" / "voice_espeak.wav"


def write(tmp_path: Path, text: str, name: str = "profile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(ProfileError) as error:
        load_profile(write(tmp_path, text))
    message = str(error.value)
    assert "\n" not in message
    return message


# ---- shipped examples ------------------------------------------------------------------------------------


EXAMPLES = sorted((ROOT / "profiles").glob("*.yaml"))


def test_there_are_shipped_examples():
    assert {p.name for p in EXAMPLES} >= {"single-narrator.yaml", "two-narrators.yaml", "fantasy-names.yaml"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_shipped_example_loads(path):
    profile = load_profile(path)
    assert profile.voice is not None
    for index in range(1, 30):
        assert profile.settings_for_chapter(index, f"Chapter {index}").voice is not None
    profile.text_options()
    profile.ingest_options()


def test_two_narrators_alternate_and_title_rules_apply():
    profile = load_profile(ROOT / "profiles" / "two-narrators.yaml")
    voices = [profile.settings_for_chapter(i, f"CHAPTER {i}. Something").voice.name for i in range(1, 13)]
    assert voices == ["alba", "marius"] * 6
    songs = profile.settings_for_chapter(9, "CHAPTER X. The Lobster Quadrille")
    assert (songs.voice.name, songs.generation.temperature) == ("marius", 0.4)
    trial = profile.settings_for_chapter(11, "CHAPTER XI. Who Stole the Tarts?")
    assert (trial.voice.name, trial.generation.temperature) == ("alba", 0.8)


def test_fantasy_lexicon_merges_the_file_and_inline_entries():
    profile = load_profile(ROOT / "profiles" / "fantasy-names.yaml")
    assert profile.lexicon["Lirazel"] == "LEER-a-zel"  # from lexicons/fantasy-names.yaml
    assert profile.lexicon["Ziroonderel"] == "Zi-ROON-der-el"  # inline
    assert profile.text_options().lexicon == profile.lexicon


def test_single_narrator_sets_pauses_text_and_generation():
    profile = load_profile(ROOT / "profiles" / "single-narrator.yaml")
    plan = profile.pause_plan()
    assert (plan.sentence, plan.title, plan.clause) == (0.3, 1.5, PausePlan().clause)
    assert profile.ingest_options() == IngestOptions(notes="chapter_end", include_front_matter=False)
    options = profile.text_options(TextOptions(max_tokens=37))
    assert (options.max_tokens, options.speak_titles, options.urls) == (37, True, "drop")
    assert options.pauses == plan
    assert profile.generation == GenerationOptions(temperature=0.5, eos_threshold=-4.0, frames_after_eos=2)


def test_the_schema_in_the_module_docstring_is_a_valid_profile(tmp_path):
    example = profiles.__doc__.split("\n\n")[1]  # the indented schema block
    (tmp_path / "voices").mkdir()
    shutil.copy(VOICE_WAV, tmp_path / "voices" / "whisper.wav")
    profile = load_profile(write(tmp_path, example))
    assert profile.settings_for_chapter(7, "Seven").voice.name == "marius"
    assert profile.settings_for_chapter(8, "Interlude: rain").voice.kind == "audio"


# ---- rules -----------------------------------------------------------------------------------------------


def test_later_rules_override_earlier_ones_setting_by_setting(tmp_path):
    profile = load_profile(
        write(
            tmp_path,
            """
            voice: alba
            temperature: 0.3
            frames_after_eos: 2
            chapters:
              - range: "1-"
                voice: jean
                temperature: 0.5
              - range: "3-5, 9"
                voice: cosette
              - index: 4
                temperature: 0.9
              - title: "epilogue*"
                voice: javert
              - title_regex: "^part [ivx]+$"
                eos_threshold: -3
              - index: 9
                title: "*storm*"        # both keys must match
                frames_after_eos: 5
            """,
        )
    )

    def settings(index, title="Chapter"):
        s = profile.settings_for_chapter(index, title)
        return s.voice.name, s.generation.as_dict()

    assert settings(1) == ("jean", {"temperature": 0.5, "frames_after_eos": 2})
    assert settings(4) == ("cosette", {"temperature": 0.9, "frames_after_eos": 2})
    assert settings(6) == ("jean", {"temperature": 0.5, "frames_after_eos": 2})
    assert settings(9) == ("cosette", {"temperature": 0.5, "frames_after_eos": 2})
    assert settings(9, "The Storm") == ("cosette", {"temperature": 0.5, "frames_after_eos": 5})
    assert settings(12, "EPILOGUE: After") == ("javert", {"temperature": 0.5, "frames_after_eos": 2})
    assert settings(2, "Part IV")[1] == {"temperature": 0.5, "frames_after_eos": 2, "eos_threshold": -3.0}
    assert settings(2, "Part IV, again")[1].get("eos_threshold") is None


def test_rules_that_match_no_chapter_are_reported_with_their_line(tmp_path):
    path = write(tmp_path, "chapters:\n  - range: 1-2\n    voice: alba\n  - index: 14\n    voice: jean\n")
    profile = load_profile(path)
    book = [(i, f"Chapter {i}") for i in range(1, 13)]
    assert profile.unmatched_rules(book) == [f"{path}:4: chapters[2] matches no chapter of this book"]
    assert profile.unmatched_rules(book + [(14, "Fourteen")]) == []


def test_empty_profile_is_all_defaults(tmp_path):
    profile = load_profile(write(tmp_path, "# nothing set\n"))
    assert profile.settings_for_chapter(1, "One") == profiles.ChapterSettings(None, GenerationOptions())
    assert profile.pause_plan() == PausePlan()
    assert profile.text_options() == TextOptions()


def test_voice_files_are_relative_to_the_profile_not_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "book" / "voices").mkdir(parents=True)
    shutil.copy(VOICE_WAV, tmp_path / "book" / "voices" / "narrator.wav")
    (tmp_path / "book" / "voices" / "villain.safetensors").write_bytes(b"{}")
    path = write(
        tmp_path / "book",
        """
        voice: voices/narrator.wav
        chapters:
          - index: 2
            voice: voices/villain.safetensors
        """,
    )
    monkeypatch.chdir(tmp_path)
    profile = load_profile(Path("book/profile.yaml"))
    wav = (tmp_path / "book/voices/narrator.wav").resolve()
    assert profile.voice == VoiceSource("audio", "voices/narrator.wav", wav)
    assert profile.settings_for_chapter(2, "Two").voice.kind == "state"
    assert path.exists()


def test_text_keys_are_fields_of_the_stage_options():
    for name, owner in profiles.TEXT_KEYS.items():
        assert name in {f.name for f in dataclasses.fields(owner)}


# ---- errors ----------------------------------------------------------------------------------------------


def test_profile_error_is_a_user_error():
    assert issubclass(ProfileError, UserError)


def test_unknown_key_gives_line_suggestion_and_allowed_keys(tmp_path):
    message = error_for(tmp_path, "voice: alba\n\nvoise: marius\n")
    assert message == (
        f"{tmp_path / 'profile.yaml'}:3: unknown key 'voise' in the profile (did you mean 'voice'?);"
        " allowed keys: chapters, eos_threshold, frames_after_eos, lexicon, model, narrator, pauses,"
        " temperature, text, voice"
    )


def test_unknown_key_in_a_rule(tmp_path):
    message = error_for(
        tmp_path,
        """
        chapters:
          - index: 1
            voice: alba
          - index: 2
            temprature: 0.4
        """,
    )
    expected = ":5: unknown key 'temprature' in chapters[2] (did you mean 'temperature'?); allowed keys:"
    assert (
        f"{expected} eos_threshold, frames_after_eos, index, range, temperature, title, title_regex, voice"
        in message
    )


def test_unknown_pause_field_lists_the_pause_plan_fields(tmp_path):
    message = error_for(tmp_path, "pauses:\n  sentence: 0.3\n  sentance: 0.5\n")
    allowed = ", ".join(sorted(f.name for f in dataclasses.fields(PausePlan)))
    expected = f":3: unknown key 'sentance' in pauses (did you mean 'sentence'?); allowed keys: {allowed}"
    assert message.endswith(expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("temperature: hot\n", ":1: temperature must be a number >= 0, not str 'hot'"),
        ("temperature: -0.5\n", ":1: temperature must be a number >= 0, not float -0.5"),
        ("temperature: true\n", ":1: temperature must be a number >= 0, not bool True"),
        ("frames_after_eos: 2.5\n", ":1: frames_after_eos must be a whole number >= 0, not float 2.5"),
        ("pauses:\n  paragraph: 600\n", ":2: pauses.paragraph (seconds) must be a number >= 0 and <= 60.0"),
        ("text:\n  speak_titles: maybe\n", ":2: text.speak_titles must be true or false, not str 'maybe'"),
        ("text:\n  notes: foot\n", ":2: text.notes must be one of drop, inline, chapter_end; not str 'foot'"),
        ("chapters:\n  index: 3\n", ":2: chapters must be a list of rules (`- range: 1-3`), not a mapping"),
        ("pauses: 0.5\n", ":1: pauses must be a mapping (`key: value` lines), not float 0.5"),
        ("- voice: alba\n", ":1: the profile must be a mapping (`key: value` lines), not a list"),
        ("voice: [alba]\n", ":1: voice must be a non-empty text, not a list"),
        ("voice: alba\nvoice: jean\n", ":2: key 'voice' is repeated in the profile (first on line 1)"),
        ("voice: alba\n  nested: 1\n", ":2: not valid YAML: mapping values are not allowed here"),
        ("model: configs/mine.yaml\n", ":1: model config 'configs/mine.yaml' not found: no file"),
        (
            "model: englsh\n",
            ":1: model 'englsh' is not a released model (did you mean 'english'?); use one of",
        ),
    ],
)
def test_bad_values_say_what_is_allowed(tmp_path, text, expected):
    message = error_for(tmp_path, text)
    assert message.startswith(str(tmp_path / "profile.yaml"))
    assert expected in message


@pytest.mark.parametrize(
    "voice, expected",
    [
        ("voices/me.wav", "voice audio 'voices/me.wav' not found: no file {dir}/voices/me.wav"),
        ("me.safetensors", "voice state 'me.safetensors' not found: no file {dir}/me.safetensors"),
        ("notes.txt", "voice 'notes.txt' is a file of an unknown kind; use an audio file (.wav, .flac"),
        ("fantin", "voice 'fantin' is not a predefined voice (did you mean 'fantine'?); use one of alba,"),
        ("Fantine Voice", "voice 'Fantine Voice' is not a predefined voice (did you mean 'fantine'?); use"),
    ],
)
def test_bad_voices(tmp_path, voice, expected):
    message = error_for(tmp_path, f"voice: {voice}\n")
    assert f":1: {expected.format(dir=tmp_path)}" in message


def test_the_voice_option_is_checked_the_same_way(tmp_path):
    shutil.copy(VOICE_WAV, tmp_path / "me.wav")
    assert VoiceSource.parse("fantine", tmp_path) == VoiceSource("name", "fantine")
    assert VoiceSource.parse("me.wav", tmp_path) == VoiceSource("audio", "me.wav", tmp_path / "me.wav")
    with pytest.raises(VoiceSourceError) as error:
        VoiceSource.parse("you.wav", tmp_path, "--voice", "the current directory")
    assert str(error.value) == (
        f"--voice audio 'you.wav' not found: no file {tmp_path}/you.wav"
        " (paths are relative to the current directory)"
    )


def test_missing_voice_file_in_a_rule_names_its_line(tmp_path):
    message = error_for(tmp_path, "voice: alba\nchapters:\n  - index: 2\n    voice: ghost.wav\n")
    assert f":4: chapters[1].voice audio 'ghost.wav' not found: no file {tmp_path}/ghost.wav" in message


@pytest.mark.parametrize(
    "value, expected",
    [
        ('"3-1"', "chapters[1].range '3-1': '3-1' runs backwards; write it as 1-3"),
        ('"1-3, 7-5"', "chapters[1].range '1-3, 7-5': '7-5' runs backwards; write it as 5-7"),
        ('"0-2"', "chapters[1].range '0-2': chapter numbers start at 1"),
        ('"one-two"', "chapters[1].range 'one-two': cannot read 'one-two'; write chapter numbers from 1"),
        ('"1,,2"', "chapters[1].range '1,,2': cannot read ''"),
        ("[1, 2]", "chapters[1].range must be text like '1-3, 7'"),
    ],
)
def test_bad_ranges(tmp_path, value, expected):
    message = error_for(tmp_path, f"chapters:\n  - voice: alba\n    range: {value}\n")
    assert f":3: {expected}" in message


def test_bad_regex(tmp_path):
    message = error_for(tmp_path, 'chapters:\n  - title_regex: "Part (I"\n    voice: alba\n')
    expected = (
        ":2: chapters[1].title_regex 'Part (I' is not a valid regular expression: missing ), unterminated"
    )
    assert expected in message


def test_rule_must_match_something_and_change_something(tmp_path):
    assert ":2: chapters[1] matches no chapter: give one of index, range, title, title_regex" in error_for(
        tmp_path, "chapters:\n  - voice: alba\n"
    )
    assert ":3: chapters[2] changes nothing: give voice or temperature" in error_for(
        tmp_path, "chapters:\n  - {index: 1, voice: alba}\n  - index: 2\n"
    )
    assert ":2: chapters[1].index must be a whole number >= 1, not int 0" in error_for(
        tmp_path, "chapters:\n  - index: 0\n    voice: alba\n"
    )


def test_lexicon_errors_name_the_file_they_are_in(tmp_path):
    assert ":2: the respelling of 'Lirazel' in lexicon must be a non-empty text, not int 3" in error_for(
        tmp_path, "lexicon:\n  Lirazel: 3\n"
    )
    assert ":2: lexicon: 'two words' must be a single word" in error_for(tmp_path, "lexicon:\n  two words: x")
    assert ":1: lexicon file 'names.yaml' not found" in error_for(tmp_path, "lexicon: names.yaml\n")
    write(tmp_path, "Alveric: AL-ver-ick\nLirazel: [LEER]\n", name="names.yaml")
    message = error_for(tmp_path, "lexicon: [names.yaml]\n")
    expected = (
        f"{tmp_path / 'names.yaml'}:2: the respelling of 'Lirazel' in the lexicon in names.yaml must be"
    )
    assert message.startswith(expected)


def test_a_missing_profile_file(tmp_path):
    with pytest.raises(ProfileError, match="no such profile file"):
        load_profile(tmp_path / "nope.yaml")
