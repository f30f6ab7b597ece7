"""Chapter detection that follows the book's own structure, for every format."""

from __future__ import annotations

import pytest

from audiobook_tts.ingest import IngestOptions, load_book
from audiobook_tts.ingest.plaintext import heading_of
from audiobook_tts.text import prepare_chapter

PROSE = "It was a long day and nothing much happened in it, as far as anyone could tell at the time."


@pytest.mark.parametrize(
    "paragraph, kind",
    [
        ("CHAPTER IV.", "chapter"),
        ("Chapter 12: The Storm", "chapter"),
        ("PART ONE", "part"),
        ("Letter 12", "chapter"),
        ("LETTER XII.", "chapter"),
        ("CHAPITRE II", "chapter"),
        ("CAPITOLO PRIMO.", "chapter"),
        ("CANTO TRENTESIMOTERZO", "chapter"),
        ("LIVRE PREMIER", "part"),
        ("第一回　甄士隐梦幻识通灵　贾雨村风尘怀闺秀", "chapter"),
        ("第三卷", "part"),
        ("Prologue", "prologue"),
        ("PREMIÈRE PARTIE", "part"),  # Madame Bovary: the ordinal first
        ("Second Book.", "part"),
        # Don Quijote (Gutenberg 2000): an ordinal word, and a title that wraps onto a third line
        (
            "Capítulo primero. Que trata de la condición y ejercicio del famoso hidalgo\ndon Quijote",
            "chapter",
        ),
        (
            "Capítulo VIII. Del buen suceso que el valeroso don Quijote tuvo en la\n"
            "espantable y jamás imaginada aventura de los molinos de viento, con otros\n"
            "sucesos dignos de felice recordación",
            "chapter",
        ),
    ],
)
def test_paragraphs_that_are_chapter_headings(paragraph, kind):
    assert heading_of(paragraph)[0] == kind


@pytest.mark.parametrize(
    "paragraph",
    [
        "Chapter and verse were quoted at him.",
        "Letter writing was her passion.",
        "Capitolo I            »     5",  # a contents line
        "Canto the song, he said.",
        "First part of the day was spent in bed.",
        "I.",  # a numeral alone is a heading only where the text has more than one
        "第一回来的时候，他已经走了，大家都很失望，只好回家。" * 4,  # prose that starts like a heading
        # three short lines of prose that open with a numbered chapter end like a sentence
        "Chapter 3 covers the harbour and the\nships that used it in the years before\nthe war began.",
    ],
)
def test_sentences_that_only_start_like_headings(paragraph):
    assert heading_of(paragraph) is None


def test_a_chinese_novel_whose_chapters_are_paragraphs(tmp_path):
    chapters = [f"第{n}回　标题{n}\n\n　　{'正文' * 50}。" for n in "一二三"]
    path = tmp_path / "novel.txt"
    path.write_text("《红楼梦》\n\n" + "\n\n".join(chapters), encoding="utf-8")
    book = load_book(path, IngestOptions(include_front_matter=True))
    assert [c.title for c in book.chapters if c.included][-3:] == [
        "第一回 标题一",
        "第二回 标题二",
        "第三回 标题三",
    ]


def test_chapters_numbered_by_a_roman_numeral_alone(tmp_path):
    """Madame Bovary (Gutenberg 14155): "PREMIÈRE PARTIE", then chapters headed "I", "II"."""
    path = tmp_path / "bovary.txt"
    chapter = " ".join([PROSE] * 15)  # a novel's chapter, not a stanza (see the next test)
    path.write_text(f"PREMIÈRE PARTIE\n\n\nI\n\n{chapter}\n\nII\n\n{chapter}\n", encoding="utf-8")
    assert [c.listed_title for c in load_book(path).chapters] == ["PREMIÈRE PARTIE: I", "PREMIÈRE PARTIE: II"]
    path.write_text(f"{PROSE}\n\nI.\n\n{PROSE}\n", encoding="utf-8")  # one numeral alone is not a heading
    assert [len(c.blocks) for c in load_book(path).chapters] == [3]


def test_html_chapters_headed_by_a_paragraph_with_their_numeral_alone(tmp_path):
    """El sombrero de tres picos (Gutenberg 29506) heads its chapters "<p class="cap">I</p>", one of them
    "<h3>XIII.</h3>": its preface and first twelve chapters were one chapter of an hour. A vocabulary's
    letters after them ("C", "L") head no chapter."""
    prose = f"<p>{' '.join([PROSE] * 20)}</p>"
    path = tmp_path / "sombrero.html"
    path.write_text(
        "<html><body><h3>PREFACIO DEL AUTOR</h3>"
        f"{prose}"
        f'<p class="cap"><a id="I"></a>I</p><p class="cap2">DE CUÁNDO SUCEDIÓ LA COSA</p>{prose}'
        f'<p class="cap"><a id="II"></a>II</p><p class="cap2">Y EL HOMBRE SE ACORDÓ</p>{prose}'
        f"<h3>III.</h3>{prose}"
        f'<p class="cap">IV</p>{prose}'
        f"<h3>VOCABULARY</h3><p>C</p><p><b>caballero</b>, m., gentleman.</p></body></html>",
        encoding="utf-8",
    )
    titles = [c.title for c in load_book(path).chapters]
    assert titles == ["PREFACIO DEL AUTOR", "I", "II", "III.", "IV", "VOCABULARY"]


def test_a_vocabulary_after_the_text_is_back_matter(tmp_path):
    """El sombrero de tres picos (Gutenberg 29506, a student's edition) read its "VOCABULARY" after the
    novel: 31,703 words, four hours of "atreverse, v. refl., to dare, to venture"."""
    path = tmp_path / "sombrero.html"
    path.write_text(
        f"<html><body><h2>XXXVI</h2><p>{PROSE}</p><h2>NOTES</h2><p>{PROSE}</p><h2>VOCABULARY</h2>"
        "<p><b>atreverse</b>, <i>v. refl.</i>, to dare, to venture, to be impertinent.</p></body></html>",
        encoding="utf-8",
    )
    assert [(c.title, c.excluded_reason) for c in load_book(path).chapters] == [
        ("XXXVI", None),
        ("NOTES", None),
        ("VOCABULARY", "back matter: glossary (title)"),
    ]


def test_an_ebooks_licence_page_is_front_matter(tmp_path):
    """L'esclavage des Noirs (Olympe de Gouges, an EPUB of thaddeus002/L_heureux_naufrage) was heard opening
    "Licence. Le texte suivant (préface et pièce) est une œuvre du domaine public. ... Cette œuvre est publiée
    sous la licence CC-BY-SA", before the author's preface."""
    path = tmp_path / "gouges.html"
    path.write_text(
        "<html><body><h1>Licence</h1><p>Cette œuvre est publiée sous la licence CC-BY-SA, ce qui signifie "
        f"que vous pouvez légalement la copier.</p><h1>PRÉFACE</h1><p>{PROSE}</p></body></html>",
        encoding="utf-8",
    )
    assert [(c.title, c.excluded_reason) for c in load_book(path).chapters] == [
        ("Licence", "front matter: licence (title)"),
        ("PRÉFACE", None),
    ]


def test_italian_cantos_and_french_chapters(tmp_path):
    path = tmp_path / "commedia.txt"
    path.write_text(f"CANTO PRIMO\n\n{PROSE}\n\nCANTO SECONDO\n\n{PROSE}\n", encoding="utf-8")
    assert [c.title for c in load_book(path).chapters] == ["CANTO PRIMO", "CANTO SECONDO"]


def test_chapters_headed_by_an_ordinal_past_the_fifth(tmp_path):
    """Effi Briest (Gutenberg 5323): "Fünftes Kapitel" was the last heading known, so its chapters 5 to 36
    were one chapter of nearly ten hours, "Sechstes Kapitel." read as a sentence of it."""
    path = tmp_path / "effi.txt"
    path.write_text(
        "Fünftes Kapitel\n\nDie Hohen-Cremmer Festtage lagen zurück; alles war abgereist, auch das\n"
        "junge Paar, noch am Abend des Hochzeitstages.\n\n\n"
        "Sechstes Kapitel\n\nMitte November - sie waren bis Capri und Sorrent gekommen - lief\n"
        "Innstettens Urlaub ab.\n\n\n"
        "Einundzwanzigstes Kapitel\n\nInnstetten war erst vier Tage fort, als Crampas von Stettin wieder\n"
        "eintraf.\n",
        encoding="utf-8",
    )
    assert [c.title for c in load_book(path).chapters] == [
        "Fünftes Kapitel",
        "Sechstes Kapitel",
        "Einundzwanzigstes Kapitel",
    ]


@pytest.mark.parametrize(
    "paragraph",
    [
        "Siebentes Kapitel",
        "Sechzehntes Kapitel",
        "Dreißigstes Kapitel",
        "Zweiter Teil",
        "Chapitre vingt et unième",
        "Sixième partie",
    ]
    + ["Capitolo ventesimo", "Capítulo undécimo", "Eleventh Chapter"],
)
def test_ordinal_headings_in_our_languages(paragraph):
    assert heading_of(paragraph) is not None


def markdown_book(tmp_path, text: str):
    path = tmp_path / "book.md"
    path.write_text(text, encoding="utf-8")
    return load_book(path, IngestOptions(include_front_matter=True))


def test_markdown_a_single_top_heading_is_the_title_and_the_repeated_level_makes_chapters(tmp_path):
    sections = "".join(
        f"## Section {n}\n\n{PROSE}\n\n### In This Chapter\n\n{PROSE}\n\n" for n in range(1, 13)
    )
    book = markdown_book(tmp_path, f"# The Real Title\n\n{PROSE}\n\n{sections}")
    titles = [c.title for c in book.chapters]
    assert book.metadata.title == "The Real Title"
    assert titles.count("In This Chapter") == 0
    assert [t for t in titles if t.startswith("Section")] == [f"Section {n}" for n in range(1, 13)]


def test_text_before_the_first_heading_has_a_title_that_is_not_spoken(tmp_path):
    """decretist/Dissertation, Chapter2/chapter2.md: 1,617 words before the first heading (the YAML holds the
    title) were read after "Front matter.", a title the book never had."""
    from audiobook_tts.text import prepare_chapter

    opening = " ".join([PROSE] * 4)  # long enough to be read, not a title page
    book = markdown_book(tmp_path, f"---\ntitle: Chapter 2\n---\n{opening}\n\n## Gratian\n\n{PROSE}\n")
    front = book.chapters[0]
    assert (front.title, front.placeholder_title, front.included) == ("Front matter", True, True)
    assert (book.chapters[1].title, book.chapters[1].placeholder_title) == ("Gratian", False)
    spoken = [segment.text for segment in prepare_chapter(front, lambda text: len(text.split()))]
    assert " ".join(spoken) == opening


def test_markdown_repeated_top_level_with_subsections(tmp_path):
    text = "".join(f"# Chapter {n}\n\n{PROSE}\n\n## A part\n\n{PROSE}\n\n" for n in range(1, 4))
    book = markdown_book(tmp_path, text)
    assert [c.title for c in book.chapters] == ["Chapter 1", "Chapter 2", "Chapter 3"]


def test_html_very_long_chapters_go_one_level_deeper_with_parts(tmp_path):
    long_letter = " ".join([PROSE] * 120)  # 14 letters of ~2,400 words: volumes of ~17,000
    volumes = "".join(
        f"<h2>Volume {v}</h2>" + "".join(f"<h3>Letter {v}{n}</h3><p>{long_letter}</p>" for n in range(1, 8))
        for v in (1, 2)
    )
    path = tmp_path / "letters.html"
    path.write_text(f"<html><body><h1>Letters</h1>{volumes}</body></html>", encoding="utf-8")
    book = load_book(path)
    letters = [c for c in book.chapters if c.title.startswith("Letter ")]
    assert len(letters) == 12 and all(c.level == 2 for c in letters)
    assert [c.listed_title for c in book.chapters if c.level == 1 and c.title.startswith("Volume")] == [
        "Volume 1: Letter 11",  # a volume's heading is read with its first letter
        "Volume 2: Letter 21",
    ]


def test_a_part_labelled_by_its_number_takes_its_subtitle(tmp_path):
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    files = {
        "OEBPS/content.opf": opf(["p1.xhtml", "c1.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="p1.xhtml">Part I</a><ol><li><a href="c1.xhtml">Chapter 1</a></li></ol></li>'
        ),
        "OEBPS/p1.xhtml": xhtml(f"<h1>PART I</h1><h2>Of the Origin of Things</h2><p>{PROSE}</p>"),
        "OEBPS/c1.xhtml": xhtml(f"<h2>Chapter 1</h2><p>{PROSE}</p>"),
    }
    book = load_book(write_epub(tmp_path / "parts.epub", files))
    assert [(c.title, c.level) for c in book.chapters] == [
        ("Part I: Of the Origin of Things", 1),
        ("Chapter 1", 2),
    ]


def test_a_spine_document_no_toc_entry_points_at_belongs_to_the_entry_before_it(tmp_path):
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    files = {
        "OEBPS/content.opf": opf(["p1.xhtml", "dedication.xhtml", "p2.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="p1.xhtml">Part 1</a></li><li><a href="p2.xhtml">Part 2</a></li>'
        ),
        "OEBPS/p1.xhtml": xhtml(f"<h1>Part 1</h1><p>{PROSE}</p>"),
        "OEBPS/dedication.xhtml": xhtml("<p>To my mother, who read to me.</p>"),
        "OEBPS/p2.xhtml": xhtml(f"<h1>Part 2</h1><p>{PROSE}</p>"),
    }
    book = load_book(write_epub(tmp_path / "dedication.epub", files))
    assert [c.title for c in book.chapters] == ["Part 1", "Part 2"]
    assert book.chapters[0].blocks[-1].text == "To my mother, who read to me."
    assert all(c.included for c in book.chapters)


def test_a_chapter_going_on_after_matter_inside_it_does_not_say_continued(tmp_path):
    """I promessi sposi (Gutenberg HTML): text after a page of matter within a chapter's region is a chapter
    of its own, named "X. (continued)" by us; that name was spoken, "Dieci. (continued).", an English word in
    an Italian book. It names the chapter in the list and is never said."""
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    files = {
        "OEBPS/content.opf": opf(["c10.xhtml", "rights.xhtml", "c10b.xhtml"]),
        "OEBPS/nav.xhtml": nav('<li><a href="c10.xhtml">X.</a></li>'),
        "OEBPS/c10.xhtml": xhtml(f"<h1>X.</h1><p>{PROSE}</p>"),
        "OEBPS/rights.xhtml": xhtml(
            '<section epub:type="copyright-page"><p>All rights reserved.</p></section>'
        ),
        "OEBPS/c10b.xhtml": xhtml("<p>La sventurata rispose.</p>"),
    }
    book = load_book(write_epub(tmp_path / "promessi.epub", files))
    read = [c for c in book.chapters if c.included]
    assert [c.listed_title for c in read] == ["X.", "X. (continued)"]
    spoken = [s.text for s in prepare_chapter(read[1], lambda text: len(text.split()))]
    assert spoken == ["La sventurata rispose."]


def test_text_after_an_image_only_part_page_is_that_parts_text(tmp_path):
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    files = {
        "OEBPS/content.opf": opf(["p1.xhtml", "dedication.xhtml", "p2.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="p1.xhtml">Part 1</a></li><li><a href="p2.xhtml">Part 2</a></li>'
        ),
        "OEBPS/p1.xhtml": xhtml('<div><img src="part1.png" alt=""/></div>'),
        "OEBPS/dedication.xhtml": xhtml(f"<p>To my mother, who read to me. {PROSE}</p>"),
        "OEBPS/p2.xhtml": xhtml(f"<h1>Part 2</h1><p>{PROSE}</p>"),
    }
    book = load_book(
        write_epub(tmp_path / "dedication.epub", files), IngestOptions(include_front_matter=True)
    )
    assert [(c.title, c.included) for c in book.chapters] == [("Part 1", True), ("Part 2", True)]


def test_a_transcribers_note_is_matter_not_the_book(tmp_path):
    body = (
        '<div class="transnote"><p>Obvious typographical errors have been silently corrected.</p></div>'
        f"<h2>Chapter 1</h2><p>{PROSE}</p><h2>Chapter 2</h2><p>{PROSE}</p>"
        f"<h2>Transcriber's Notes</h2><p>Page 12: changed 'teh' to 'the'.</p>"
    )
    path = tmp_path / "book.html"
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    book = load_book(path)
    read = [c.title for c in book.chapters if c.included]
    assert read == ["Chapter 1", "Chapter 2"]
    assert any("transcriber" in (c.excluded_reason or "") for c in book.chapters)


def test_an_editors_introduction_is_front_matter(tmp_path):
    """The Wealth of Nations (Standard Ebooks) opened with Edwin Cannan's 13,219-word "Editor’s Introduction"
    as chapter 1; now it is left out (the front-matter option reads it), and Adam Smith's own "Introduction
    and Plan of the Work", marked alike (epub:type="introduction"), is read first."""
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    def introduction(title: str, text: str) -> str:
        return xhtml(f'<section epub:type="introduction"><h2>{title}</h2><p>{text}</p></section>')

    files = {
        "OEBPS/content.opf": opf(["editor.xhtml", "introduction.xhtml", "chapter-1.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="editor.xhtml">Editor’s Introduction</a></li>'
            '<li><a href="introduction.xhtml">Introduction and Plan of the Work</a></li>'
            '<li><a href="chapter-1.xhtml">I: Of the Division of Labour</a></li>'
        ),
        "OEBPS/editor.xhtml": introduction(
            "Editor’s Introduction",
            "The first edition of the Wealth of Nations was published on the 9th of March, 1776.",
        ),
        "OEBPS/introduction.xhtml": introduction(
            "Introduction and Plan of the Work",
            "The annual labour of every nation is the fund which originally supplies it.",
        ),
        "OEBPS/chapter-1.xhtml": xhtml(f"<h2>I: Of the Division of Labour</h2><p>{PROSE}</p>"),
    }
    book = load_book(write_epub(tmp_path / "wealth.epub", files))
    assert [(c.title, c.included) for c in book.chapters] == [
        ("Editor’s Introduction", False),
        ("Introduction and Plan of the Work", True),
        ("I: Of the Division of Labour", True),
    ]


def test_a_title_page_and_a_list_of_illustrations_are_front_matter(tmp_path):
    """As Pandoc makes an EPUB of a Gutenberg HTML book: the title page is a TOC entry headed by the book's
    title with its imprint, and the list of illustrations (captions and page numbers) is another."""
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    metadata = "<dc:title>Pride and Prejudice</dc:title><dc:language>en</dc:language>"
    docs = ["title.xhtml", "plates.xhtml", "c1.xhtml", "c2.xhtml"]
    files = {
        "OEBPS/content.opf": opf(docs, metadata=metadata),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="title.xhtml">PRIDE. and PREJUDICE</a></li>'
            '<li><a href="plates.xhtml">List of Illustrations.</a></li>'
            '<li><a href="c1.xhtml">Chapter I.</a></li><li><a href="c2.xhtml">Chapter II.</a></li>'
        ),
        "OEBPS/title.xhtml": xhtml(
            "<h1>PRIDE. and PREJUDICE</h1><p>by Jane Austen, with a Preface by George Saintsbury</p>"
            "<p>Ruskin House, 156 Charing Cross Road, London: George Allen.</p>"
        ),
        "OEBPS/plates.xhtml": xhtml(
            "<h2>List of Illustrations.</h2><table><tr><td>Frontispiece</td><td>iv</td></tr>"
            "<tr><td>Title-page</td><td>v</td></tr></table>"
        ),
        "OEBPS/c1.xhtml": xhtml(f"<h2>Chapter I.</h2><p>{PROSE}</p>"),
        "OEBPS/c2.xhtml": xhtml(f"<h2>Chapter II.</h2><p>{PROSE}</p>"),
    }
    book = load_book(write_epub(tmp_path / "pandoc.epub", files))
    read = [c.title for c in book.chapters if c.included]
    assert read == ["Chapter I.", "Chapter II."]
    reasons = [c.excluded_reason for c in book.chapters if not c.included]
    assert reasons == [
        "front matter: title page (the book's title and a few lines)",
        "front matter: list of illustrations (title)",
    ]


def test_a_markdown_book_titled_by_its_first_heading_keeps_that_chapter(tmp_path):
    """Markdown without front matter takes its title from the first heading; that chapter is no title page."""
    path = tmp_path / "book.md"
    path.write_text("# One\n\nThe lamp was lit.\n\n# Two\n\nThe clock ran fast.\n", encoding="utf-8")
    book = load_book(path)
    assert book.metadata.title == "One"
    assert [(c.title, c.included) for c in book.chapters] == [("One", True), ("Two", True)]


def test_a_section_titled_by_its_number_takes_its_parents_title(tmp_path):
    """As in Standard Ebooks' Sherlock Holmes ("I", "II" under each story) and Leaves of Grass ("1" to "52"
    under a poem): a player's chapter list would otherwise repeat bare numbers."""
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    files = {
        "OEBPS/content.opf": opf(["scandal.xhtml", "league.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="scandal.xhtml">A Scandal in Bohemia</a><ol>'
            '<li><a href="scandal.xhtml#s1">I</a></li><li><a href="scandal.xhtml#s2">II.</a></li></ol></li>'
            '<li><a href="league.xhtml">The Red-Headed League</a></li>'
        ),
        "OEBPS/scandal.xhtml": xhtml(
            f'<h2>A Scandal in Bohemia</h2><section id="s1"><h3>I</h3><p>{STORY_PART}</p></section>'
            f'<section id="s2"><h3>II.</h3><p>{STORY_PART}</p></section>'
        ),
        "OEBPS/league.xhtml": xhtml(f"<h2>The Red-Headed League</h2><p>{PROSE}</p>"),
    }
    book = load_book(write_epub(tmp_path / "stories.epub", files))
    assert [(c.listed_title, c.title, c.level) for c in book.chapters if c.included] == [
        ("A Scandal in Bohemia: I", "A Scandal in Bohemia", 1),  # a story's heading is read with its part I
        ("A Scandal in Bohemia: II", "II.", 2),
        ("The Red-Headed League", "The Red-Headed League", 1),
    ]


def test_a_dictionarys_sections_titled_by_their_letters_are_letters(tmp_path):
    """The Devil's Dictionary (Standard Ebooks): sections "A" to "Z" under the book's title. "C", "I", "L",
    "V" and "X" were read as Roman numerals ("One hundred", "One", ...) and listed as "The Devil's
    Dictionary: C" while "B" was "B". A novel's lone "I" before "II" stays chapter one."""
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    letters = ["A", "B", "C", "I", "V", "X"]
    files = {
        "OEBPS/content.opf": opf([f"{letter}.xhtml" for letter in letters]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="A.xhtml">The Dictionary</a><ol>'
            + "".join(f'<li><a href="{letter}.xhtml#s">{letter}</a></li>' for letter in letters)
            + "</ol></li>"
        ),
    }
    for letter in letters:
        files[f"OEBPS/{letter}.xhtml"] = xhtml(
            f'<section id="s"><h2>{letter}</h2><p>{letter}bacus</p><p>{PROSE}</p></section>'
        )
    book = load_book(write_epub(tmp_path / "dictionary.epub", files))
    sections = [c for c in book.chapters if c.level == 2]
    assert [c.listed_title for c in sections] == letters
    first = [prepare_chapter(c, lambda text: len(text.split()))[0].text for c in sections]
    assert first == ["A.", "B.", "C.", "I.", "V.", "X."]

    novel = tmp_path / "novel.md"
    novel.write_text(f"# A\n\n{STORY_PART}\n\n# I\n\n{STORY_PART}\n\n# II\n\n{STORY_PART}\n")
    chapters = load_book(novel).chapters
    assert [prepare_chapter(c, lambda text: len(text.split()))[0].text for c in chapters] == [
        "A.",
        "One.",
        "Two.",
    ]


def test_a_section_whose_title_repeats_takes_its_parents_title(tmp_path):
    """The Origin of Species (Standard Ebooks) ends six chapters with a section titled "Summary", and Hamlet
    has a "Scene II" in four acts: a player's chapter list showed the same name again and again. Now "II:
    Variation Under Nature: Summary" and "Act IV: Scene II"; so is "Act IV: Scene VI", the only one so
    called, as its act's other scenes are. The acts stay "Act I", "Act IV": the half-title above them is not
    read."""
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    chapters = {
        "chapter-2": ("II: Variation Under Nature", ["Doubtful Species", "Summary"]),
        "chapter-5": ("V: Laws of Variation", ["Acclimatisation", "Summary"]),
        "act-1": ("Act I", ["Scene II"]),
        "act-4": ("Act IV", ["Scene II", "Scene VI"]),
    }

    def entry(name: str) -> str:
        title, sections = chapters[name]
        items = [f'<li><a href="{name}.xhtml#{name}-{i}">{s}</a></li>' for i, s in enumerate(sections)]
        return f'<li><a href="{name}.xhtml">{title}</a><ol>{"".join(items)}</ol></li>'

    def document(name: str) -> str:
        title, sections = chapters[name]
        parts = [
            f'<section id="{name}-{i}"><h3>{s}</h3><p>{PROSE}</p></section>' for i, s in enumerate(sections)
        ]
        return xhtml(f"<section><h2>{title}</h2><p>{PROSE}</p>{''.join(parts)}</section>")

    files = {
        "OEBPS/content.opf": opf(
            ["chapter-2.xhtml", "chapter-5.xhtml", "half.xhtml", "act-1.xhtml", "act-4.xhtml"]
        ),
        "OEBPS/nav.xhtml": nav(
            entry("chapter-2")
            + entry("chapter-5")
            + f'<li><a href="half.xhtml">Hamlet</a><ol>{entry("act-1")}{entry("act-4")}</ol></li>'
        ),
        "OEBPS/half.xhtml": xhtml('<section epub:type="halftitlepage"><h2>Hamlet</h2></section>'),
        **{f"OEBPS/{name}.xhtml": document(name) for name in chapters},
    }
    book = load_book(write_epub(tmp_path / "titles.epub", files))
    assert [c.listed_title for c in book.chapters if c.included] == [
        "II: Variation Under Nature",
        "Doubtful Species",
        "II: Variation Under Nature: Summary",
        "V: Laws of Variation",
        "Acclimatisation",
        "V: Laws of Variation: Summary",
        "Act I",
        "Act I: Scene II",
        "Act IV",
        "Act IV: Scene II",
        "Act IV: Scene VI",
    ]


STORY_PART = " ".join([PROSE] * 15)  # a story's numbered part runs to thousands of words: 300 here


def test_short_numbered_sections_are_read_within_their_chapter(tmp_path):
    """Keats's Isabella (Standard Ebooks): a TOC entry per stanza, "I" to "LXIII", each ~64 words, had made
    63 chapters (marks, files, closing pauses); now one chapter, each stanza after a break and its number.
    Sections in another document, or fewer than two, stay chapters."""
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    stanza = "Fair Isabel, poor simple Isabel! Lorenzo, a young palmer in Love's eye!"
    files = {
        "OEBPS/content.opf": opf(["isabella.xhtml", "odes.xhtml", "apart.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="isabella.xhtml">Isabella</a><ol>'
            '<li><a href="isabella.xhtml#s1">I</a></li><li><a href="isabella.xhtml#s2">II</a></li></ol></li>'
            '<li><a href="odes.xhtml">Odes</a><ol><li><a href="apart.xhtml#s1">I</a></li>'
            '<li><a href="apart.xhtml#s2">II</a></li></ol></li>'
        ),
        "OEBPS/isabella.xhtml": xhtml(
            f'<h2>Isabella</h2><section id="s1"><h3>I</h3><p>{stanza}</p></section>'
            f'<section id="s2"><h3>II</h3><p>{stanza}</p></section>'
        ),
        "OEBPS/odes.xhtml": xhtml(f"<h2>Odes</h2><p>{PROSE}</p>"),
        "OEBPS/apart.xhtml": xhtml(
            f'<section id="s1"><h3>I</h3><p>{PROSE}</p></section>'
            f'<section id="s2"><h3>II</h3><p>{PROSE}</p></section>'
        ),
    }
    book = load_book(write_epub(tmp_path / "poems.epub", files))
    listed = [c.listed_title for c in book.chapters if c.included]
    assert listed == ["Isabella", "Odes", "Odes: I", "Odes: II"]
    isabella = book.chapters[0]
    assert [(b.kind, b.text) for b in isabella.blocks] == [
        ("heading", "Isabella"),
        ("scene_break", ""),
        ("heading", "I"),
        ("paragraph", stanza),
        ("scene_break", ""),
        ("heading", "II"),
        ("paragraph", stanza),
    ]


def test_a_chapter_that_is_only_its_title_is_read_with_its_first_section(tmp_path):
    """The Origin of Species (Standard Ebooks): chapter I is its heading alone, its text in sections with TOC
    entries of their own; "One: Variation Under Domestication." had been a chapter of four seconds before
    "Causes of Variability". Now one chapter: the title, a break, the first section. The later sections stay
    chapters, as in chapter II, whose own text comes before its first section."""
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    causes = (
        "When we compare the individuals of the same variety or sub-variety of our older cultivated plants "
        "and animals, one of the first points which strikes us is, that they generally differ more from each "
        "other than do the individuals of any one species or variety in a state of nature."
    )
    files = {
        "OEBPS/content.opf": opf(["chapter-1.xhtml", "chapter-2.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="chapter-1.xhtml">I: Variation Under Domestication</a><ol>'
            '<li><a href="chapter-1.xhtml#chapter-1-1">Causes of Variability</a></li>'
            '<li><a href="chapter-1.xhtml#chapter-1-2">Effects of Habit</a></li></ol></li>'
            '<li><a href="chapter-2.xhtml">II: Variation Under Nature</a><ol>'
            '<li><a href="chapter-2.xhtml#chapter-2-1">Variability</a></li></ol></li>'
        ),
        "OEBPS/chapter-1.xhtml": xhtml(
            '<section id="chapter-1" epub:type="chapter"><hgroup><h2>I</h2>'
            '<p epub:type="title">Variation Under Domestication</p></hgroup>'
            f'<section id="chapter-1-1"><h3>Causes of Variability</h3><p>{causes}</p></section>'
            f'<section id="chapter-1-2"><h3>Effects of Habit</h3><p>{PROSE}</p></section></section>'
        ),
        "OEBPS/chapter-2.xhtml": xhtml(
            '<section id="chapter-2" epub:type="chapter"><hgroup><h2>II</h2>'
            f'<p epub:type="title">Variation Under Nature</p></hgroup><p>{PROSE}</p>'
            f'<section id="chapter-2-1"><h3>Variability</h3><p>{PROSE}</p></section></section>'
        ),
    }
    book = load_book(write_epub(tmp_path / "origin.epub", files))
    assert [c.listed_title for c in book.chapters if c.included] == [
        "I: Variation Under Domestication: Causes of Variability",
        "Effects of Habit",
        "II: Variation Under Nature",
        "Variability",
    ]
    assert [(b.kind, b.text) for b in book.chapters[0].blocks] == [
        ("heading", "I"),
        ("heading", "Variation Under Domestication"),
        ("scene_break", ""),
        ("heading", "Causes of Variability"),
        ("paragraph", causes),
    ]


CRIME_OPENING = (
    "On an exceptionally hot evening early in July a young man came out of the garret in which he lodged in "
    "S\u2060\u2e3a Place and walked slowly, as though in hesitation, towards K\u2060\u2e3a bridge."
)
CRIME_CROWDS = (
    "Raskolnikov was not used to crowds, and, as we said before, he avoided society of every sort, more "
    "especially of late."
)


def crime_and_punishment_files() -> dict[str, str]:
    """Crime and Punishment (Standard Ebooks): "Part I" is a document holding only its heading, each
    chapter a document of its own."""
    from tests.fixtures.epub import nav, opf, xhtml

    return {
        "OEBPS/content.opf": opf(["part-1.xhtml", "chapter-1-1.xhtml", "chapter-1-2.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="part-1.xhtml">Part I</a><ol><li><a href="chapter-1-1.xhtml">I</a></li>'
            '<li><a href="chapter-1-2.xhtml">II</a></li></ol></li>'
        ),
        "OEBPS/part-1.xhtml": xhtml(
            '<section id="part-1" epub:type="part"><h2><span>Part</span> <span>I</span></h2></section>'
        ),
        "OEBPS/chapter-1-1.xhtml": xhtml(
            f'<section id="chapter-1-1" epub:type="chapter"><h3>I</h3><p>{CRIME_OPENING}</p></section>'
        ),
        "OEBPS/chapter-1-2.xhtml": xhtml(
            f'<section id="chapter-1-2" epub:type="chapter"><h3>II</h3><p>{CRIME_CROWDS}</p></section>'
        ),
    }


def test_a_title_only_chapter_is_read_with_its_first_section_from_another_document(tmp_path):
    """Crime and Punishment (Standard Ebooks): "Part I" to "Part VI" are each a document holding only the
    part's heading, and had been chapters of three seconds ("Part one.") before their first chapter, a
    document of its own. Now read with it, as where both are in one document; the chapter keeps where its
    text goes on (`continued_in`), for the read-along EPUB."""
    from tests.fixtures.epub import write_epub

    book = load_book(write_epub(tmp_path / "crime.epub", crime_and_punishment_files()))
    assert [c.listed_title for c in book.chapters if c.included] == ["Part I: I", "Part I: II"]
    first = book.chapters[0]
    assert [(b.kind, b.text) for b in first.blocks] == [
        ("heading", "Part I"),
        ("scene_break", ""),
        ("heading", "I"),
        ("paragraph", CRIME_OPENING),
    ]
    assert first.source == "OEBPS/part-1.xhtml" and first.continued_in == ["OEBPS/chapter-1-1.xhtml"]
    assert book.chapters[1].continued_in == []


WEALTH_BOOK_ONE = (
    "Of the causes of improvement in the productive powers of labour, and of the order according to which "
    "its produce is naturally distributed among the different ranks of the people."
)
WEALTH_DIVISION = (
    "The greatest improvement in the productive powers of labour, and the greater part of the skill, "
    "dexterity, and judgment with which it is anywhere directed, or applied, seem to have been the effects "
    "of the division of labour."
)


def wealth_of_nations_files() -> dict[str, str]:
    """The Wealth of Nations (Standard Ebooks): "Book I" is a document holding only its title, each chapter
    a document of its own."""
    from tests.fixtures.epub import nav, opf, xhtml

    return {
        "OEBPS/content.opf": opf(["book-1.xhtml", "chapter-1-1.xhtml", "chapter-1-2.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="book-1.xhtml">Book I</a><ol>'
            '<li><a href="chapter-1-1.xhtml">I: Of the Division of Labour</a></li>'
            '<li><a href="chapter-1-2.xhtml">II: Of the Principle Which Gives Occasion to the Division of '
            "Labour</a></li></ol></li>"
        ),
        "OEBPS/book-1.xhtml": xhtml(
            '<section id="book-1" epub:type="part"><header><h2><span epub:type="se:label">Book</span> '
            f'<span epub:type="z3998:ordinal z3998:roman">I</span></h2><p epub:type="se:bridgehead">'
            f"{WEALTH_BOOK_ONE}</p></header></section>"
        ),
        "OEBPS/chapter-1-1.xhtml": xhtml(
            '<section id="chapter-1-1" epub:type="chapter"><hgroup><h3>I</h3>'
            f'<p epub:type="title">Of the Division of Labour</p></hgroup><p>{WEALTH_DIVISION}</p></section>'
        ),
        "OEBPS/chapter-1-2.xhtml": xhtml(
            '<section id="chapter-1-2" epub:type="chapter"><hgroup><h3>II</h3>'
            '<p epub:type="title">Of the Principle Which Gives Occasion to the Division of Labour</p>'
            f"</hgroup><p>{PROSE}</p></section>"
        ),
    }


def test_a_title_with_its_summary_in_a_header_is_read_with_its_first_section(tmp_path):
    """The Wealth of Nations (Standard Ebooks): "Book I" to "Book V" are each a document holding a <header>
    with the book's heading and a summary of a line or two, and had been chapters of 6 to 16 seconds before
    their first chapter. The summary is the title's, as a subtitle is: the book is read with its first
    chapter, as a chapter that is only its heading is."""
    from tests.fixtures.epub import write_epub

    book = load_book(write_epub(tmp_path / "wealth.epub", wealth_of_nations_files()))
    assert [c.listed_title for c in book.chapters if c.included] == [
        "Book I: I: Of the Division of Labour",
        "II: Of the Principle Which Gives Occasion to the Division of Labour",
    ]
    first = book.chapters[0]
    assert [(b.kind, b.text) for b in first.blocks] == [
        ("heading", "Book I"),
        ("paragraph", WEALTH_BOOK_ONE),
        ("scene_break", ""),
        ("heading", "I"),
        ("heading", "Of the Division of Labour"),
        ("paragraph", WEALTH_DIVISION),
    ]
    assert first.source == "OEBPS/book-1.xhtml" and first.continued_in == ["OEBPS/chapter-1-1.xhtml"]
    assert book.chapters[1].continued_in == []


def test_a_first_section_that_is_only_its_title_takes_its_own_first_section(tmp_path):
    """The Wealth of Nations: "Book V" (a document: its heading and summary) is followed by chapter I, whose
    document opens with its title alone before its first part. Book V read with chapter I's title only had
    been a chapter of ten seconds, "Book five. Of the revenue of the sovereign or commonwealth. One. Of the
    Expenses of the Sovereign or Commonwealth."; now the first part is read in it too."""
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    defence = (
        "The first duty of the sovereign, that of protecting the society from the violence and invasion of "
        "other independent societies, can be performed only by means of a military force."
    )
    files = {
        "OEBPS/content.opf": opf(["book-5.xhtml", "chapter-5-1.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="book-5.xhtml">Book V</a><ol>'
            '<li><a href="chapter-5-1.xhtml">I: Of the Expenses of the Sovereign or Commonwealth</a><ol>'
            '<li><a href="chapter-5-1.xhtml#chapter-5-1-1">I: Of the Expense of Defence</a></li>'
            '<li><a href="chapter-5-1.xhtml#chapter-5-1-2">II: Of the Expense of Justice</a></li>'
            "</ol></li></ol></li>"
        ),
        "OEBPS/book-5.xhtml": xhtml(
            '<section id="book-5" epub:type="part"><header><h2>Book V</h2><p epub:type="se:bridgehead">'
            "Of the revenue of the sovereign or commonwealth.</p></header></section>"
        ),
        "OEBPS/chapter-5-1.xhtml": xhtml(
            '<section id="chapter-5-1" epub:type="chapter"><hgroup><h3>I</h3><p epub:type="title">Of the '
            "Expenses of the Sovereign or Commonwealth</p></hgroup>"
            '<section id="chapter-5-1-1"><hgroup><h4>I</h4><p epub:type="title">Of the Expense of Defence</p>'
            f"</hgroup><p>{defence}</p></section>"
            '<section id="chapter-5-1-2"><hgroup><h4>II</h4><p epub:type="title">Of the Expense of Justice'
            f"</p></hgroup><p>{PROSE}</p></section></section>"
        ),
    }
    book = load_book(write_epub(tmp_path / "wealth.epub", files))
    assert [c.listed_title for c in book.chapters if c.included] == [
        "Book V: I: Of the Expenses of the Sovereign or Commonwealth: I: Of the Expense of Defence",
        "II: Of the Expense of Justice",
    ]
    first = book.chapters[0]
    assert [b.text for b in first.blocks] == [
        "Book V",
        "Of the revenue of the sovereign or commonwealth.",
        "",
        "I",
        "Of the Expenses of the Sovereign or Commonwealth",
        "",
        "I",
        "Of the Expense of Defence",
        defence,
    ]
    assert first.continued_in == ["OEBPS/chapter-5-1.xhtml"]


def test_a_numbered_section_with_a_letter_does_not_stop_the_join(tmp_path):
    """Beyond Good and Evil (Standard Ebooks): Part IV's 124 apophthegms of ~24 words each were 120
    chapters, because "65A" (added between 65 and 66) was no number title and ended the run of sections to
    join; now one chapter, "65A" read as its number like the others."""
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    saying = "We are most dishonourable towards our God: he is not permitted to sin."
    numbers = ["65", "65A", "66", "67"]
    files = {
        "OEBPS/content.opf": opf(["part-4.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="part-4.xhtml">Apophthegms and Interludes</a><ol>'
            + "".join(f'<li><a href="part-4.xhtml#s{n}">{n}</a></li>' for n in numbers)
            + "</ol></li>"
        ),
        "OEBPS/part-4.xhtml": xhtml(
            "<h2>Apophthegms and Interludes</h2>"
            + "".join(f'<section id="s{n}"><h3>{n}</h3><p>{saying}</p></section>' for n in numbers)
        ),
    }
    book = load_book(write_epub(tmp_path / "sayings.epub", files))
    assert [c.listed_title for c in book.chapters if c.included] == ["Apophthegms and Interludes"]
    headings = [b.text for b in book.chapters[0].blocks if b.kind == "heading"]
    assert headings == ["Apophthegms and Interludes", *numbers]


def test_a_plays_persons_after_its_contents_list_are_read(tmp_path):
    """A Doll's House (Gutenberg 2542): the list of persons and the setting after the contents list were read
    as part of the list and left out with it; now a chapter of their own, read. A novel's chapter that only
    happens to be called "Characters" (its title comes again in the text) stays a line of the list."""
    path = tmp_path / "play.txt"
    path.write_text(
        "A Doll's House\n\nby Henrik Ibsen\n\n\nContents\n\n ACT I.\n ACT II.\n ACT III.\n\n\n"
        " DRAMATIS PERSONAE\n\nTorvald Helmer.\nNora, his wife.\nA Porter.\n\n"
        "_[The action takes place in Helmer's house.]_\n\n\n"
        "ACT I\n\nNORA.\nHide the Christmas Tree carefully, Helen.\n\n"
        "ACT II\n\nNORA.\nSomeone is coming now.\n\nACT III\n\nNORA.\nGood-bye, Torvald.\n"
    )
    book = load_book(path)
    assert [(c.title, c.included) for c in book.chapters] == [
        ("Front matter", False),
        ("Contents", False),
        ("DRAMATIS PERSONAE", True),
        ("ACT I", True),
        ("ACT II", True),
        ("ACT III", True),
    ]
    persons = " ".join(" ".join(b.text.split()) for b in book.chapters[2].blocks)
    assert (
        "Torvald Helmer. Nora, his wife. A Porter." in persons and "takes place in Helmer's house" in persons
    )
    path.write_text(
        "Contents\n\n Places\n\n Characters\n\n Endings\n\n\n"
        "Places\n\nOne.\n\nCharacters\n\nTwo.\n\nEndings\n\nThree.\n"
    )
    assert [c.title for c in load_book(path).chapters] == ["Contents", "Places", "Characters", "Endings"]


def test_a_contents_list_names_the_chapters_of_a_plain_text(tmp_path):
    """Walden (Gutenberg 205) names its chapters only in its contents list ("Economy", "Reading"): it was one
    13-hour chapter that began by reading the list aloud."""
    path = tmp_path / "walden.txt"
    path.write_text(
        "WALDEN\n\n\nby Henry David Thoreau\n\n\nContents\n\n\n WALDEN\n\n Economy\n"
        " Where I Lived, and What I Lived For\n Reading\n\n ON THE DUTY OF CIVIL DISOBEDIENCE\n\n\n\n"
        "WALDEN\n\nEconomy\n\n"
        "When I wrote the following pages, I lived alone.\n\nWhere I Lived, and What I Lived For\n\n"
        "At a certain season of our life.\n\nReading\n\nWith a little more deliberation.\n\n"
        "Economy was his word for it.\n\nON THE DUTY OF CIVIL DISOBEDIENCE\n\nI heartily accept the motto.\n"
    )
    book = load_book(path)
    assert [(c.listed_title, c.level, c.included) for c in book.chapters] == [
        ("Front matter", 1, False),  # the title page, before the list
        ("Contents", 2, False),
        ("WALDEN: Economy", 1, True),  # the part's heading is read with its first chapter
        ("Where I Lived, and What I Lived For", 2, True),
        ("Reading", 2, True),
        ("ON THE DUTY OF CIVIL DISOBEDIENCE", 1, True),
    ]
    # Frankenstein's list names only chapters: they are not nested under the list
    path.write_text(
        "Contents\n\n Letter 1\n Chapter 1\n Chapter 2\n\n\nLetter 1\n\nOne.\n\nChapter 1\n\nTwo.\n\n"
        "Chapter 2\n\nThree.\n"
    )
    assert [(c.title, c.level) for c in load_book(path).chapters] == [
        ("Contents", 1),
        ("Letter 1", 1),
        ("Chapter 1", 1),
        ("Chapter 2", 1),
    ]
    reading = next(c for c in book.chapters if c.title == "Reading")
    assert [b.text for b in reading.blocks] == [
        "Reading",
        "With a little more deliberation.",
        "Economy was his word for it.",
    ]
