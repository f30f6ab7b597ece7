"""EPUB shapes the corpus lacks, built at test time: NCX-only books, anchors mid-file, spine fallback,
Gutenberg-style footnotes in a separate file, SSML breaks, placeholders, landmarks, EPUB 2 covers,
PLS aliases, Standard Ebooks' <hgroup> headings."""

from __future__ import annotations

from audiobook_tts.ingest import IngestOptions, load_book
from audiobook_tts.text import TextOptions, prepare_chapter
from tests.fixtures.epub import DEFAULT_METADATA, nav, opf, simple_epub, write_epub, xhtml

NCX = """<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
  <navPoint id="p1"><navLabel><text>Part One</text></navLabel><content src="text/a.xhtml#part1"/>
    <navPoint id="c1"><navLabel><text>First Chapter</text></navLabel>
      <content src="text/a.xhtml#c1"/></navPoint>
    <navPoint id="c2"><navLabel><text>Second Chapter</text></navLabel>
      <content src="text/a.xhtml#c2"/></navPoint>
  </navPoint>
  <navPoint id="c3"><navLabel><text>Third Chapter</text></navLabel><content src="text/b.xhtml"/></navPoint>
</navMap></ncx>"""


def blocks(chapter):
    return [(b.kind, b.text) for b in chapter.blocks]


def test_epub2_ncx_anchors_mid_file_and_text_before_the_first_target(tmp_path):
    a = xhtml(
        "<p>"
        + "A dedication that no TOC entry points at, long enough to be more than a title page. " * 5
        + "</p>"
        '<h1 id="part1">Part One</h1>'
        '<h2 id="c1">First Chapter</h2><p>One text.</p>'
        '<p>Still one, then <span id="c2">the second chapter starts mid-paragraph</span>.</p>'
        "<p>Two text.</p>"
    )
    files = {
        "OEBPS/content.opf": opf(
            ["text/a.xhtml", "text/b.xhtml"], nav_href=None, ncx_href="toc.ncx", version="2.0"
        ),
        "OEBPS/toc.ncx": NCX,
        "OEBPS/text/a.xhtml": a,
        "OEBPS/text/b.xhtml": xhtml("<h2>Three</h2><p>Three text.</p>"),
    }
    book = load_book(write_epub(tmp_path / "ncx.epub", files))
    toc = [(c.listed_title, c.level, c.source) for c in book.chapters if not c.synthetic]
    assert toc == [
        ("Part One: First Chapter", 1, "OEBPS/text/a.xhtml#part1"),  # the part's heading, read with it
        ("Second Chapter", 2, "OEBPS/text/a.xhtml#c2"),
        ("Third Chapter", 1, "OEBPS/text/b.xhtml"),
    ]
    front = book.chapters[0]
    assert front.synthetic and front.included and front.blocks[0].text.startswith("A dedication")
    chapters = {c.title: c for c in book.chapters}
    assert blocks(chapters["Part One"]) == [
        ("heading", "Part One"),
        ("scene_break", ""),
        ("heading", "First Chapter"),
        ("paragraph", "One text."),
    ]
    assert blocks(chapters["Second Chapter"])[0][1].startswith("Still one, then the second chapter starts")
    assert blocks(chapters["Third Chapter"]) == [("heading", "Three"), ("paragraph", "Three text.")]


def test_gutenberg_page_numbers_in_toc_labels_are_not_titles(tmp_path):
    """Pandoc copies a Gutenberg heading's page marker ("{ix}") into the NCX label; the body drops it."""
    ncx = NCX.replace("<text>First Chapter</text>", "<text>{ix} PREFACE.</text>").replace(
        "<text>Third Chapter</text>", "<text>{25} Third {Chapter}</text>"
    )
    a = xhtml(
        '<h1 id="part1">Part One</h1><h2 id="c1"><span class="pagenum">{ix}</span> PREFACE.</h2><p>One.</p>'
        '<p id="c2">Two.</p>'
    )
    files = {
        "OEBPS/content.opf": opf(
            ["text/a.xhtml", "text/b.xhtml"], nav_href=None, ncx_href="toc.ncx", version="2.0"
        ),
        "OEBPS/toc.ncx": ncx,
        "OEBPS/text/a.xhtml": a,
        "OEBPS/text/b.xhtml": xhtml("<p>Three text.</p>"),
    }
    book = load_book(write_epub(tmp_path / "pages.epub", files))
    titles = [c.listed_title for c in book.chapters if not c.synthetic]
    assert titles == ["Part One: PREFACE", "Second Chapter", "Third {Chapter}"]


def test_an_illustration_caption_pandoc_copied_into_the_label_is_not_the_title(tmp_path):
    """Gutenberg's <h2> holds a picture's caption; Pandoc's label is the whole heading, the walker reads the
    caption as a paragraph: the title is the heading alone, so the caption is not spoken twice."""
    ncx = NCX.replace("<text>First Chapter</text>", "<text>He rode a black horse. CHAPTER III.</text>")
    ncx = ncx.replace("<text>Second Chapter</text>", "<text>Not a caption. Second</text>")
    a = xhtml(
        '<h1 id="part1">Part One</h1><h2 id="c1"><img src="i.jpg" alt=""/> <span class="caption">'
        "He rode a black horse.</span><br/>CHAPTER III.</h2><p>One text.</p>"
        '<h2 id="c2">Second</h2><p>Two text.</p>'
    )
    files = {
        "OEBPS/content.opf": opf(
            ["text/a.xhtml", "text/b.xhtml"], nav_href=None, ncx_href="toc.ncx", version="2.0"
        ),
        "OEBPS/toc.ncx": ncx,
        "OEBPS/text/a.xhtml": a,
        "OEBPS/text/b.xhtml": xhtml("<p>Three text.</p>"),
    }
    book = load_book(write_epub(tmp_path / "caption.epub", files))
    chapters = [c for c in book.chapters if not c.synthetic]
    assert [c.listed_title for c in chapters] == [
        "Part One: CHAPTER III",
        "Not a caption. Second",
        "Third Chapter",
    ]
    assert blocks(chapters[0])[2:4] == [("heading", "CHAPTER III."), ("paragraph", "He rode a black horse.")]


def test_spine_fallback_when_there_is_no_toc(tmp_path):
    files = {
        "OEBPS/content.opf": opf(["a.xhtml", "b.xhtml", "c.xhtml"], nav_href="nav.xhtml"),
        "OEBPS/nav.xhtml": xhtml("<p>No toc nav here.</p>"),
        "OEBPS/a.xhtml": xhtml("<h1>Opening</h1><p>First words.</p>", title="A"),
        "OEBPS/b.xhtml": xhtml("<p>Untitled words.</p>", title="The B Document"),
        "OEBPS/c.xhtml": xhtml("<p>Words of a section nobody named.</p>", title=""),
    }
    book = load_book(write_epub(tmp_path / "fallback.epub", files))
    assert [(c.title, c.source, c.placeholder_title) for c in book.chapters] == [
        ("Opening", "OEBPS/a.xhtml", False),
        ("The B Document", "OEBPS/b.xhtml", False),
        ("Section 3", "OEBPS/c.xhtml", True),  # a number of ours: shown, never spoken
    ]
    spoken = [s.text for s in prepare_chapter(book.chapters[2], lambda text: len(text.split()))]
    assert spoken == ["Words of a section nobody named."]


def test_gutenberg_style_footnotes_in_a_separate_non_linear_file(tmp_path):
    chapter = xhtml(
        '<h1>One</h1><p>A claim.<a id="FNanchor_1" href="notes.xhtml#Footnote_1" class="fnanchor">[1]</a> '
        'More.<sup><a href="notes.xhtml#n2">2</a></sup></p><p>Next paragraph.</p>'
    )
    notes = xhtml(
        '<div class="footnote"><p><a id="Footnote_1"></a><a href="ch1.xhtml#FNanchor_1">[1]</a> '
        "The first note.</p></div>"
        '<p id="n2"><a href="ch1.xhtml">2.</a> The second note.</p>'
    )
    package = opf(["ch1.xhtml", "notes.xhtml"]).replace(
        '<itemref idref="d1"/>', '<itemref idref="d1" linear="no"/>'
    )
    files = {
        "OEBPS/content.opf": package,
        "OEBPS/nav.xhtml": nav('<li><a href="ch1.xhtml">One</a></li>'),
        "OEBPS/ch1.xhtml": chapter,
        "OEBPS/notes.xhtml": notes,
    }
    path = write_epub(tmp_path / "notes.epub", files)
    assert blocks(load_book(path).chapters[0]) == [
        ("heading", "One"),
        ("paragraph", "A claim. More."),
        ("paragraph", "Next paragraph."),
    ]
    assert blocks(load_book(path, IngestOptions(notes="inline")).chapters[0]) == [
        ("heading", "One"),
        ("paragraph", "A claim. More."),
        ("note", "The first note."),
        ("note", "The second note."),
        ("paragraph", "Next paragraph."),
    ]
    assert blocks(load_book(path, IngestOptions(notes="chapter_end")).chapters[0])[-2:] == [
        ("note", "The first note."),
        ("note", "The second note."),
    ]


BODY = """<h1>Chapter One</h1>
<p>Wait <break time="800ms"/> then <ssml:break strength="strong"/> go <ssml:break time="1.5s"/>
now <break/>.</p>
<p>Literal markers stay: [pause] and [pause:2s].</p>
<p>* * *</p>
<p>***</p>
<p>⁂</p>
<hr/>
<div class="poem"><div class="stanza"><span class="i0">Line one,<br/></span>
<span class="i0">line two.<br/></span></div>
<div class="stanza"><span class="i0">Line three.<br/></span></div></div>
<p>Short line<br/>another short line<br/>and a third</p>
<table><tr><td>cell</td></tr></table>
<figure><img src="a.png" alt="x"/><figcaption>Caption</figcaption></figure>
<pre><code>print(1)</code></pre>
<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>
<ol><li>First <em>item</em>s<ol><li>Nested item</li></ol></li><li><p>Two</p><p>paragraphs.</p></li></ol>
<pre>A poem set
   in preformatted lines.</pre>
<blockquote><p>Quoted words.</p></blockquote>
<p>Soft\u00adhyphen and zero\u200bwidth.</p>
<div><p>Block.</p><em>loose</em> <b>inline</b> words</div>
<script>var hidden = 1;</script>"""


def test_block_structure_ssml_and_scene_breaks(tmp_path):
    book = load_book(simple_epub(tmp_path / "b.epub", BODY))
    assert blocks(book.chapters[0]) == [
        ("heading", "Chapter One"),
        ("paragraph", "Wait [pause:0.8s] then [pause:strong] go [pause:1.5s] now [pause] ."),
        ("paragraph", "Literal markers stay: [pause] and [pause:2s]."),
        ("scene_break", ""),
        ("scene_break", ""),
        ("scene_break", ""),
        ("scene_break", ""),
        ("verse", "Line one,\nline two."),
        ("verse", "Line three."),
        ("verse", "Short line\nanother short line\nand a third"),
        ("paragraph", "cell"),  # a one-column table is layout: read as the text it holds
        ("paragraph", "Caption"),  # a figure's caption is read; its image is not
        ("placeholder", "Code example: 1 line, not read."),  # code is announced by default
        ("list_item", "First items"),
        ("list_item", "Nested item"),
        ("list_item", "Two paragraphs."),
        ("verse", "A poem set\nin preformatted lines."),
        ("quote", "Quoted words."),
        ("paragraph", "Softhyphen and zerowidth."),
        ("paragraph", "Block."),
        ("paragraph", "loose inline words"),
    ]


def test_placeholders_only_when_asked(tmp_path):
    book = load_book(simple_epub(tmp_path / "b.epub", BODY), IngestOptions(placeholders=True))
    placeholders = [text for kind, text in blocks(book.chapters[0]) if kind == "placeholder"]
    # tables and code follow their own options (read, announce); the rest becomes a placeholder when asked
    assert placeholders == ["[Image omitted]", "Code example: 1 line, not read.", "[Math omitted]"]


def test_landmarks_and_guide_mark_matter(tmp_path):
    files = {
        "OEBPS/content.opf": opf(
            ["c.xhtml", "ch1.xhtml", "colophon.xhtml"],
            guide='<reference type="colophon" href="colophon.xhtml" title="Colophon"/>',
        ),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="ch1.xhtml">Chapter One</a></li>'
            '<li><a href="colophon.xhtml">Production notes</a></li>',
            landmarks='<li><a epub:type="copyright-page" href="c.xhtml">Copyright</a></li>',
        ),
        "OEBPS/c.xhtml": xhtml(
            "<p>Published by Someone. Printed somewhere nice on recycled paper in 2020.</p>"
        ),
        "OEBPS/ch1.xhtml": xhtml("<h1>Chapter One</h1><p>Story.</p>"),
        "OEBPS/colophon.xhtml": xhtml("<p>Set in Garamond by a careful typesetter.</p>"),
    }
    book = load_book(write_epub(tmp_path / "marks.epub", files))
    reasons = [(c.title, c.excluded_reason) for c in book.chapters]
    assert reasons == [
        ("Copyright page", "front matter: copyright page (landmarks type=copyright-page)"),
        ("Chapter One", None),
        ("Production notes", "back matter: colophon (guide type=colophon)"),
    ]


def test_content_heuristics_for_unmarked_copyright_page(tmp_path):
    files = {
        "OEBPS/content.opf": opf(["c.xhtml", "ch1.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="c.xhtml">Legal</a></li><li><a href="ch1.xhtml">Chapter One</a></li>'
        ),
        "OEBPS/c.xhtml": xhtml(
            "<p>Copyright © 2020 A. Writer. All rights reserved.</p><p>ISBN 978-0-00-000000-0</p>"
        ),
        "OEBPS/ch1.xhtml": xhtml("<h1>Chapter One</h1><p>Story.</p>"),
    }
    book = load_book(write_epub(tmp_path / "legal.epub", files))
    assert book.chapters[0].excluded_reason == "front matter: copyright page (copyright notice in the text)"


def test_epub2_cover_meta_and_guide_cover_page(tmp_path):
    jpeg = b"\xff\xd8\xff\xe0 fake jpeg"
    meta = (
        "<dc:title>Covered</dc:title><dc:creator>One</dc:creator><dc:creator>Two</dc:creator>"
        '<dc:publisher>Pub</dc:publisher><dc:date>2001</dc:date><meta name="cover" content="img"/>'
    )
    files = {
        "OEBPS/content.opf": opf(
            ["ch1.xhtml"],
            metadata=meta,
            extra_items='<item id="img" href="images/c.jpg" media-type="image/jpeg"/>',
            version="2.0",
        ),
        "OEBPS/nav.xhtml": nav('<li><a href="ch1.xhtml">One</a></li>'),
        "OEBPS/ch1.xhtml": xhtml("<p>Text.</p>"),
        "OEBPS/images/c.jpg": jpeg,
    }
    meta_book = load_book(write_epub(tmp_path / "meta.epub", files))
    assert meta_book.metadata.cover.data == jpeg and meta_book.metadata.cover.mime == "image/jpeg"
    assert (meta_book.metadata.authors, meta_book.metadata.publisher) == (["One", "Two"], "Pub")

    files["OEBPS/content.opf"] = opf(
        ["cover.xhtml", "ch1.xhtml"],
        extra_items='<item id="img" href="images/c.png" media-type="image/png"/>',
        guide='<reference type="cover" href="cover.xhtml" title="Cover"/>',
    )
    files["OEBPS/cover.xhtml"] = xhtml('<div><img src="images/c.png" alt="cover"/></div>')
    files["OEBPS/images/c.png"] = b"\x89PNG fake"
    guide_book = load_book(write_epub(tmp_path / "guide.epub", files))
    assert guide_book.metadata.cover.mime == "image/png" and guide_book.metadata.cover.data == b"\x89PNG fake"

    files["OEBPS/content.opf"] = opf(
        ["cover.xhtml", "ch1.xhtml"],
        extra_items='<item id="img" href="images/c.png" media-type="image/png"/>',
    )
    files["OEBPS/nav.xhtml"] = nav(
        '<li><a href="ch1.xhtml">One</a></li>',
        landmarks='<li><a epub:type="cover" href="cover.xhtml">Cover</a></li>',
    )
    landmark_book = load_book(write_epub(tmp_path / "landmark.epub", files))
    assert landmark_book.metadata.cover.data == b"\x89PNG fake"


def test_pls_lexicon_aliases(tmp_path):
    pls = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" alphabet="ipa" xml:lang="en" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon">
  <lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme>
  <lexeme><grapheme>Nanjing</grapheme><grapheme>Nanking</grapheme><alias>Nahn jing</alias></lexeme>
  <lexeme><grapheme>tomato</grapheme><phoneme>təˈmɑːtəʊ</phoneme></lexeme>
</lexicon>"""
    path = simple_epub(
        tmp_path / "pls.epub",
        "<p>The W3C met in Nanjing.</p>",
        extra={
            "OEBPS/content.opf": opf(
                ["ch1.xhtml"],
                extra_items='<item id="pls" href="lexicon.pls" media-type="application/pls+xml"/>',
            ),
            "OEBPS/lexicon.pls": pls,
        },
    )
    assert load_book(path).lexicon == {
        "W3C": "World Wide Web Consortium",
        "Nanjing": "Nahn jing",
        "Nanking": "Nahn jing",
    }


XHTML11 = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>x</title></head>
<body><h1>One</h1><p>Before&nbsp;after &mdash; dash &amp; amp &#8212; it&rsquo;s &unknown; end.</p>
<div>&hellip;<p>para</p>&ldquo;loose&rdquo;</div>
<aside epub:type="sidebar"><p>Sidebar text.</p></aside>
<aside epub:type="pullquote"><p>Pulled.</p></aside></body></html>"""


def test_html_named_entities_under_an_xhtml11_doctype(tmp_path):
    """Real EPUBs use &nbsp; / &mdash; relying on the XHTML DTD, which we never load: the text keeps them."""
    book = load_book(simple_epub(tmp_path / "x11.epub", "x", extra={"OEBPS/ch1.xhtml": XHTML11}))
    assert blocks(book.chapters[0]) == [
        ("heading", "One"),
        ("paragraph", "Before after — dash & amp — it’s end."),
        ("paragraph", "…"),
        ("paragraph", "para"),
        ("paragraph", "“loose”"),
        ("paragraph", "Sidebar text."),  # a sidebar is read; a pull quote repeats the text and is not
    ]


# Standard Ebooks' three hgroup shapes (its manual's header patterns) and a plain heading, each with the label
# its nav gives the chapter
HGROUP_CHAPTERS = [
    (
        '<hgroup><h2 epub:type="z3998:ordinal z3998:roman">II</h2>'
        '<p epub:type="title"><abbr>Mr.</abbr> and <abbr>Mrs.</abbr> S. F. Ukridge</p></hgroup>',
        "II: Mr. and Mrs. S. F. Ukridge",
    ),
    (
        '<hgroup><h2><span epub:type="label">Phase</span>\n<span epub:type="ordinal">the First</span></h2>'
        '<p epub:type="title">The Maiden</p></hgroup>',
        "Phase the First: The Maiden",
    ),
    (
        '<hgroup><h2 epub:type="title">Epilogue</h2><p epub:type="subtitle">A Morning Call</p></hgroup>',
        "Epilogue",
    ),
    ("<h2>The Storm Breaks</h2>", "The Storm Breaks"),
]


def test_every_part_of_an_hgroup_is_heading_and_spoken_once(tmp_path):
    """A <p> in an <hgroup> (the chapter's title after its number, or a subtitle) is part of the heading: it
    was read again as the chapter's first paragraph after the title that already holds it."""
    docs = {f"c{n}.xhtml": shape for n, shape in enumerate(HGROUP_CHAPTERS)}
    files = {
        "OEBPS/content.opf": opf(list(docs)),
        "OEBPS/nav.xhtml": nav(
            "".join(f'<li><a href="{doc}">{label}</a></li>' for doc, (_, label) in docs.items())
        ),
    }
    for doc, (heading, _) in docs.items():
        files[f"OEBPS/{doc}"] = xhtml(f'<section epub:type="chapter">{heading}<p>The story.</p></section>')
    book = load_book(write_epub(tmp_path / "se.epub", files))
    assert [blocks(c) for c in book.chapters] == [
        [("heading", "II"), ("heading", "Mr. and Mrs. S. F. Ukridge"), ("paragraph", "The story.")],
        [("heading", "Phase the First"), ("heading", "The Maiden"), ("paragraph", "The story.")],
        [("heading", "Epilogue"), ("heading", "A Morning Call"), ("paragraph", "The story.")],
        [("heading", "The Storm Breaks"), ("paragraph", "The story.")],
    ]
    spoken = [
        [segment.text for segment in prepare_chapter(chapter, lambda text: len(text.split()))]
        for chapter in book.chapters
    ]
    assert spoken == [
        ["Two: Mister and Missus S. F. Ukridge.", "The story."],
        ["Phase the First: The Maiden.", "The story."],
        ["Epilogue. A Morning Call.", "The story."],
        ["The Storm Breaks.", "The story."],
    ]


def test_a_number_on_its_own_line_of_a_heading_ends_there(tmp_path):
    """Dom Casmurro (a Brazilian EPUB) sets its chapters "XX<br/>MIL PADRE-NOSSOS", and its nav runs them on:
    "XX MIL PADRE-NOSSOS" was heard "Vinte mil padre-nossos" (twenty thousand); Ruskin's "CHAPTER I<br/> HOW
    THE AGRICULTURAL SYSTEM" (Gutenberg) ran on as "Chapter one how the". A title broken over two lines, and
    a lone "I" (the article of "I<br/>PROMESSI SPOSI"), run on as before."""
    headings = [
        ("<b>XX</b><br/><b>MIL PADRE-NOSSOS</b>", "XX MIL PADRE-NOSSOS"),
        ("CHAPTER I<br /> HOW THE BROTHERS FARED", "How the brothers fared"),
        ("The King of the<br/>Golden River", "The King of the Golden River"),
        ("I<br/>PROMESSI SPOSI", "I Promessi Sposi"),
    ]
    docs = {f"c{n}.xhtml": shape for n, shape in enumerate(headings)}
    files = {
        "OEBPS/content.opf": opf(list(docs), metadata=DEFAULT_METADATA.replace(">en<", ">pt<")),
        "OEBPS/nav.xhtml": nav(
            "".join(f'<li><a href="{doc}">{label}</a></li>' for doc, (_, label) in docs.items())
        ),
    }
    for doc, (heading, _) in docs.items():
        files[f"OEBPS/{doc}"] = xhtml(f"<h3>{heading}</h3><p>O livro começa aqui.</p>")
    book = load_book(write_epub(tmp_path / "casmurro.epub", files))
    assert [c.title for c in book.chapters] == [
        "XX. MIL PADRE-NOSSOS",
        "How the brothers fared",
        "The King of the Golden River",
        "I Promessi Sposi",
    ]
    assert [c.blocks[0].text for c in book.chapters] == [
        "XX. MIL PADRE-NOSSOS",
        "CHAPTER I. HOW THE BROTHERS FARED",
        "The King of the Golden River",
        "I PROMESSI SPOSI",
    ]
    spoken = prepare_chapter(book.chapters[0], lambda text: len(text.split()), TextOptions(language="pt"))
    assert spoken[0].text == "Vinte. Mil padre-nossos."
