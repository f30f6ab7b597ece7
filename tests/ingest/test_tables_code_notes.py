"""Tables, code blocks and Markdown footnotes: read, announced or skipped as asked, never dropped silently."""

from __future__ import annotations

import pytest

from audiobook_tts.ingest import IngestOptions, load_book

DATA_TABLE = """<h1>One</h1><p>Prices follow.</p>
<table><caption>Prices in 1900</caption>
<thead><tr><th>Item</th><th>Price</th></tr></thead>
<tbody><tr><td>Bread</td><td>2 pence</td></tr><tr><td>Milk</td><td>1 penny</td></tr></tbody></table>
<p>After.</p>"""

LAYOUT_TABLE = """<h1>One</h1>
<table><tr><td><p>First paragraph of prose.</p><p>Second paragraph.</p></td></tr></table>
<table><tr><td>MARIE.</td><td><p>Bonjour, monsieur.</p></td></tr>
<tr><td>PAUL.</td><td><p>Bonjour.</p></td></tr></table>"""

CODE = """<h1>One</h1><p>Hopefully you said:</p><pre><code>a = 1
b = 2
print(a + b)
</code></pre><p>Right.</p>"""


def chapter_blocks(tmp_path, body: str, **options):
    path = tmp_path / "book.html"
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    chapter = load_book(path, IngestOptions(**options)).chapters[0]
    return [(b.kind, b.text) for b in chapter.blocks], chapter.omissions


def test_a_data_table_is_read_caption_and_header_first_then_row_by_row(tmp_path):
    blocks, omissions = chapter_blocks(tmp_path, DATA_TABLE)
    assert blocks == [
        ("heading", "One"),
        ("paragraph", "Prices follow."),
        ("paragraph", "Table: Prices in 1900. Columns: Item, Price."),
        ("list_item", "Item: Bread; Price: 2 pence"),
        ("list_item", "Item: Milk; Price: 1 penny"),
        ("paragraph", "After."),
    ]
    assert omissions == []


def test_columns_of_pounds_shillings_and_pence_are_named_in_words(tmp_path):
    # The Wealth of Nations' accounts: "£: seven hundred and twenty-two thousand and twenty-three; s. eleven"
    table = """<h1>One</h1><table><thead><tr><th/><th>£</th><th>s.</th><th>d.</th></tr></thead>
    <tbody><tr><th>In 1772, the old malt-tax produced</th><td>722,023</td><td>11</td><td>11</td></tr></tbody>
    </table>"""
    blocks, _ = chapter_blocks(tmp_path, table)
    assert blocks[1:] == [
        ("paragraph", "Table. Columns: pounds, shillings, pence."),
        ("list_item", "In 1772, the old malt-tax produced; pounds: 722,023; shillings: 11; pence: 11"),
    ]


def test_a_table_without_header_is_read_row_by_row(tmp_path):
    blocks, _ = chapter_blocks(
        tmp_path, "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"
    )
    assert blocks == [("paragraph", "Table."), ("list_item", "a; b"), ("list_item", "c; d")]


def test_layout_tables_are_read_as_the_text_they_hold(tmp_path):
    blocks, _ = chapter_blocks(tmp_path, LAYOUT_TABLE)
    texts = [text for _, text in blocks]
    assert texts == [
        "One",
        "First paragraph of prose.",
        "Second paragraph.",
        "MARIE.",
        "Bonjour, monsieur.",
        "PAUL.",
        "Bonjour.",
    ]


def test_a_single_row_without_a_header_is_read_as_text(tmp_path):
    """Entre nous (Gutenberg 44157) signs its preface with a table of one row, place and date beside the
    name: it was heard "Tableau. La Haye, novembre mille neuf cent quatre; LUCIE VOS."."""
    row = '<tr><td class="ldate"><i>La Haye</i>, novembre 1904.</td><td class="rsign">LUCIE VOS.</td></tr>'
    blocks, _ = chapter_blocks(
        tmp_path, f'<p>Ces livres répondront ainsi à deux buts.</p><table summary="signature">{row}</table>'
    )
    assert blocks == [
        ("paragraph", "Ces livres répondront ainsi à deux buts."),
        ("paragraph", "La Haye, novembre 1904. LUCIE VOS."),
    ]


@pytest.mark.parametrize(
    "mode, spoken, omission",
    [
        (
            "announce",
            [("placeholder", "Table: Prices in 1900, 2 rows, not read.")],
            ["table, 2 rows: announced"],
        ),
        ("skip", [], ["table, 2 rows: skipped"]),
    ],
)
def test_tables_announced_or_skipped_are_recorded(tmp_path, mode, spoken, omission):
    blocks, omissions = chapter_blocks(tmp_path, DATA_TABLE, tables=mode)
    assert blocks == [("heading", "One"), ("paragraph", "Prices follow."), *spoken, ("paragraph", "After.")]
    assert omissions == omission


def _table_of(rows: list[tuple[str, ...]]) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    header = "<thead><tr><th>Years</th><th>£</th><th>s.</th><th>d.</th></tr></thead>"
    return f"<h1>One</h1><table>{header}{cells}</table>"


# The Wealth of Nations' wheat prices (180 rows), and a list of governors with their years (Georgia, 74)
PRICES = [(str(1595 + year), "2", str(year % 20), "6½") for year in range(13)]
GOVERNORS = [(f"James Edward {name}", "1732", "1743", "") for name in "ABCDEFGHIJKLM"]


@pytest.mark.parametrize(
    "rows, mode, read",
    [
        (PRICES, "read", False),
        (PRICES, "read-all", True),
        (PRICES[:12], "read", True),
        (GOVERNORS, "read", True),
    ],
)
def test_a_long_table_of_figures_is_announced_unless_every_table_is_read(tmp_path, rows, mode, read):
    blocks, omissions = chapter_blocks(tmp_path, _table_of(rows), tables=mode)
    if read:
        assert len(blocks) == 2 + len(rows) and omissions == []
    else:
        assert blocks[1:] == [("placeholder", "Table, 13 rows, not read.")]
        assert omissions == ["table, 13 rows: announced"]


def test_code_is_announced_by_default_read_or_skipped_as_asked(tmp_path):
    blocks, omissions = chapter_blocks(tmp_path, CODE)
    assert ("placeholder", "Code example: 3 lines, not read.") in blocks
    assert omissions == ["code block, 3 lines: announced"]
    blocks, omissions = chapter_blocks(tmp_path, CODE, code="read")
    assert ("verse", "a = 1\nb = 2\nprint(a + b)") in blocks and omissions == []
    blocks, omissions = chapter_blocks(tmp_path, CODE, code="skip")
    assert [text for _, text in blocks] == ["One", "Hopefully you said:", "Right."]
    assert omissions == ["code block, 3 lines: skipped"]


def test_an_unknown_mode_is_one_clear_error(tmp_path):
    from audiobook_tts.ingest import BookError

    path = tmp_path / "b.md"
    path.write_text("# One\n\nText.\n")
    with pytest.raises(BookError, match="tables option must be read, read-all, announce or skip"):
        load_book(path, IngestOptions(tables="loud"))  # type: ignore[arg-type]


def book_texts(path, text: str, notes: str) -> list[str]:
    """Every block's text of the book `text` written at `path`, read with that notes mode."""
    path.write_text(text, encoding="utf-8")
    book = load_book(path, IngestOptions(notes=notes))
    return [b.text for c in book.chapters for b in c.blocks if b.kind != "scene_break"]


FOOTNOTES = """# One

A claim[^1] and another[^note].

Next paragraph.

[^1]: The first note.
[^note]: The *second* note,
    over two lines.
"""


@pytest.mark.parametrize(
    "notes, expected",
    [
        ("drop", ["One", "A claim and another.", "Next paragraph."]),
        (
            "inline",
            [
                "One",
                "A claim and another.",
                "The first note.",
                "The second note, over two lines.",
                "Next paragraph.",
            ],
        ),
        (
            "chapter_end",
            [
                "One",
                "A claim and another.",
                "Next paragraph.",
                "The first note.",
                "The second note, over two lines.",
            ],
        ),
    ],
)
def test_markdown_footnotes_follow_the_notes_mode(tmp_path, notes, expected):
    texts = book_texts(tmp_path / "notes.md", FOOTNOTES, notes)
    assert texts == expected
    assert not any("[^" in text or "↩" in text for text in texts)


def test_a_contents_list_of_links_is_navigation_not_text(tmp_path):
    links = "".join(f'<tr><td><a href="#c{n}">CHAPTER {n}</a></td><td>{n * 7}</td></tr>' for n in range(1, 9))
    blocks, omissions = chapter_blocks(
        tmp_path, f"<h1>One</h1><table>{links}</table><p>Text with a <a href='#x'>link</a>.</p>"
    )
    assert [text for _, text in blocks] == ["One", "Text with a link."]
    assert omissions == ["contents list, 8 links: skipped"]


def test_a_contents_list_linking_to_another_file_of_the_book_is_navigation(tmp_path):
    """Pandoc writes "#CHAPTER_I" as "ch001.xhtml#CHAPTER_I" when it splits a book into files."""
    links = " ".join(f'<a href="ch001.xhtml#C{n}">Chapter {n},</a>' for n in range(1, 9))
    outside = " ".join(f'<a href="https://example.org/a.html#C{n}">Site {n},</a>' for n in range(1, 9))
    blocks, omissions = chapter_blocks(tmp_path, f"<h1>One</h1><p>{links}</p><p>{outside}</p>")
    assert [text for _, text in blocks] == ["One", ", ".join(f"Site {n}" for n in range(1, 9)) + ","]
    assert omissions == ["contents list, 8 links: skipped"]


def test_gutenberg_html_drop_capitals_and_captions_inside_headings(tmp_path):
    body = (
        '<h2><img alt="" src="a.jpg"/><span class="caption">He rode a black horse.</span>'
        "<br/>CHAPTER III.</h2>"
        '<p><img alt="N" src="n.png"/>OT all that Mrs. Bennet could ask.</p>'
    )
    blocks, _ = chapter_blocks(tmp_path, body)
    assert blocks == [
        ("heading", "CHAPTER III."),
        ("paragraph", "He rode a black horse."),
        ("paragraph", "NOT all that Mrs. Bennet could ask."),
    ]


@pytest.mark.parametrize(
    "opening, read",
    [
        # The Girl's Own Paper, 1886 (Gutenberg 18195): the image ends its line, the word goes on after it
        (
            '<span class="figleft">\n<img alt="&quot;M" src="m.png"/>\n</span>\nerle, I may be so.',
            '"Merle, I may be so.',
        ),
        ('<img alt="“T" src="t.png"/>HE sea was calm.”', "“THE sea was calm.”"),
        ('<img alt="‘T" src="t.png"/>\nwas the night.', "‘Twas the night."),
        ('<img alt="A" src="a.png"/>\nlong time ago.', "A long time ago."),  # a vowel may be a word
    ],
)
def test_a_drop_capital_keeps_its_quotation_mark_and_its_word(tmp_path, opening, read):
    blocks, _ = chapter_blocks(tmp_path, f"<h2>CHAPTER I.</h2><p>{opening}</p>")
    assert blocks == [("heading", "CHAPTER I."), ("paragraph", read)]


def test_a_dialogue_set_out_in_two_columns_is_read_as_text(tmp_path):
    rows = (
        "<tr><td>I.</td><td>Bonjour, monsieur, comment allez-vous ce matin, par ce beau temps?</td></tr>"
        "<tr><td>II.</td><td>Très bien, merci, et vous-même, après ce long voyage en mer?</td></tr>"
    )
    blocks, omissions = chapter_blocks(tmp_path, f"<table>{rows}</table>")
    assert [text for _, text in blocks] == [
        "I. Bonjour, monsieur, comment allez-vous ce matin, par ce beau temps?",
        "II. Très bien, merci, et vous-même, après ce long voyage en mer?",
    ]
    assert omissions == []


PLAIN_NOTES = """CHAPTER I.

The tutor Pangloss[1] was the oracle of the house, and the boy listened.[2]

  [1] From pan, all, and glossa, tongue.

  [2] See volume XXVII, page 528.

The story goes on[1] after the notes.

  [1] A second note with the same number, in the next part.
"""


@pytest.mark.parametrize(
    "notes, expected",
    [
        (
            "drop",
            [
                "CHAPTER I.",
                "The tutor Pangloss was the oracle of the house, and the boy listened.",
                "The story goes on after the notes.",
            ],
        ),
        (
            "inline",
            [
                "CHAPTER I.",
                "The tutor Pangloss was the oracle of the house, and the boy listened.",
                "From pan, all, and glossa, tongue.",
                "See volume XXVII, page 528.",
                "The story goes on after the notes.",
                "A second note with the same number, in the next part.",
            ],
        ),
    ],
)
def test_plain_text_footnotes_follow_the_notes_mode(tmp_path, notes, expected):
    assert book_texts(tmp_path / "book.txt", PLAIN_NOTES, notes) == expected


def test_a_plain_text_headings_note_marker_leaves_its_title(tmp_path):
    """Candide (Gutenberg 4650): "CHAPITRE XXII[1]." was the chapter's title in the player's list, and the
    one chapter of thirty not listed within its part; its note is read as the others are."""
    path = tmp_path / "candide.txt"
    chapter = (
        "Candide ne s'arrêta dans Bordeaux qu'autant de temps qu'il en\nfallait pour vendre des cailloux."
    )
    path.write_text(
        f"TOME PREMIER.\n\nCHAPITRE XXI.\n\n{chapter}\n\nCHAPITRE XXII[1].\n\n"
        "Ce qui arriva en France à Candide et à Martin.\n\n"
        "  [1] Ce chapitre XXII a été beaucoup augmenté en 1761; voyez ma\n  note, plus en bas.  B.\n\n"
        f"{chapter}\n",
        encoding="utf-8",
    )
    book = load_book(path, IngestOptions(notes="chapter_end"))
    assert (book.chapters[-1].title, book.chapters[-1].listed_title) == (
        "CHAPITRE XXII.",
        "TOME PREMIER.: CHAPITRE XXII",
    )
    assert book.chapters[-1].blocks[0].text == "CHAPITRE XXII."
    assert (
        book.chapters[-1]
        .blocks[-1]
        .text.endswith("Ce chapitre XXII a été beaucoup augmenté en 1761; voyez ma note, plus en bas. B.")
    )


def test_a_table_inside_a_figure_is_read_with_its_caption(tmp_path):
    body = (
        '<figure><p class="hd">List of Governors</p>'
        "<table><tr><td>James Oglethorpe</td><td>1732-1743</td></tr>"
        "<tr><td>William Stephens</td><td>1743-1751</td></tr></table></figure>"
    )
    blocks, _ = chapter_blocks(tmp_path, body)
    assert [text for _, text in blocks] == [
        "List of Governors",
        "Table.",
        "James Oglethorpe; 1732-1743",
        "William Stephens; 1743-1751",
    ]


@pytest.mark.parametrize(
    "language, table, code, note",
    [
        (
            "en",
            "Table: Prices in nineteen hundred. Columns: Item, Price.",
            "Code example: three lines",
            "Note:",
        ),
        (
            "fr",
            "Tableau: Prices in mille neuf cents. Colonnes: Item, Price.",
            "Exemple de code: trois lignes",
            "Note:",
        ),
        (
            "de",
            "Tabelle: Prices in eintausendneunhundert. Spalten: Item, Price.",
            "Codebeispiel: drei Zeilen",
            "Anmerkung:",
        ),
        (
            "it",
            "Tabella: Prices in millenovecento. Colonne: Item, Price.",
            "Esempio di codice: tre righe",
            "Nota:",
        ),
    ],
)
def test_announcements_are_said_in_the_language_the_voice_reads(tmp_path, language, table, code, note):
    """The words a book does not hold ("Table", "Code example", "Note:") follow the reading language: a
    French book read in French hears "Tableau", not "Table"."""
    from audiobook_tts.ingest.book import Block
    from audiobook_tts.text import TextOptions, prepare_chapter

    path = tmp_path / "book.html"
    code_block = CODE.replace("<h1>One</h1>", "")
    path.write_text(f"<html><body>{DATA_TABLE}{code_block}</body></html>", encoding="utf-8")
    chapter = load_book(path).chapters[0]
    chapter.blocks.append(Block("note", "The source."))
    options = TextOptions(language=language)
    spoken = [segment.text for segment in prepare_chapter(chapter, lambda text: len(text.split()), options)]
    assert table in spoken
    assert any(text.startswith(code) for text in spoken)
    assert f"{note} The source." in spoken


def test_a_plays_speaker_is_not_run_into_the_speech(tmp_path):
    """Standard Ebooks sets a play out as a table: the speaker's cell, then the speech."""
    rows = (
        '<tr><td/><td><i epub:type="z3998:stage-direction">Lane is arranging afternoon tea on the table,'
        " and after the music has ceased, Algernon enters.</i></td></tr>"
        '<tr><td epub:type="z3998:persona">Algernon</td><td>Did you hear what I was playing, Lane?</td></tr>'
        '<tr><td epub:type="z3998:persona">Lane</td><td>I didn’t think it polite to listen, sir.</td></tr>'
    )
    blocks, _ = chapter_blocks(tmp_path, f"<table>{rows}</table>")
    assert [text for _, text in blocks] == [
        "Lane is arranging afternoon tea on the table, and after the music has ceased, Algernon enters.",
        "Algernon. Did you hear what I was playing, Lane?",
        "Lane. I didn’t think it polite to listen, sir.",
    ]
