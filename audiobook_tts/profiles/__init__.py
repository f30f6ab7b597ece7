"""Voice profiles: one YAML file saying who reads which chapter, how, with which pauses and pronunciations.

    # every key is optional
    voice: fantine              # the default voice (see "Voices" below)
    narrator: Jane Doe          # who reads, for the tags (default: the voices' names; never a file name)
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

from audiobook_tts.profiles.model import (
    TEXT_KEYS,
    ChapterRule,
    ChapterSettings,
    Profile,
    ProfileError,
    is_config_file,
)
from audiobook_tts.profiles.ranges import ChapterRangeError, parse_ranges
from audiobook_tts.profiles.reader import load_profile

__all__ = [
    "TEXT_KEYS",
    "ChapterRangeError",
    "ChapterRule",
    "ChapterSettings",
    "Profile",
    "ProfileError",
    "is_config_file",
    "load_profile",
    "parse_ranges",
]
