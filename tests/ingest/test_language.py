"""The book's language is guessed from its text when the file does not say."""

import pytest

from audiobook_tts.ingest.book import Block, Chapter
from audiobook_tts.ingest.language import guess_language


@pytest.mark.parametrize(
    "text, language",
    [
        ("It was the best of times, and the worst of times, but it was not to last.", "en"),
        ("Il y avait en Vestphalie, dans le château de M. le baron, un jeune garçon qui est bon.", "fr"),
        ("Quel ramo del lago di Como, che volge a mezzogiorno, non è più della città.", "it"),
        ("Es war einmal ein König, der hatte eine Tochter, und sie ist nicht mit den anderen.", "de"),
        ("此开卷第一回也。作者自云：因曾历过一番梦幻之后，故将真事隐去。", "zh"),
    ],
)
def test_guess_language(text, language):
    assert guess_language([Chapter("", [Block("paragraph", text)])]) == language


def test_no_letters_no_guess():
    assert guess_language([Chapter("", [Block("paragraph", "1 2 3 ...")])]) is None


def test_a_book_without_a_language_gets_the_guess(tmp_path):
    from audiobook_tts.ingest import load_book

    path = tmp_path / "candide.txt"
    path.write_text(
        "CHAPITRE I.\n\nIl y avait en Vestphalie, dans le château de M. le baron, un jeune garçon.\n"
    )
    assert load_book(path).metadata.language == "fr"
