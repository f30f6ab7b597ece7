"""A play in plain text: its stage directions and its persons' names, as a listener hears them."""

from __future__ import annotations

from audiobook_tts.ingest import load_book
from audiobook_tts.text import prepare_chapter

# enough speeches to be a play (a letter signed "JOHN." is none)
SPEECHES = "HELMER.\nIs it my little squirrel bustling about?\n\nNORA.\nYes!\n\n" * 10


def said(path) -> list[str]:
    chapter = next(c for c in load_book(path).chapters if c.included)
    return [segment.text for segment in prepare_chapter(chapter, lambda text: len(text.split()))]


def test_a_stage_direction_is_its_own_sentence_and_a_name_keeps_its_capital(tmp_path):
    """A Doll's House (Gutenberg 2542): "HELMER. _[calls out from his room]_. Is that my little lark" was
    heard as one sentence, "Helmer. calls out from his room. Is that my little lark" (about 380 directions
    in brackets, read inside the speech); "_[To HELMER.]_" was heard "To helmer", a long word in capitals
    being lowered. Now each direction is a sentence between pauses, and a speaker's name is a name."""
    path = tmp_path / "dolls-house.txt"
    path.write_text(
        "HELMER.\n_[calls out from his room]_. Is that my little lark twittering out\nthere?\n\n"
        "NORA.\n_[busy opening some of the parcels]_. Yes, it is!\n\n"
        "MAID.\n_[To HELMER.]_ The doctor came at the same time, sir.\n\n"
        "NORA.\nGood-bye. _[Goes into HELMER’S room.]_\n\n" + SPEECHES,
        encoding="utf-8",
    )
    assert said(path)[1:13] == [  # after the title
        "Helmer.",
        "Calls out from his room.",
        "Is that my little lark twittering out there?",
        "Nora.",
        "Busy opening some of the parcels.",
        "Yes, it is!",
        "Maid.",
        "To Helmer.",
        "The doctor came at the same time, sir.",
        "Nora.",
        "Good-bye.",
        "Goes into Helmer’s room.",
    ]


def test_brackets_in_a_text_that_is_no_play_are_left_alone(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text(
        "CHAPTER I.\n\nHe wrote that the PORTER [sic] had gone.\n\nJOHN.\nYours ever.\n", encoding="utf-8"
    )
    assert said(path) == ["Chapter one.", "He wrote that the porter sic had gone.", "John. Yours ever."]
