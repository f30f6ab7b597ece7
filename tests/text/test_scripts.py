"""Text in a script the model cannot read is found, per chapter and script, with a count."""

from audiobook_tts.ingest.book import Block, Chapter
from audiobook_tts.text.scripts import script_of, unreadable_text


def test_script_of_letters():
    assert script_of("a") == script_of("é") == "LATIN"
    assert script_of("中") == "CJK"
    assert script_of("क") == "DEVANAGARI"
    assert script_of("7") is None and script_of("—") is None


def test_chinese_and_devanagari_are_reported_with_chapter_and_count():
    chapters = [
        Chapter("One", [Block("paragraph", "Plain English, café and naïve.")]),
        Chapter("Two", [Block("paragraph", "He wrote 中文字 and नमस्ते.")]),
        Chapter("Three", [Block("paragraph", "中文")], included=False),
    ]
    found = unreadable_text(chapters)
    assert [(f.chapter, f.title, f.script) for f in found] == [(2, "Two", "CJK"), (2, "Two", "DEVANAGARI")]
    assert found[0].letters == 3
    assert "chapter 2 (Two): 3 letters in CJK (Chinese/Japanese) script" in found[0].message()


def test_a_latin_book_has_nothing_to_report():
    assert unreadable_text([Chapter("Un", [Block("paragraph", "Ça va très bien, merci.")])]) == []


def test_letters_the_text_stage_spells_in_latin_are_said_to_be():
    chapters = [Chapter("One", [Block("paragraph", "The Greek word ᾍδης, and 中文.")])]
    found = unreadable_text(chapters, spelled=set("ᾍδης"))
    assert [(f.script, f.spelled) for f in found] == [("CJK", False), ("GREEK", True)]
    assert found[1].message().endswith("which the model cannot read: it reads them spelled in Latin letters")
    assert found[0].message().endswith("which the model cannot read")
    assert not unreadable_text(chapters, spelled=set("ᾍδη"))[1].spelled


def test_an_ordinal_indicator_is_a_latin_letter():
    # Dom Casmurro: "Em vigor no Brasil desde 1º de janeiro de 2009" warned of "1 letter in Masculine script"
    assert script_of("º") == script_of("ª") == script_of("ℓ") == "LATIN"
    assert script_of("µ") == "GREEK"  # the micro sign is a mu
    chapter = Chapter("Nota", [Block("paragraph", "Em vigor desde 1º de janeiro, a 7ª Companhia.")])
    assert unreadable_text([chapter]) == []
