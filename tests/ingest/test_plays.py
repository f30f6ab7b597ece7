"""A play's stage directions and its persons' names, as a listener hears them."""

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
    assert said(path)[1:12] == [  # after the title
        "Helmer.",
        "Calls out from his room.",
        "Is that my little lark twittering out there?",
        "Nora.",
        "Busy opening some of the parcels.",
        "Yes, it is!",
        "Maid.",
        "To Helmer.",
        "The doctor came at the same time, sir.",
        "Nora. Good-bye.",
        "Goes into Helmer’s room.",
    ]


def test_brackets_in_a_text_that_is_no_play_are_left_alone(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text(
        "CHAPTER I.\n\nHe wrote that the PORTER [sic] had gone.\n\nJOHN.\nYours ever.\n", encoding="utf-8"
    )
    assert said(path) == ["Chapter one.", "He wrote that the porter sic had gone.", "John. Yours ever."]


def test_a_stage_direction_in_a_line_of_verse_is_said_apart(tmp_path):
    """Hamlet (Standard Ebooks): "Give you good night. <i epub:type="z3998:stage-direction">Exit.</i>" was
    said in one breath with the speech, as if Francisco said "Exit" (143 speeches have one among their words);
    now it is said between pauses, and the line before it still runs on from the one above with a comma,
    not a stop. A direction alone in its cell is apart already and its text keeps no pause marks."""
    from tests.fixtures.epub import simple_epub

    def direction(text: str) -> str:
        return f'<i epub:type="z3998:stage-direction">{text}</i>'

    rows = (
        f"<tr><td/><td>{direction('Francisco at his post. Enter to him Bernardo.')}</td></tr>"
        '<tr><td epub:type="z3998:persona">Francisco</td><td epub:type="z3998:verse"><p>'
        f"<span>Bernardo has my place</span><br/><span>Give you good night. {direction('Exit.')}</span>"
        "</p></td></tr>"
        f'<tr><td epub:type="z3998:persona">Hamlet</td><td>{direction("Aside.")} A little more than kin, and '
        "less than kind.</td></tr>"
    )
    book = load_book(simple_epub(tmp_path / "hamlet.epub", f"<h2>Scene I</h2><table>{rows}</table>"))
    chapter = book.chapters[0]
    assert chapter.blocks[1].text == "Francisco at his post. Enter to him Bernardo."
    spoken = [(s.text, s.pause_after) for s in prepare_chapter(chapter, lambda text: len(text.split()))]
    assert spoken[3:] == [
        ("Francisco.", 0.7),
        ("Bernardo has my place, Give you good night.", 0.5),
        ("Exit.", 0.7),
        ("Hamlet.", 0.7),
        ("Aside.", 0.5),
        ("A little more than kin, and less than kind.", 2.5),
    ]
