"""HTML, Markdown and plain-text books built in tmp_path: encodings, line ends, headings, markup stripped."""

from __future__ import annotations

import pytest

from audiobook_tts.ingest import IngestOptions, load_book


def kinds_and_texts(book, title):
    chapter = next(c for c in book.chapters if c.title == title)
    return [(b.kind, b.text) for b in chapter.blocks]


# --- plain text ------------------------------------------------------------------------------------------


def test_text_chapters_crlf_bom_and_gutenberg_markers(tmp_path):
    text = (
        "\ufeffTitle: My Book\r\nAuthor: Jane Doe\r\nLanguage: English\r\n\r\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK MY BOOK ***\r\n\r\n"
        "CHAPTER I.\r\nThe Beginning\r\n\r\n"
        "It was a dark and stormy night; the rain fell in torrents, except at occasional\r\n"
        "intervals, when it was checked by a violent gust of wind which swept up the streets.\r\n\r\n"
        "* * *\r\n\r\n"
        "Roses are red,\r\nViolets are blue.\r\n\r\n"
        "Chapter 12: The Middle\r\n\r\nMore text, with a pause [pause:1.5s] kept as written.\r\n\r\n"
        "CHAPTER IV\r\n\r\nThe end.\r\n\r\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK MY BOOK ***\r\n\r\nLicence words.\r\n"
    )
    path = tmp_path / "book.txt"
    path.write_bytes(text.encode("utf-8"))
    book = load_book(path)
    assert (book.metadata.title, book.metadata.authors) == ("My Book", ["Jane Doe"])
    toc = [(c.title, c.level) for c in book.chapters if not c.synthetic]
    assert toc == [
        ("CHAPTER I. The Beginning", 1),
        ("Chapter 12: The Middle", 1),
        ("CHAPTER IV", 1),
    ]
    assert kinds_and_texts(book, "CHAPTER I. The Beginning") == [
        ("heading", "CHAPTER I. The Beginning"),
        (
            "paragraph",
            "It was a dark and stormy night; the rain fell in torrents, except at occasional intervals, "
            "when it was checked by a violent gust of wind which swept up the streets.",
        ),
        ("scene_break", ""),
        ("verse", "Roses are red,\nViolets are blue."),
    ]
    assert "[pause:1.5s]" in kinds_and_texts(book, "Chapter 12: The Middle")[1][1]
    excluded = [c for c in book.chapters if not c.included]
    assert [c.excluded_reason for c in excluded] == [
        "front matter: Project Gutenberg header",
        "back matter: Project Gutenberg licence",
    ]
    all_text = "".join(b.text for c in book.chapters for b in c.blocks)
    assert "\r" not in all_text and "\ufeff" not in all_text


def test_text_a_book_before_a_whole_gutenberg_file_is_read(tmp_path):
    """faust.txt (fhswf/datasets): Faust I without a Gutenberg header but with its END marker and licence,
    then the whole Gutenberg file of Faust II. All before Faust II's START marker was taken for its header."""
    text = (
        "Prolog im Himmel.\n\nDie Sonne tönt nach alter Weise\nIn Brudersphären Wettgesang.\n\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK FAUST I ***\n\nLicence words.\n\n"
        "Title: Faust II\n\nLanguage: German\n\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK FAUST II ***\n\nAnmutige Gegend. Ariel singt.\n"
    )
    path = tmp_path / "faust.txt"
    path.write_text(text, encoding="utf-8")
    book = load_book(path)
    assert (book.metadata.title, book.metadata.language) == ("Faust II", "German")
    assert [(c.title, c.excluded_reason, [b.text for b in c.blocks]) for c in book.chapters] == [
        (
            "Prolog im Himmel.",
            None,
            ["Prolog im Himmel.", "Die Sonne tönt nach alter Weise\nIn Brudersphären Wettgesang."],
        ),
        (
            "Project Gutenberg header",
            "front matter: Project Gutenberg header",
            [
                "*** END OF THIS PROJECT GUTENBERG EBOOK FAUST I ***",
                "Licence words.",
                "Title: Faust II",
                "Language: German",
                "*** START OF THIS PROJECT GUTENBERG EBOOK FAUST II ***",
            ],
        ),
        ("Faust II", None, ["Anmutige Gegend. Ariel singt."]),
    ]


@pytest.mark.parametrize(
    "end_words",
    [
        "End of the Project Gutenberg EBook of Faust: Der Tragödie erster Teil, by",
        "Ende dieses Projekt Gutenberg Etextes Faust: Der Tragödie erster Teil, von",  # German files' own
    ],
)
def test_the_words_that_end_a_gutenberg_text_go_with_its_licence(tmp_path, end_words):
    """Older Gutenberg files say "End of the Project Gutenberg EBook of ..." (German ones "Ende dieses
    Projekt Gutenberg ...") a few lines before the END marker: it was read as the last words of the book
    (Faust I in faust.txt, fhswf/datasets)."""
    text = (
        "Title: Faust\n\n*** START OF THIS PROJECT GUTENBERG EBOOK FAUST ***\n\n"
        "Nacht.\n\nHabe nun, ach! Philosophie durchaus studiert.\n\n\n\n"
        f"{end_words}\n"
        "Johann Wolfgang von Goethe\n\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK FAUST ***\n\nLicence words.\n"
    )
    path = tmp_path / "faust.txt"
    path.write_text(text, encoding="utf-8")
    read = [b.text for c in load_book(path).chapters if c.excluded_reason is None for b in c.blocks]
    assert read == ["Nacht.", "Habe nun, ach! Philosophie durchaus studiert."]


FRANKENSTEIN = "Frankenstein;\n\nor, the Modern Prometheus\n\nby Mary Wollstonecraft (Godwin) Shelley"
PRIDE = "  [Illustration:\n\n  GEORGE ALLEN\n  PUBLISHER\n  ]\n\n  PRIDE.\n   and\n  PREJUDICE\n\n"
PRIDE += "   by\n  Jane Austen,"
KAFKA = "      DIE VERWANDLUNG\n\n           VON\n\n       FRANZ KAFKA\n\n  KURT WOLFF VERLAG"


@pytest.mark.parametrize(
    "opening, title, author",
    [
        (FRANKENSTEIN, "Frankenstein; or, the Modern Prometheus", "Mary Wollstonecraft (Godwin) Shelley"),
        (PRIDE, "Pride and Prejudice", "Jane Austen"),
        (KAFKA, "Die Verwandlung", "Franz Kafka"),
        ("The river ran high that spring, and\nby the time we came home it was dark.", "book", None),  # prose
    ],
)
def test_text_without_a_gutenberg_header_takes_title_and_author_from_its_title_page(
    tmp_path, opening, title, author
):
    # stripped Gutenberg texts (the sweeps' books) had their file's name for title and no author
    path = tmp_path / "book.txt"
    path.write_text(f"{opening}\n\n\nCHAPTER I.\n\nIt is a truth universally acknowledged.\n", "utf-8")
    metadata = load_book(path).metadata
    assert (metadata.title, metadata.authors) == (title, [author] if author else [])


def test_text_parts_nest_chapters(tmp_path):
    path = tmp_path / "parts.txt"
    path.write_text(
        "PART ONE\n\nChapter 1\n\nText one.\n\nChapter 2\n\nText two.\n\nPART TWO\n\nChapter 3\n\nThree.\n"
    )
    toc = [(c.listed_title, c.level) for c in load_book(path).chapters]
    assert toc == [("PART ONE: Chapter 1", 1), ("PART ONE: Chapter 2", 2), ("PART TWO: Chapter 3", 1)]


def test_text_without_headings_is_one_chapter(tmp_path):
    path = tmp_path / "essay.txt"
    path.write_text("Chapter and verse were quoted at length.\n\nA second paragraph.\n")
    book = load_book(path)
    assert [(c.title, c.included, len(c.blocks)) for c in book.chapters] == [("essay", True, 2)]


def test_text_an_account_with_leader_dots_is_read_row_by_row(tmp_path):
    """Walden's bills were one paragraph: "... 1.25 Two second-hand windows. With glass, ..." ran the rows
    together; each row is a line of its own now (read with a pause, as verse is)."""
    path = tmp_path / "walden.txt"
    path.write_text(
        "It cost as follows:\n\n"
        "    Boards.......................... $ 8.03½, mostly shanty boards.\n"
        "    Refuse shingles for roof sides,..  4.00\n"
        "    Laths,...........................  1.25\n"
        "    Two second-hand windows\n"
        "       with glass,...................  2.43\n\n"
        "These are all the materials.\n"
    )
    blocks = load_book(path).chapters[0].blocks
    assert [b.kind for b in blocks] == ["paragraph", "verse", "paragraph"]
    assert blocks[1].text.split("\n")[:3] == [
        "Boards.......................... $ 8.03½, mostly shanty boards.",
        "Refuse shingles for roof sides,.. $4.00",  # the column's currency, given once, on every figure
        "Laths,........................... $1.25",
    ]


def test_text_illustration_markers_are_not_read(tmp_path):
    """Pride and Prejudice (Gutenberg 1342) read "Illustration. Copyright eighteen ninety-four by George
    Allen." 166 times; a chapter heading set inside the marker's brackets is still the chapter's."""
    path = tmp_path / "pride.txt"
    path.write_text(
        "[Illustration: ·PRIDE AND PREJUDICE·\n\n\n\nChapter I.]\n\n"
        "It is a truth universally acknowledged.\n\n"
        "[Illustration:\n\n“He came down to see the place”\n\n[_Copyright 1894 by George Allen._]]\n\n"
        "Mr. Bennet replied that he had not.\n\n[Illustration]\n\nCHAPTER II.\n\nMr. Bennet was among.\n"
    )
    read = [(b.kind, b.text) for c in load_book(path).chapters for b in c.blocks]
    assert read == [
        ("heading", "Chapter I."),
        ("paragraph", "It is a truth universally acknowledged."),
        ("paragraph", "Mr. Bennet replied that he had not."),
        ("heading", "CHAPTER II."),
        ("paragraph", "Mr. Bennet was among."),
    ]
    placed = [b.text for c in load_book(path, IngestOptions(placeholders=True)).chapters for b in c.blocks]
    assert placed.count("[Image omitted]") == 3  # asked for: one for each picture


def test_text_illustration_markers_in_other_languages_are_not_read(tmp_path):
    """I promessi sposi (Gutenberg 45334) read its 46 markers: "Illustrazione: RENZO (pag. ventidue).",
    "Illustrazione." and the caption of every plate, where an English edition's are left out."""
    path = tmp_path / "promessi.txt"
    path.write_text(
        "CAPITOLO II.\n\nSi racconta che il principe di Condé dormì profondamente.\n\n"
        "[Illustrazione: RENZO (pag. 22).]\n\n[Illustrazione.]\n\n[Ilustración: El hidalgo]\n\n"
        "[Abbildung: Gregor]\n\nDon Abbondio non era nato con un cuor di leone.\n"
    )
    read = [b.text for c in load_book(path).chapters for b in c.blocks]
    assert read == [
        "CAPITOLO II.",
        "Si racconta che il principe di Condé dormì profondamente.",
        "Don Abbondio non era nato con un cuor di leone.",
    ]


def test_text_layout_marks_are_not_read(tmp_path):
    """Pride and Prejudice (Gutenberg 1342) kept Distributed Proofreaders' marks around its letters' openings:
    "/* NIND “My dear friend, */", "/* RIGHT “Gracechurch Street, _Sept. 6_. */", heard "Nind “My dear
    friend" and "Right “Gracechurch Street". A block quote's "/# ... #/" likewise."""
    path = tmp_path / "pride.txt"
    path.write_text(
        "CHAPTER I.\n\nThe letter ran thus:\n\n     /* RIGHT “Gracechurch Street, _Sept. 6_. */\n\n"
        "     /* NIND “My dear niece, */\n\nI have just received your letter.\n\n/#\nA quoted passage.\n#/\n"
    )
    read = [b.text for c in load_book(path).chapters for b in c.blocks]
    assert read == [
        "CHAPTER I.",
        "The letter ran thus:",
        "“Gracechurch Street, Sept. 6.",  # its italics too: the sentence was cut after "_Sept."
        "“My dear niece,",
        "I have just received your letter.",
        "A quoted passage.",
    ]


def test_text_a_list_with_page_numbers_is_front_matter(tmp_path):
    """Pride and Prejudice (Gutenberg 1342) read its list of 160 illustrations: "Frontispiece iv. Title-page
    v. Heading to Chapter I. one. ..."."""
    path = tmp_path / "pride.txt"
    path.write_text(
        "PREFACE\n\n" + "Walt Whitman has somewhere a fine and long passage. " * 10 + "\n\n"
        "                                        PAGE\n\n"
        "Frontispiece                                     iv\n\n"
        "Title-page                                        v\n\n"
        "Heading to Chapter I.                             1\n\n"
        "“He came down to see the place”                   2\n\n"
        "CHAPTER I.\n\nIt is a truth universally acknowledged.\n\nHe was 6 feet    2 inches tall.\n"
    )
    chapters = [(c.title, c.included, len(c.blocks)) for c in load_book(path).chapters]
    assert chapters == [
        ("PREFACE", True, 2),  # the preface, before the first chapter, its writer not named: read
        ("List with page numbers", False, 5),
        ("CHAPTER I.", True, 3),
    ]


def test_text_a_centred_title_page_before_a_long_preface_is_front_matter(tmp_path):
    """Pride and Prejudice (Gutenberg 1342): "Pride. and, Prejudice. By, Jane Austen. ... Chiswick press" was
    read, its preface making the text before chapter I too long to pass for a title page."""
    path = tmp_path / "pride.txt"
    path.write_text(
        "                                PRIDE.\n                                  and\n"
        "                               PREJUDICE\n\n                                  by\n"
        "                             Jane Austen,\n\n"
        "             CHISWICK PRESS:--CHARLES WHITTINGHAM AND CO.\n\n"
        "PREFACE.\n\n" + "Walt Whitman has somewhere a fine and just distinction. " * 10 + "\n\n"
        "        A centred epigraph, read.\n\n        By someone.\n\n"
        "CHAPTER I.\n\nIt is a truth universally acknowledged.\n"
    )
    chapters = [(c.title, c.included, [b.text[:12] for b in c.blocks]) for c in load_book(path).chapters]
    assert chapters == [
        ("Title page", False, ["PRIDE. and P", "by Jane Aust", "CHISWICK PRE"]),
        ("PREFACE.", True, ["PREFACE.", "Walt Whitman", "A centred ep", "By someone."]),
        ("CHAPTER I.", True, ["CHAPTER I.", "It is a trut"]),
    ]
    poem = tmp_path / "poem.txt"
    poem.write_text(
        "        Whose woods these are\n        I think I know.\n\n        His house is in the village.\n"
    )
    assert [c.included for c in load_book(poem).chapters] == [True]


def test_text_the_etext_producers_notes_and_the_title_page_after_them_are_not_read(tmp_path):
    """Candide (Gutenberg 4650): its credits, its thanks for the scans and its centred title page were read
    as a chapter, and the title page's "TOME XXXIII" made a part that named every chapter."""
    path = tmp_path / "candide.txt"
    path.write_text(
        "*** START OF THIS PROJECT GUTENBERG EBOOK CANDIDE ***\n\n"
        "The Project Gutenberg Etext of Candide\nby Voltaire\n(#6 in our series by Voltaire)\n\n***\n\n"
        "Produced by Carlo Traverso\n\n"
        "We thank the Bibliotheque Nationale de France that has made available "
        "the image files at www://gallica.bnf.fr, authorizing the preparation\nof the etext through OCR.\n\n"
        "                              OEUVRES\n\n                                DE\n\n"
        "                             VOLTAIRE\n\n                           TOME XXXIII.\n\n"
        "CHAPITRE I.\n\nIl y avait en Westphalie un jeune garçon.\n\n"
        "CHAPITRE II.\n\nCandide, chassé du paradis terrestre.\n"
    )
    chapters = [(c.title, c.included) for c in load_book(path).chapters]
    assert chapters == [
        ("Project Gutenberg header", False),
        ("Project Gutenberg header", False),
        ("Title page", False),
        ("CHAPITRE I.", True),
        ("CHAPITRE II.", True),
    ]


def test_text_a_preface_the_title_page_credits_to_another_writer_is_front_matter(tmp_path):
    """Pride and Prejudice (Gutenberg 1342, George Allen's edition) read George Saintsbury's 4,292-word
    preface as its first chapter, titled "Front matter", before a word of Jane Austen; the title page says
    whose it is ("with a Preface by George Saintsbury"). Now left out; a preface by the book's author is
    read."""
    title_page = (
        "                                PRIDE.\n                                  and\n"
        "                               PREJUDICE\n\n                                  by\n"
        "                             Jane Austen,\n\n"
        "                           with a Preface by\n                           {writer}\n"
        "                                  and\n                           Illustrations by\n"
        "                             Hugh Thomson\n\n"
    )
    preface = "_Walt Whitman has somewhere a fine and just distinction between loving by allowance._ " * 10
    path = tmp_path / "pride.txt"
    for writer, reason in (
        ("George Saintsbury", "front matter: preface by George Saintsbury (credited on the title page)"),
        ("Jane Austen", None),
    ):
        path.write_text(
            "Title: Pride and Prejudice\nAuthor: Jane Austen\n\n"
            "*** START OF THE PROJECT GUTENBERG EBOOK PRIDE AND PREJUDICE ***\n\n"
            + title_page.format(writer=writer)
            + f"PREFACE.\n\n{preface}\n\n_{writer.upper()}._\n\n\n"
            "CHAPTER I.\n\nIt is a truth universally acknowledged.\n",
            encoding="utf-8",
        )
        chapters = [(c.title, c.excluded_reason) for c in load_book(path).chapters]
        assert chapters[-3:] == [
            ("Title page", "front matter: title page (centred lines before the text)"),
            ("PREFACE.", reason),
            ("CHAPTER I.", None),
        ]


def test_text_in_cp1252(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Chapter 1\n\nThe café was “full” – naïve people paid 5€ each.\n".encode("cp1252"))
    blocks = load_book(path).chapters[0].blocks
    assert blocks[1].text == "The café was “full” – naïve people paid 5€ each."


def test_text_in_utf16_with_bom(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes("Chapter 1\r\n\r\nÜber straße.\r\n".encode("utf-16"))
    assert load_book(path).chapters[0].blocks[1].text == "Über straße."


def test_binary_file_named_txt(tmp_path):
    from audiobook_tts.ingest import BookError

    path = tmp_path / "renamed.txt"
    path.write_bytes(b"%PDF-1.4\n\x00\x01\x02 binary stream")
    with pytest.raises(BookError, match="binary file, not text"):
        load_book(path)


def test_empty_text_file(tmp_path):
    from audiobook_tts.ingest import BookError

    path = tmp_path / "empty.txt"
    path.write_text("\n\n   \n")
    with pytest.raises(BookError, match="no readable text"):
        load_book(path)


# --- HTML ------------------------------------------------------------------------------------------------


HTML = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="windows-1252"><title>Le Livre</title>
<meta name="author" content="Marie Curie"></head>
<body>
<h1>Chapitre 1</h1>
<p>Café crème <break time="800ms"/> ensuite <ssml:break strength="strong"/> fin.</p>
<hr/>
<div class="poem"><div class="stanza"><span>Un vers,</span><br/><span>deux vers.</span></div></div>
<table><tr><td>cellule</td></tr></table>
<pre><code>code()</code></pre>
<h2>Chapitre 2</h2>
<p>Texte<sup><a href="#n1">1</a></sup>.</p>
<ul><li>premier</li><li>second</li></ul>
<blockquote><p>Citation.</p></blockquote>
<aside id="n1"><p><a href="#r1">1</a> Une note.</p></aside>
</body></html>"""


def test_html_two_short_lines_broken_by_br_are_kept_apart(tmp_path):
    """Hamlet (Standard Ebooks): a speech of two speakers, "Marcellus<br/>Horatio", was heard as one name."""
    path = tmp_path / "play.html"
    path.write_text(
        "<html><body><h1>Scene V</h1><table><tr><td>Marcellus<br/>Horatio</td>"
        "<td><p>My lord, my lord!</p></td></tr></table>"
        "<p>Yours ever,<br/>Hamlet</p>"
        "<p>This prose line was broken by the transcriber where the page ended<br/>and it runs on.</p>"
        "</body></html>"
    )
    texts = [b.text for b in load_book(path).chapters[0].blocks]
    assert texts[1:] == [
        "Marcellus, Horatio",
        "My lord, my lord!",
        "Yours ever, Hamlet",
        "This prose line was broken by the transcriber where the page ended and it runs on.",
    ]


# a third of its breaks run on: "¿Qué me | importa" was heard "¿Qué me, importa" (some 50 such paragraphs)
FRASQUITA = [
    "—¡Fuera, fuera de aquí! (replicó la señá Frasquita",
    "con mayor violencia). ¡No tiene V. nada que explicarme!...",
    "¡Demasiado lo comprendo todo! ¿Qué me",
    "importa a mí que V. se ahogue? ¿Lo he llamado yo a",
    "V.?—¡Ah! ¡Qué infamia! ¡Para esto ha mandado",
    "V. prender a mi marido!",
]


def test_html_prose_with_a_br_at_every_printed_line_is_no_verse(tmp_path):
    """El sombrero de tres picos (Gutenberg 29506) ends each printed line with a <br/>: its prose was read as
    verse, a stop and a pause after every line ("Pocos españoles, aun contando a los menos sabios y. |
    Leídos, desconocerán ..."). A poem's lines, as long, open with capitals and stay lines (Frost)."""
    path = tmp_path / "sombrero.html"
    path.write_text(
        "<html><body><h1>PREFACIO DEL AUTOR</h1>"
        "<p>Pocos españoles, aun contando a los menos sabios y<br />\n"
        "leídos, desconocerán la historieta vulgar que sirve de<br />\n"
        "fundamento a la presente obrilla.</p>"
        f"<p>{'<br />'.join(FRASQUITA)}</p>"
        "<p>Something there is that doesn't love a wall,<br/>"
        "That sends the frozen-ground-swell under it,<br/>"
        "And spills the upper boulders in the sun;<br/>And makes gaps even two can pass abreast.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    blocks = load_book(path).chapters[0].blocks
    assert [(b.kind, b.text) for b in blocks[1:]] == [
        (
            "paragraph",
            "Pocos españoles, aun contando a los menos sabios y leídos, desconocerán la historieta vulgar "
            "que sirve de fundamento a la presente obrilla.",
        ),
        (
            "paragraph",
            " ".join(FRASQUITA),
        ),
        (
            "verse",
            "Something there is that doesn't love a wall,\nThat sends the frozen-ground-swell under it,\n"
            "And spills the upper boulders in the sun;\nAnd makes gaps even two can pass abreast.",
        ),
    ]


def test_html_links_to_a_songs_sound_and_score_are_not_read(tmp_path):
    """Entre nous (Gutenberg 44157) sets "Ecouter" and "Partition" (the tune's MIDI file and its score)
    under each of its songs: a listener heard "Ecouter Partition." five times. A link in a sentence stays."""
    path = tmp_path / "entre-nous.html"
    path.write_text(
        "<html><body><h1>XVI. La Chanson du petit Pierre.</h1>"
        "<p>Et sans attendre la réponse, notre écolier chanta le petit air suivant.</p>"
        '<div class="figcenter"><img src="images/mus-02.jpg" alt="Petit Pierre" />'
        '<p class="cent"><span class="contr"><a href="music/petitpierre.mid">Ecouter</a></span>\n'
        '<span class="contr"><a href="music/petitpierre.pdf">Partition</a></span></p></div>'
        '<p>(Cet air se chante aussi <a href="music/canon.mid">en canon</a>.)</p>'
        "</body></html>",
        encoding="utf-8",
    )
    assert [b.text for b in load_book(path).chapters[0].blocks[1:]] == [
        "Et sans attendre la réponse, notre écolier chanta le petit air suivant.",
        "(Cet air se chante aussi en canon.)",
    ]


def test_html_page_numbers_marked_pageno_are_not_read(tmp_path):
    """The Boston Cooking-School Cook Book (Gutenberg 65061) marks its 649 printed page numbers
    <span class="pageno">, as Gutenberg's newer HTML does: a listener heard "Thirteen IV. Citric" and "in
    all dark four hundred and ninety-nine cakes"."""
    path = tmp_path / "cook-book.html"
    path.write_text(
        "<html><body><h1>CHAPTER I: FOOD</h1>"
        "<p>III. Malic, much like tartaric, found in apples.</p>"
        '<p><span class="pageno" id="Page_13">13</span>IV. Citric, found in lemons.</p>'
        '<p>This is desirable in all dark <span class="pageno" id="Page_499">499</span>cakes.</p>'
        "</body></html>",
        encoding="utf-8",
    )
    assert [b.text for b in load_book(path).chapters[0].blocks[1:]] == [
        "III. Malic, much like tartaric, found in apples.",
        "IV. Citric, found in lemons.",
        "This is desirable in all dark cakes.",
    ]


def test_html_loose_links_to_each_chapter_are_not_read(tmp_path):
    """The King James Bible (Gutenberg 10900, HTML) opens each book with a link to each of its chapters, set
    loose between the heading and the verses: Genesis read "Two three four ... fifty", Psalms one to a
    hundred and fifty, 26 segments. A sentence with a link or two in it stays."""
    path = tmp_path / "genesis.html"
    links = "&nbsp;&nbsp; ".join(f'<a href="#{n}" >{n}</a>' for n in range(2, 51))
    path.write_text(
        '<html><body><center><table summary="book1"><tr><td><h1 align="center">Genesis</h1>'
        f'<p align="center" >Chapter</p>{links}&nbsp;&nbsp;\n'
        "<p>1:1 In the beginning God created the heaven and the earth.</p>"
        '<a name="2"></a>See <a href="#1">the first</a> and <a href="#2">the second</a> chapters.'
        "</td></tr></table></center></body></html>",
        encoding="utf-8",
    )
    assert [b.text for b in load_book(path).chapters[0].blocks[1:]] == [
        "Chapter",
        "1:1 In the beginning God created the heaven and the earth.",
        "See the first and the second chapters.",
    ]


def test_html_chapters_title_ssml_and_encoding(tmp_path):
    path = tmp_path / "livre.html"
    path.write_bytes(HTML.encode("cp1252"))
    book = load_book(path)
    assert (book.metadata.title, book.metadata.authors, book.metadata.language) == (
        "Le Livre",
        ["Marie Curie"],
        "fr",
    )
    assert [(c.title, c.level) for c in book.chapters] == [("Chapitre 1", 1), ("Chapitre 2", 2)]
    assert kinds_and_texts(book, "Chapitre 1") == [
        ("heading", "Chapitre 1"),
        ("paragraph", "Café crème [pause:0.8s] ensuite [pause:strong] fin."),
        ("scene_break", ""),
        ("verse", "Un vers,\ndeux vers."),
        ("paragraph", "cellule"),  # a one-column table is read as the text it holds
        ("placeholder", "Code example: 1 line, not read."),  # code is announced by default
    ]
    assert kinds_and_texts(book, "Chapitre 2") == [
        ("heading", "Chapitre 2"),
        ("paragraph", "Texte."),
        ("list_item", "premier"),
        ("list_item", "second"),
        ("quote", "Citation."),
    ]


def test_html_placeholders_and_notes(tmp_path):
    path = tmp_path / "livre.html"
    path.write_bytes(HTML.encode("cp1252"))
    book = load_book(path, IngestOptions(placeholders=True, notes="inline"))
    first = kinds_and_texts(book, "Chapitre 1")
    assert ("paragraph", "cellule") in first  # tables and code follow their own options, not placeholders
    assert ("placeholder", "Code example: 1 line, not read.") in first
    second = kinds_and_texts(book, "Chapitre 2")
    assert second[1:3] == [("paragraph", "Texte."), ("note", "Une note.")]


PROSE = "It was a long day and nothing much happened in it, as far as anyone could tell at the time."
HEADER = (
    "<pre>The Project Gutenberg EBook of Autumn Leaves\n\nTitle: Autumn Leaves\n\n"
    "*** START OF THIS PROJECT GUTENBERG EBOOK AUTUMN LEAVES ***\n\nProduced by A. Volunteer</pre>"
)
LICENCE = (
    "<pre>End of the Project Gutenberg EBook of Autumn Leaves\n\n"
    "*** END OF THIS PROJECT GUTENBERG EBOOK AUTUMN LEAVES ***\n\n"
    "Updated editions will replace the previous one.</pre>"
)


def test_gutenberg_html_text_beside_the_header_or_licence_is_read(tmp_path):
    """The Girl's Own Paper, 1886 (Gutenberg 18195, no pg-boilerplate markup): a poem is the last chapter, the
    licence follows it with no heading between; the whole chapter was taken for the licence and not read."""
    stanza = "<p>The chestnut burrs are falling<br/>On the dew-steeped lawn,<br/>Where the swallows call</p>"
    path = tmp_path / "gop.html"
    path.write_text(
        f"<html><body>{HEADER}<p>{PROSE * 4}</p><h2>CHAPTER I.</h2><p>{PROSE}</p>"
        f"<h2>AUTUMN.</h2>{stanza}{LICENCE}</body></html>"
    )
    book = load_book(path)
    assert [(c.title, c.excluded_reason) for c in book.chapters] == [
        ("Project Gutenberg header", "front matter: Project Gutenberg header"),
        ("Front matter", None),  # the text after the header's START marker
        ("CHAPTER I.", None),
        ("AUTUMN.", None),
        ("Project Gutenberg licence", "back matter: Project Gutenberg licence"),
    ]
    assert kinds_and_texts(book, "AUTUMN.")[-1] == (
        "verse",
        "The chestnut burrs are falling\nOn the dew-steeped lawn,\nWhere the swallows call",
    )


def test_gutenberg_html_a_heading_alone_before_the_licence_goes_with_it(tmp_path):
    """Gutenberg's "FOOTNOTES" heading, whose notes were taken out as notes, is followed by the licence."""
    path = tmp_path / "notes.html"
    path.write_text(
        f"<html><body><h2>I.</h2><p>{PROSE}</p><h2>II.</h2><p>{PROSE}</p><h2>FOOTNOTES</h2>{LICENCE}"
    )
    book = load_book(path)
    assert [(c.title, c.excluded_reason) for c in book.chapters][-1] == (
        "FOOTNOTES",
        "back matter: Project Gutenberg licence",
    )


# --- Markdown --------------------------------------------------------------------------------------------

MARKDOWN = """---
title: The Markdown Book
author: [Ann One, Bob Two]
lang: en-GB
date: 2024-01-02
description: A small book.
---

# Chapter One

Some *emphasis*, **strong**, a [link text](http://example.com) and ![an image](pic.png) here.
A literal pause [pause:1.5s] marker and `inline code`.

***

```python
print("code is skipped")
```

> A quoted line.

- item one
- item two

| a | b |
|---|---|
| 1 | 2 |

---

After the break.

# Chapter Two

Final words.
"""


def test_markdown(tmp_path):
    path = tmp_path / "book.md"
    path.write_bytes(MARKDOWN.replace("\n", "\r\n").encode("utf-8-sig"))
    book = load_book(path)
    meta = book.metadata
    assert (meta.title, meta.authors, meta.language, meta.date, meta.description) == (
        "The Markdown Book",
        ["Ann One", "Bob Two"],
        "en-GB",
        "2024-01-02",
        "A small book.",
    )
    assert [c.title for c in book.chapters] == ["Chapter One", "Chapter Two"]
    assert kinds_and_texts(book, "Chapter One") == [
        ("heading", "Chapter One"),
        (
            "paragraph",
            "Some emphasis, strong, a link text and here. "
            "A literal pause [pause:1.5s] marker and inline code.",
        ),
        ("scene_break", ""),
        ("placeholder", "Code example: 1 line, not read."),
        ("quote", "A quoted line."),
        ("list_item", "item one"),
        ("list_item", "item two"),
        ("paragraph", "Table. Columns: a, b."),
        ("list_item", "a: 1; b: 2"),
        ("scene_break", ""),
        ("paragraph", "After the break."),
    ]


def test_markdown_without_front_matter_takes_first_heading(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# A Title\n\nText.\n")
    book = load_book(path)
    assert book.metadata.title == "A Title" and book.chapters[0].blocks[1].text == "Text."


def test_cover_from_front_matter_or_next_to_the_book(tmp_path):
    (tmp_path / "art.png").write_bytes(b"\x89PNG front matter")
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8\xff folder cover")
    with_key = tmp_path / "a.md"
    with_key.write_text("---\ntitle: A\ncover: art.png\n---\n\n# One\n\nText.\n")
    assert load_book(with_key).metadata.cover.data == b"\x89PNG front matter"
    plain = tmp_path / "b.txt"
    plain.write_text("Some text.\n")
    cover = load_book(plain).metadata.cover
    assert (cover.mime, cover.data) == ("image/jpeg", b"\xff\xd8\xff folder cover")
    (tmp_path / "b.png").write_bytes(b"\x89PNG same stem")
    assert load_book(plain).metadata.cover.data == b"\x89PNG same stem"


def test_a_poem_quoted_in_a_definition_keeps_its_lines(tmp_path):
    """The Devil's Dictionary (Standard Ebooks) quotes 219 poems inside its definitions (<dd>): each was run
    into the definition as one paragraph ("As Death was a-riding out one day, Across Mount Carmel he
    took"), with no line's breath; the definition and its poem are now a paragraph and verse."""
    path = tmp_path / "dictionary.html"
    path.write_text(
        "<html><body><h1>C</h1><dl><dt><dfn>Carmelite</dfn></dt><dd>"
        "<p>A mendicant friar of the order of Mount Carmel.</p>"
        '<blockquote epub:type="z3998:poem"><p><span>As Death was a-riding out one day,</span><br/>'
        "<span>Across Mount Carmel he took his way,</span><br/>"
        "<span>Where he met a mendicant monk,</span></p></blockquote>"
        "</dd><dt><dfn>Cat</dfn></dt><dd><p>A soft, indestructible automaton.</p></dd></dl></body></html>",
        encoding="utf-8",
    )
    blocks = [(b.kind, b.text) for c in load_book(path).chapters for b in c.blocks]
    assert blocks[1:] == [
        ("paragraph", "Carmelite"),
        ("paragraph", "A mendicant friar of the order of Mount Carmel."),
        (
            "verse",
            "As Death was a-riding out one day,\nAcross Mount Carmel he took his way,\n"
            "Where he met a mendicant monk,",
        ),
        ("paragraph", "Cat"),
        ("paragraph", "A soft, indestructible automaton."),
    ]
