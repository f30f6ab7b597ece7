"""Every book of the shared corpus: chapters exactly as the book's own table of contents lists them.

Expected titles are copied from each book's nav.xhtml / toc.ncx (read by hand), never produced by our code.
The no-text-lost check re-reads each TOC-delimited region with BeautifulSoup, independently of our walker.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import PurePosixPath
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup, NavigableString, Tag

from audiobook_tts.ingest import Book, IngestOptions, load_book
from tests.fixtures.shared import CORPUS

ALICE_TOC = [
    ("Alice’s Adventures in Wonderland", 1),
    ("THE MILLENNIUM FULCRUM EDITION 3.0", 1),
    ("Contents", 1),
    ("CHAPTER I. Down the Rabbit-Hole", 1),
    ("CHAPTER II. The Pool of Tears", 1),
    ("CHAPTER III. A Caucus-Race and a Long Tale", 1),
    ("CHAPTER IV. The Rabbit Sends in a Little Bill", 1),
    ("CHAPTER V. Advice from a Caterpillar", 1),
    ("CHAPTER VI. Pig and Pepper", 1),
    ("CHAPTER VII. A Mad Tea-Party", 1),
    ("CHAPTER VIII. The Queen’s Croquet-Ground", 1),
    ("CHAPTER IX. The Mock Turtle’s Story", 1),
    ("CHAPTER X. The Lobster Quadrille", 1),
    ("CHAPTER XI. Who Stole the Tarts?", 1),
    ("CHAPTER XII. Alice’s Evidence", 1),
    ("THE FULL PROJECT GUTENBERG LICENSE", 1),
]

MOBY_TOC = [
    (title, 1)
    for title in [
        "Moby-Dick",
        "Original Transcriber’s Notes:",
        "ETYMOLOGY.",
        "EXTRACTS (Supplied by a Sub-Sub-Librarian).",
        "Chapter 1. Loomings.",
        "Chapter 2. The Carpet-Bag.",
        "Chapter 3. The Spouter-Inn.",
        "Chapter 4. The Counterpane.",
        "Chapter 5. Breakfast.",
        "Chapter 6. The Street.",
        "Chapter 7. The Chapel.",
        "Chapter 8. The Pulpit.",
        "Chapter 9. The Sermon.",
        "Chapter 10. A Bosom Friend.",
        "Chapter 11. Nightgown.",
        "Chapter 12. Biographical.",
        "Chapter 13. Wheelbarrow.",
        "Chapter 14. Nantucket.",
        "Chapter 15. Chowder.",
        "Chapter 16. The Ship.",
        "Chapter 17. The Ramadan.",
        "Chapter 18. His Mark.",
        "Chapter 19. The Prophet.",
        "Chapter 20. All Astir.",
        "Chapter 21. Going Aboard.",
        "Chapter 22. Merry Christmas.",
        "Chapter 23. The Lee Shore.",
        "Chapter 24. The Advocate.",
        "Chapter 25. Postscript.",
        "Chapter 26. Knights and Squires.",
        "Chapter 27. Knights and Squires.",
        "Chapter 28. Ahab.",
        "Chapter 29. Enter Ahab; to Him, Stubb.",
        "Chapter 30. The Pipe.",
        "Chapter 31. Queen Mab.",
        "Chapter 32. Cetology.",
        "Chapter 33. The Specksnyder.",
        "Chapter 34. The Cabin-Table.",
        "Chapter 35. The Mast-Head.",
        "Chapter 36. The Quarter-Deck.",
        "Chapter 37. Sunset.",
        "Chapter 38. Dusk.",
        "Chapter 39. First Night Watch.",
        "Chapter 40. Midnight, Forecastle.",
        "Chapter 41. Moby Dick.",
        "Chapter 42. The Whiteness of The Whale.",
        "Chapter 43. Hark!",
        "Chapter 44. The Chart.",
        "Chapter 45. The Affidavit.",
        "Chapter 46. Surmises.",
        "Chapter 47. The Mat-Maker.",
        "Chapter 48. The First Lowering.",
        "Chapter 49. The Hyena.",
        "Chapter 50. Ahab’s Boat and Crew. Fedallah.",
        "Chapter 51. The Spirit-Spout.",
        "Chapter 52. The Albatross.",
        "Chapter 53. The Gam.",
        "Chapter 54. The Town-Ho’s Story.",
        "Chapter 55. Of the Monstrous Pictures of Whales.",
        "Chapter 56. Of the Less Erroneous Pictures of Whales, and the True",
        "Chapter 57. Of Whales in Paint; in Teeth; in Wood; in Sheet-Iron; in",
        "Chapter 58. Brit.",
        "Chapter 59. Squid.",
        "Chapter 60. The Line.",
        "Chapter 61. Stubb Kills a Whale.",
        "Chapter 62. The Dart.",
        "Chapter 63. The Crotch.",
        "Chapter 64. Stubb’s Supper.",
        "Chapter 65. The Whale as a Dish.",
        "Chapter 66. The Shark Massacre.",
        "Chapter 67. Cutting In.",
        "Chapter 68. The Blanket.",
        "Chapter 69. The Funeral.",
        "Chapter 70. The Sphynx.",
        "Chapter 71. The Jeroboam’s Story.",
        "Chapter 72. The Monkey-Rope.",
        "Chapter 73. Stubb and Flask Kill a Right Whale; and Then Have a Talk",
        "Chapter 74. The Sperm Whale’s Head—Contrasted View.",
        "Chapter 75. The Right Whale’s Head—Contrasted View.",
        "Chapter 76. The Battering-Ram.",
        "Chapter 77. The Great Heidelburgh Tun.",
        "Chapter 78. Cistern and Buckets.",
        "Chapter 79. The Prairie.",
        "Chapter 80. The Nut.",
        "Chapter 81. The Pequod Meets The Virgin.",
        "Chapter 82. The Honour and Glory of Whaling.",
        "Chapter 83. Jonah Historically Regarded.",
        "Chapter 84. Pitchpoling.",
        "Chapter 85. The Fountain.",
        "Chapter 86. The Tail.",
        "Chapter 87. The Grand Armada.",
        "Chapter 88. Schools and Schoolmasters.",
        "Chapter 89. Fast-Fish and Loose-Fish.",
        "Chapter 90. Heads or Tails.",
        "Chapter 91. The Pequod Meets The Rose-Bud.",
        "Chapter 92. Ambergris.",
        "Chapter 93. The Castaway.",
        "Chapter 94. A Squeeze of the Hand.",
        "Chapter 95. The Cassock.",
        "Chapter 96. The Try-Works.",
        "Chapter 97. The Lamp.",
        "Chapter 98. Stowing Down and Clearing Up.",
        "Chapter 99. The Doubloon.",
        "Chapter 100. Leg and Arm.",
        "Chapter 101. The Decanter.",
        "Chapter 102. A Bower in the Arsacides.",
        "Chapter 103. Measurement of The Whale’s Skeleton.",
        "Chapter 104. The Fossil Whale.",
        "Chapter 105. Does the Whale’s Magnitude Diminish?—Will He Perish?",
        "Chapter 106. Ahab’s Leg.",
        "Chapter 107. The Carpenter.",
        "Chapter 108. Ahab and the Carpenter.",
        "Chapter 109. Ahab and Starbuck in the Cabin.",
        "Chapter 110. Queequeg in His Coffin.",
        "Chapter 111. The Pacific.",
        "Chapter 112. The Blacksmith.",
        "Chapter 113. The Forge.",
        "Chapter 114. The Gilder.",
        "Chapter 115. The Pequod Meets The Bachelor.",
        "Chapter 116. The Dying Whale.",
        "Chapter 117. The Whale Watch.",
        "Chapter 118. The Quadrant.",
        "Chapter 119. The Candles.",
        "Chapter 120. The Deck Towards the End of the First Night Watch.",
        "Chapter 121. Midnight.—The Forecastle Bulwarks.",
        "Chapter 122. Midnight Aloft.—Thunder and Lightning.",
        "Chapter 123. The Musket.",
        "Chapter 124. The Needle.",
        "Chapter 125. The Log and Line.",
        "Chapter 126. The Life-Buoy.",
        "Chapter 127. The Deck.",
        "Chapter 128. The Pequod Meets The Rachel.",
        "Chapter 129. The Cabin.",
        "Chapter 130. The Hat.",
        "Chapter 131. The Pequod Meets The Delight.",
        "Chapter 132. The Symphony.",
        "Chapter 133. The Chase—First Day.",
        "Chapter 134. The Chase—Second Day.",
        "Chapter 135. The Chase.—Third Day.",
        "Epilogue",
        "Copyright Page",
    ]
]

CHILDRENS_TOC = [
    ("SECTION IV FAIRY STORIES—MODERN FANTASTIC TALES", 1),
    ("BIBLIOGRAPHY", 2),
    ("INTRODUCTORY", 2),
    ("190 A FOUR-LEAVED CLOVER", 3),  # under the author heading "Abram S. Isaacs" (a <span>, no link)
    ("I. The Rabbi and the Diadem", 4),  # these four sit in a hidden <ol>: still part of the TOC
    ("II. Friendship", 4),
    ("III. True Charity", 4),
    ("IV. An Eastern Garden", 4),
    ("191 THE LORD HELPETH MAN AND BEAST", 3),
    ("192 THE REAL PRINCESS", 3),
    ("193 THE EMPEROR'S NEW CLOTHES", 3),
    ("194 THE NIGHTINGALE", 3),
    ("195 THE FIR TREE", 3),
    ("196 THE TINDER-BOX", 3),
    ("197 THE HARDY TIN SOLDIER", 3),
    ("198 THE UGLY DUCKLING", 3),
    ("199 THE STORY OF FAIRYFOOT", 3),
    ("200 THE HAPPY PRINCE", 3),
    ("201 THE KNIGHTS OF THE SILVER SHIELD", 3),
    ("202 THE PRINCE'S DREAM", 3),
    ("203 OLD PIPES AND THE DRYAD", 3),
    ("204 THE KING OF THE GOLDEN RIVER OR THE BLACK BROTHERS", 3),
]

GEORGIA_TOC = [("GEORGIA", 1)] + [
    (title, 2)
    for title in [
        "Climate and Soils",
        "Minerals",
        "Agriculture",
        "Manufactures",
        "Population",
        "Government",
        "Education",
        "Finance",
        "History",
    ]
]

TREES_TOC = [("Classification", 1), ("Morphology", 1)]

WASTELAND_TOC = [
    ("I. THE BURIAL OF THE DEAD", 1),
    ("II. A GAME OF CHESS", 1),
    ("III. THE FIRE SERMON", 1),
    ("IV. DEATH BY WATER", 1),
    ("V. WHAT THE THUNDER SAID", 1),
    ('NOTES ON "THE WASTE LAND"', 1),
]

EXPECTED_TOC = {
    "alice-gutenberg-pg11.epub": ALICE_TOC,
    "moby-dick.epub": MOBY_TOC,
    "childrens-literature.epub": CHILDRENS_TOC,
    "georgia-pls-ssml.epub": GEORGIA_TOC,
    "trees.epub": TREES_TOC,
    "wasteland.epub": WASTELAND_TOC,
}

_books: dict[tuple[str, IngestOptions], Book] = {}


DEFAULT = IngestOptions()


def book(name: str, options: IngestOptions = DEFAULT) -> Book:
    """Each corpus book is read once per option set for the whole module."""
    if (name, options) not in _books:
        _books[name, options] = load_book(CORPUS / name, options)
    return _books[name, options]


def narration(b: Book) -> str:
    return "\n".join(block.text for c in b.chapters if c.included for block in c.blocks)


@pytest.mark.parametrize("name", sorted(EXPECTED_TOC))
def test_chapters_are_the_books_own_toc(name):
    chapters = [c for c in book(name).chapters if not c.synthetic]
    assert [(c.title, c.level) for c in chapters] == EXPECTED_TOC[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_TOC))
def test_added_chapters_hold_only_matter(name):
    """Chapters we add (text before the first TOC entry, a split-off licence) are never read by default."""
    for chapter in book(name).chapters:
        if chapter.synthetic:
            assert not chapter.included and chapter.excluded_reason


def test_alice_front_and_back_matter():
    chapters = {c.title: c for c in book("alice-gutenberg-pg11.epub").chapters}
    licence = chapters["THE FULL PROJECT GUTENBERG LICENSE"]
    assert not licence.included and licence.excluded_reason == "back matter: Project Gutenberg licence"
    assert not chapters["Project Gutenberg header"].included
    assert not chapters["Contents"].included and "table of contents" in chapters["Contents"].excluded_reason
    assert all(c.included for t, c in chapters.items() if t.startswith("CHAPTER"))
    text = narration(book("alice-gutenberg-pg11.epub"))
    assert "Project Gutenberg" not in text and "START OF THE PROJECT" not in text
    assert "Alice was beginning to get very tired" in text
    assert text.rstrip().endswith("the happy summer days.\nTHE END")
    # the chapter after the last one begins mid-file: text of file 12 before its anchor stays in chapter XII
    last = chapters["CHAPTER XII. Alice’s Evidence"]
    assert last.blocks[0].text == "CHAPTER XII. Alice’s Evidence" and last.blocks[-1].text == "THE END"


def test_front_matter_option_brings_matter_back():
    full = book("alice-gutenberg-pg11.epub", IngestOptions(include_front_matter=True))
    licence = next(c for c in full.chapters if c.title == "THE FULL PROJECT GUTENBERG LICENSE")
    assert licence.included and licence.excluded_reason is None
    assert "Project Gutenberg" in narration(full)
    assert len(full.chapters) == len(book("alice-gutenberg-pg11.epub").chapters)


def test_moby_dick_matter_and_chapters():
    chapters = {c.title: c for c in book("moby-dick.epub").chapters}
    assert (
        chapters["Copyright Page"].excluded_reason
        == "front matter: copyright page (epub:type=copyright-page)"
    )
    assert (
        chapters["Original Transcriber’s Notes:"].excluded_reason
        == "back matter: colophon (epub:type=colophon)"
    )
    assert not chapters["Moby-Dick"].included  # the title page is one image
    assert chapters["ETYMOLOGY."].included and chapters["Epilogue"].included
    assert sum(c.included for t, c in chapters.items() if t.startswith("Chapter ")) == 135
    first = chapters["Chapter 1. Loomings."]
    assert first.blocks[0].kind == "heading" and first.blocks[1].text.startswith("Call me Ishmael.")
    # the brief contents page is not in the TOC: it is split off, not read as part of the title page
    brief = next(c for c in book("moby-dick.epub").chapters if c.synthetic)
    assert brief.blocks[0].text == "Brief Contents" and "table of contents" in brief.excluded_reason


def test_sample_title_and_toc_pages_are_excluded():
    wasteland = book("wasteland.epub").chapters
    assert (
        wasteland[0].synthetic
        and wasteland[0].excluded_reason == "front matter: title page (epub:type=titlepage)"
    )
    trees = book("trees.epub").chapters
    assert [c.included for c in trees] == [False, False, True, True]
    assert "table of contents" in trees[1].excluded_reason
    children = book("childrens-literature.epub").chapters
    assert "table of contents" in children[0].excluded_reason and children[0].synthetic
    bibliography = next(c for c in children if c.title == "BIBLIOGRAPHY")
    assert bibliography.excluded_reason == "back matter: bibliography (epub:type=bibliography)"


METADATA = {
    "alice-gutenberg-pg11.epub": ("Alice's Adventures in Wonderland", ["Lewis Carroll"], "en", "image/jpeg"),
    "moby-dick.epub": ("Moby-Dick", ["Herman Melville"], "en-US", "image/jpeg"),
    "childrens-literature.epub": (
        "Children's Literature",
        ["Charles Madison Curry", "Erle Elsworth Clippinger"],
        "en",
        "image/png",
    ),
    "georgia-pls-ssml.epub": ("Georgia", ["Various"], "en-US", "image/png"),
    "trees.epub": ("Trees", [], "en", "image/jpeg"),
    "wasteland.epub": ("The Waste Land", ["T.S. Eliot"], "en-US", "image/jpeg"),
}
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}


@pytest.mark.parametrize("name", sorted(METADATA))
def test_metadata(name):
    title, authors, language, cover_mime = METADATA[name]
    meta = book(name).metadata
    assert (meta.title, meta.authors, meta.language) == (title, authors, language)
    assert meta.cover is not None and meta.cover.mime == cover_mime
    assert meta.cover.data.startswith(MAGIC[cover_mime])
    assert meta.identifiers


def test_more_metadata_fields():
    moby = book("moby-dick.epub").metadata
    assert moby.publisher == "Harper & Brothers, Publishers"
    assert moby.identifiers == ["code.google.com.epub-samples.moby-dick-basic"]
    assert book("alice-gutenberg-pg11.epub").metadata.date == "2008-06-27"
    assert book("trees.epub").metadata.description == "Test of canvas element and CSS3 multi-column layout"


def test_wasteland_notes_dropped_by_default():
    b = book("wasteland.epub")
    text = narration(b)
    assert "Ezekiel" not in text and "Tristan und Isolde, i, verses" not in text
    assert not any(block.kind == "note" for c in b.chapters for block in c.blocks)
    burial = b.chapters[1]
    assert "Out of this stony rubbish? Son of man,\nYou cannot say" in burial.blocks[2].text  # no "*" marker
    assert "*" not in "".join(block.text for block in burial.blocks)
    assert "\n20\n" not in burial.blocks[2].text and not re.search(r"\b(10|20|30)\b", burial.blocks[1].text)


def test_wasteland_notes_inline():
    b = book("wasteland.epub", IngestOptions(notes="inline"))
    burial = b.chapters[1].blocks
    reference = next(i for i, block in enumerate(burial) if "Son of man," in block.text)
    assert burial[reference + 1].kind == "note" and burial[reference + 1].text.endswith("Cf. Ezekiel 2:1.")
    notes = [block for c in b.chapters for block in c.blocks if block.kind == "note"]
    assert len(notes) == 50  # every rearnote, each read once
    assert "Ezekiel" in narration(b)


def test_wasteland_notes_at_chapter_end():
    b = book("wasteland.epub", IngestOptions(notes="chapter_end"))
    burial = b.chapters[1].blocks
    first_note = next(i for i, block in enumerate(burial) if block.kind == "note")
    assert all(block.kind == "note" for block in burial[first_note:])
    assert burial[first_note].text.endswith("Cf. Ezekiel 2:1.")
    assert sum(block.kind == "note" for c in b.chapters for block in c.blocks) == 50


def test_georgia_and_moby_footnotes():
    assert "These have been corrected" not in "\n".join(
        block.text
        for c in book("moby-dick.epub", IngestOptions(include_front_matter=True)).chapters
        for block in c.blocks
    )
    inline = book("georgia-pls-ssml.epub", IngestOptions(notes="inline"))
    text = "\n".join(block.text for c in inline.chapters for block in c.blocks if block.kind == "note")
    assert "According to the usual nomenclature" in text
    assert "According to the usual nomenclature" not in narration(book("georgia-pls-ssml.epub"))
    assert "amended from overriden" not in narration(book("georgia-pls-ssml.epub"))  # an editor's aside


def test_page_numbers_are_not_read():
    for name in ("childrens-literature.epub", "georgia-pls-ssml.epub"):
        for chapter in book(name).chapters:
            for block in chapter.blocks:
                assert block.kind == "heading" or not re.fullmatch(r"\d+", block.text)  # "190" heads a story
    section = next(c for c in book("childrens-literature.epub").chapters if c.title.startswith("SECTION IV"))
    assert [b.text for b in section.blocks] == ["SECTION IV FAIRY STORIES—MODERN FANTASTIC TALES"]


def test_verse_keeps_its_lines():
    burial = book("wasteland.epub").chapters[1].blocks
    assert burial[1].kind == "verse"
    assert burial[1].text.startswith(
        "April is the cruellest month, breeding\nLilacs out of the dead land, mixing\n"
    )


def test_lexicon_has_no_ipa_only_entries():
    assert book("georgia-pls-ssml.epub").lexicon == {}  # en.pls has only <phoneme> entries, no <alias>


# --- no text lost: an independent reading of each TOC-delimited region -----------------------------------

_NOT_BODY_TEXT = {
    "script",
    "style",
    "head",
    "table",
    "img",
    "canvas",
    "svg",
    "math",
    "pre",
    "aside",
    "figure",
}
_BREAKS_WORDS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "blockquote",
    "hr",
    "td",
}
_OPS = "http://www.idpf.org/2007/ops"
_NOTE_OR_NOISE = {"pagebreak", "noteref", "footnote", "endnote", "rearnote", "note", "annotation"}


def _epub_type(tag: Tag) -> str:
    """The tag's epub:type, found by namespace: bs4's lxml-xml parser keys it "epub:type" or, with lxml 6.2,
    plain "type" (where it could be mistaken for an HTML `type`)."""
    return next((value for key, value in tag.attrs.items() if getattr(key, "namespace", None) == _OPS), "")


def _toc_targets(archive: zipfile.ZipFile, opf_path: str, soup_opf: BeautifulSoup) -> list[str]:
    base = PurePosixPath(opf_path).parent
    nav = soup_opf.find("item", properties=lambda p: p and "nav" in p.split())
    if nav is not None:
        nav_path = str(base / nav["href"])
        nav_soup = BeautifulSoup(archive.read(nav_path), "lxml-xml")
        toc = next(n for n in nav_soup.find_all("nav") if "toc" in _epub_type(n).split())
        hrefs = [(nav_path, a["href"]) for a in toc.find_all("a", href=True)]
    else:
        ncx_path = str(base / soup_opf.find("item", attrs={"media-type": "application/x-dtbncx+xml"})["href"])
        ncx_soup = BeautifulSoup(archive.read(ncx_path), "lxml-xml")
        hrefs = [(ncx_path, c["src"]) for c in ncx_soup.find_all("content")]
    targets = []
    for source, href in hrefs:
        path, _, fragment = href.partition("#")
        resolved = PurePosixPath(source).parent / unquote(path)
        targets.append(f"{resolved}#{fragment}" if fragment else str(resolved))
    return targets


def _region_words(name: str) -> dict[int, Counter]:
    """Words of each TOC entry's region: from its target to the next target in spine order."""
    archive = zipfile.ZipFile(CORPUS / name)
    container = BeautifulSoup(archive.read("META-INF/container.xml"), "lxml-xml")
    opf_path = container.find("rootfile")["full-path"]
    soup_opf = BeautifulSoup(archive.read(opf_path), "lxml-xml")
    base = PurePosixPath(opf_path).parent
    targets = _toc_targets(archive, opf_path, soup_opf)
    index = {target: i for i, target in reversed(list(enumerate(targets)))}
    hrefs = {item["id"]: str(base / item["href"]) for item in soup_opf.find_all("item")}
    texts: dict[int, list[str]] = {}
    current = None
    for itemref in soup_opf.find("spine").find_all("itemref"):
        doc = hrefs[itemref["idref"]]
        if itemref.get("linear") == "no" and doc not in index:
            continue
        soup = BeautifulSoup(archive.read(doc), "lxml-xml")
        for tag in soup.find_all(True):
            if tag.decomposed:
                continue
            kinds = set(_epub_type(tag).split())
            if (
                tag.name in _NOT_BODY_TEXT
                or kinds & _NOTE_OR_NOISE
                or tag.has_attr("hidden")
                or "lnum" in tag.get("class", "")
            ):
                tag.decompose()
        if doc in index:
            current = index[doc]
        for node in soup.find("body").descendants:
            if isinstance(node, Tag) and f"{doc}#{node.get('id')}" in index:
                current = index[f"{doc}#{node.get('id')}"]
            if current is None:
                continue
            if isinstance(node, Tag) and node.name in _BREAKS_WORDS:
                texts.setdefault(current, []).append(" ")
            elif isinstance(node, NavigableString):
                texts.setdefault(current, []).append(str(node))  # "<i>Un</i>important" is one word
    return {i: Counter(re.findall(r"\w+", "".join(parts).lower())) for i, parts in texts.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED_TOC))
def test_no_text_lost(name):
    regions = _region_words(name)
    chapters = book(name).chapters
    toc_positions = [i for i, c in enumerate(chapters) if not c.synthetic]
    checked = 0
    for entry, position in enumerate(toc_positions):
        if not chapters[position].included:
            continue
        # the chapter and any matter split off its end (e.g. a licence) hold the region's words between them
        end = next((p for p in toc_positions if p > position), len(chapters))
        ours = Counter(
            word
            for c in chapters[position:end]
            for block in c.blocks
            for word in re.findall(r"\w+", block.text.lower())
        )
        missing = regions.get(entry, Counter()) - ours
        assert not missing, f"{chapters[position].title}: {sorted(missing)[:20]}"
        checked += 1
    assert checked >= 2
