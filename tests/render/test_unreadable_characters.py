"""Characters the model's tokenizer cannot read are folded in the plan's text (tts.text_prep.fold_table handed
to the text stage): a segment says what the model reads, and its key changes only when its text does."""

from __future__ import annotations

import dataclasses

from audiobook_tts.profiles import Profile
from audiobook_tts.render import RenderOptions, inspect_book
from audiobook_tts.render.book import VoiceNames, read_book
from audiobook_tts.render.engine import engine_facts
from audiobook_tts.render.plan import book_characters, build_plan
from audiobook_tts.tts.config import load_config
from audiobook_tts.tts.model import PocketTTS
from audiobook_tts.tts.tokenizer import load_tokenizer

BOOK = """# The Voyage

We rode to another estate on the Rio Macâe.

A′A′. Outer edges of the reef. Élodie saw it.

Nothing here the model cannot read.

étaient là, dit-il.
"""


def test_the_plan_says_what_the_model_reads(tiny_checkpoint, tmp_path):
    path = tmp_path / "voyage.md"
    path.write_text(BOOK, encoding="utf-8")
    options = RenderOptions(out_dir=tmp_path / "out", config=str(tiny_checkpoint[0]))
    inspection = inspect_book(path, options)
    texts = [task.segment.text for task in inspection.plan.tasks]
    assert texts == [
        "The Voyage.",
        "We rode to another estate on the Rio Macae.",
        "A'A'. Outer edges of the reef. Elodie saw it.",
        "Nothing here the model cannot read.",
        "Etaient là, dit-il.",  # (the capital of a readable é is not)
    ]
    table = load_config(tiny_checkpoint[0]).flow_lm.lookup_table
    tokenizer = load_tokenizer(table.tokenizer_path, table.tokenizer)
    assert all(0 not in tokenizer.encode(text) for text in texts)

    # Without the fold: the same plan but for the segments with such characters, keys included.
    profile = Profile(path=tmp_path)
    book = read_book(path, profile, options)
    unfolded = build_plan(
        book, profile, options, dataclasses.replace(inspection.model, fold_table=None), VoiceNames()
    )
    before = [(task.segment.text, task.key) for task in unfolded.tasks]
    after = [(task.segment.text, task.key) for task in inspection.plan.tasks]
    assert [a == b for a, b in zip(before, after, strict=True)] == [True, False, False, True, False]


def test_the_loaded_model_folds_as_planning_does(tiny_checkpoint, tmp_path):
    yaml_path, weights_path = tiny_checkpoint
    config = load_config(yaml_path)
    table = config.flow_lm.lookup_table
    model = PocketTTS.from_files(config, weights_path, load_tokenizer(table.tokenizer_path, table.tokenizer))
    path = tmp_path / "voyage.md"
    path.write_text(BOOK, encoding="utf-8")
    characters = book_characters(read_book(path, Profile(path=tmp_path), RenderOptions(out_dir=tmp_path)))
    folds = engine_facts(model, "id").fold_table
    assert folds is not None and folds(characters) == {"â": "a", "Â": "A", "′": "'", "É": "E"}


def test_a_quoted_greek_word_is_read_in_latin_letters(tiny_checkpoint, tmp_path):
    """The Devil's Dictionary: "the Greek word “ᾍδης” as “Hell”" and "his name—χριστός". The model heard an
    unknown piece for each Greek letter; a narrator says the word. The warning says so."""
    path = tmp_path / "devil.md"
    path.write_text(
        "# Hades\n\nThey translated the Greek word “ᾍδης” as “Hell”.\n\n"
        "# Xmas\n\nThe initial of his name—χριστός.\n",
        encoding="utf-8",
    )
    inspection = inspect_book(path, RenderOptions(out_dir=tmp_path / "out", config=str(tiny_checkpoint[0])))
    assert [task.segment.text for task in inspection.plan.tasks] == [
        "Hades.",
        "They translated the Greek word “Hadis” as “Hell”.",
        "Xmas.",
        "The initial of his name — christos.",
    ]
    spelled = "which the model cannot read: it reads them spelled in Latin letters"
    assert inspection.plan.warnings == [
        f"chapter 1 (Hades): 4 letters in Greek script, {spelled}",
        f"chapter 2 (Xmas): 7 letters in Greek script, {spelled}",
    ]
