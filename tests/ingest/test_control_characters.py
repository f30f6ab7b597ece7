"""C0/C1 control characters (ESC colour codes, bells, form feeds) never reach the text stage (issue 17, 9)."""

from __future__ import annotations

import pytest

from audiobook_tts.ingest import load_book
from audiobook_tts.ingest.textfile import strip_controls


def spoken_text(book) -> str:
    return "\n".join(block.text for chapter in book.chapters for block in chapter.blocks)


def test_strip_controls_removes_escape_sequences_whole_and_keeps_tab_and_newline():
    assert strip_controls("\x1b[31mred\x1b[0m text") == "red text"
    assert strip_controls("a\x07b\x0cc\x00d\x7fe\x85f") == "abcdef"
    assert strip_controls("line\tone\nline two") == "line\tone\nline two"


@pytest.mark.parametrize(
    "name, body",
    [
        ("book.txt", "Chapter 1\n\nThe \x1b[31mred\x1b[0m door\x07 opened.\x0c\n"),
        ("book.md", "# Chapter 1\n\nThe \x1b[31mred\x1b[0m door\x07 opened.\x0c\n"),
        ("book.html", "<h1>Chapter 1</h1><p>The \x1b[31mred\x1b[0m door\x07 opened.\x0c</p>"),
    ],
)
def test_control_characters_are_stripped_at_ingest(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    text = spoken_text(load_book(path))
    assert "The red door opened." in text
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in text)
    assert "[31m" not in text


def test_control_characters_in_an_epub_are_stripped(tmp_path):
    from tests.fixtures.epub import simple_epub

    path = simple_epub(tmp_path / "book.epub", "<p>Esc \x1b[1mbold\x1b[0m here\x08.</p>")
    text = spoken_text(load_book(path))
    assert "Esc bold here." in text
