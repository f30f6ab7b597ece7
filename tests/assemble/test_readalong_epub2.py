"""Read-along from an EPUB 2 source: a copy of the publisher's book upgraded to EPUB 3, the documents' bytes
kept except the span tags and what EPUB 3 validity needs, and epubcheck clean."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from audiobook_tts.assemble.epub3 import upgrade_package
from audiobook_tts.assemble.readalong import _parse_document
from tests.assemble.test_readalong import DATA, assert_source_plus_spans, epubcheck, make_readalong
from tests.fixtures.audio import tiny_png
from tests.fixtures.epub import write_epub

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"
XHTML11 = b"<!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.1//EN' 'http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd'>"


def chapter(title: str, body: str) -> bytes:
    return (
        b"<?xml version='1.0' encoding='utf-8'?>\n" + XHTML11 + b"\n"
        b'<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en">\n<head>\n'
        b'<meta http-equiv="Content-Style-Type" content="text/css"/>\n'
        b"<title>" + title.encode() + b"</title>\n</head>\n<body>\n" + body.encode() + b"\n</body>\n</html>\n"
    )


ONE = chapter(
    "One",
    '<h1 id="one">Chapter One</h1>\n<!-- the publisher\'s comment -->\n'
    "<p class='first'>Tom &amp; Jerry ran &#8217;round the <i>old</i> barn.   It was cold.</p>\n"
    '<table summary="a table"><tr><td>A cell.</td></tr></table>\n<p>The end came <b>soon</b>.</p>',
)
TWO = chapter("Two", '<h1 id="two">Chapter Two</h1>\n<p>A second chapter, short and plain.</p>')
NCX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE ncx PUBLIC "-//NISO//DTD ncx 2005-1//EN" "http://www.daisy.org/z3986/2005/ncx-2005-1.dtd">
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
<head><meta name="dtb:uid" content="urn:isbn:9780000000002"/></head>
<docTitle><text>Two Chapters</text></docTitle><navMap>
<navPoint id="p1" playOrder="1"><navLabel><text>Chapter One</text></navLabel>
<content src="text/one.xhtml#one"/>
<navPoint id="p2" playOrder="2"><navLabel><text>Chapter Two</text></navLabel><content src="text/two.xhtml"/>
</navPoint></navPoint></navMap></ncx>"""
PACKAGE = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" xmlns:opf="http://www.idpf.org/2007/opf"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:dcterms="http://purl.org/dc/terms/"
  version="2.0" unique-identifier="isbn">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="isbn" opf:scheme="ISBN">9780000000002</dc:identifier>
<dc:title>Two Chapters</dc:title>
<dc:creator opf:role="aut" opf:file-as="Writer, Ann">Ann Writer</dc:creator>
<dc:language xsi:type="dcterms:RFC4646">en</dc:language>
<dc:date opf:event="conversion">2020-01-01</dc:date>
<dc:date opf:event="publication">1901-05-01</dc:date>
<meta name="cover" content="cover-image"/>
</metadata>
<manifest>
<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
<item id="cover-image" href="cover.png" media-type="image/png"/>
<item id="one" href="text/one.xhtml" media-type="application/xhtml+xml"/>
<item id="two" href="text/two.xhtml" media-type="application/xhtml+xml"/>
</manifest>
<spine toc="ncx"><itemref idref="one"/><itemref idref="two"/></spine>
<guide><reference type="text" title="Start" href="text/one.xhtml"/>
<reference type="cover" title="Cover" href="cover.png"/>
<reference type="other.ms-coverpage" href="text/two.xhtml"/>
<reference type="toc" title="Contents" href="text/two.xhtml#two"/></guide>
</package>"""


def epub3_document(source: bytes) -> bytes:
    """What EPUB 3 makes of one of these documents: the HTML5 DOCTYPE, the Content-Style-Type meta and a
    table's summary gone."""
    return (
        source.replace(XHTML11, b"<!DOCTYPE html>")
        .replace(b' summary="a table"', b"")
        .replace(b' summary=""', b"")
        .replace(b'<meta http-equiv="Content-Style-Type" content="text/css"/>', b"")
        .replace(b'<meta content="text/css" http-equiv="Content-Style-Type"/>', b"")
    )


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("epub2")
    source = write_epub(
        out / "two.epub",
        {
            "OEBPS/content.opf": PACKAGE,
            "OEBPS/toc.ncx": NCX,
            "OEBPS/cover.png": tiny_png(),
            "OEBPS/text/one.xhtml": ONE,
            "OEBPS/text/two.xhtml": TWO,
        },
    )
    book, read, result = make_readalong(source, out / "out", formats=frozenset({"epub"}))
    return source, result, zipfile.ZipFile(result.files[0])


def test_epub2_sample_passes_epubcheck_as_epub3(sample):
    *_, archive = sample
    report = epubcheck(Path(archive.filename))
    assert "Validating using EPUB version 3" in report
    assert "0 fatals / 0 errors / 0 warnings" in report


def test_epub2_package_is_upgraded(sample):
    *_, archive = sample
    opf = etree.fromstring(archive.read("OEBPS/content.opf"))
    assert opf.get("version") == "3.0"
    items = {item.get("id"): item for item in opf.iterfind(".//opf:item", OPF)}
    assert items["cover-image"].get("properties") == "cover-image"
    assert items["one"].get("media-overlay") and items["two"].get("media-overlay")
    navs = [item for item in items.values() if item.get("properties") == "nav"]
    assert len(navs) == 1
    assert opf.find(".//opf:spine", OPF).get("toc") == "ncx"  # the NCX stays, for EPUB 2 readers
    metas = {(m.get("property"), m.get("refines")): m for m in opf.iterfind(".//opf:meta", OPF)}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", metas[("dcterms:modified", None)].text)
    creator = opf.find(".//dc:creator", OPF)
    assert metas[("file-as", f"#{creator.get('id')}")].text == "Writer, Ann"
    assert metas[("role", f"#{creator.get('id')}")].get("scheme") == "marc:relators"
    assert [d.text for d in opf.iterfind(".//dc:date", OPF)] == ["1901-05-01"]
    assert opf.find(".//dc:identifier", OPF).text == "urn:isbn:9780000000002"
    # the nav document is the NCX's table, nesting and all, linking where the NCX does
    nav = etree.fromstring(archive.read("OEBPS/" + navs[0].get("href")))
    toc = nav.find(f".//{XHTML}nav")
    links = [(a.text, a.get("href")) for a in toc.iter(f"{XHTML}a")]
    assert links == [("Chapter One", "text/one.xhtml#one"), ("Chapter Two", "text/two.xhtml")]
    assert toc.find(f"{XHTML}ol/{XHTML}li/{XHTML}ol/{XHTML}li/{XHTML}a").text == "Chapter Two"
    # the guide's references to content documents, in types EPUB 3 names, are the landmarks
    (landmarks,) = [n for n in nav.iter(f"{XHTML}nav") if n.get(f"{EPUB_NS}type") == "landmarks"]
    marks = [(a.get(f"{EPUB_NS}type"), a.text, a.get("href")) for a in landmarks.iter(f"{XHTML}a")]
    assert marks == [("bodymatter", "Start", "text/one.xhtml"), ("toc", "Contents", "text/two.xhtml#two")]
    # the guide keeps its references to content documents only (EPUB 3 allows no other: epubcheck OPF-032)
    hrefs = [reference.get("href") for reference in opf.iterfind(".//opf:guide/opf:reference", OPF)]
    assert hrefs == ["text/one.xhtml", "text/two.xhtml", "text/two.xhtml#two"]


def test_epub2_documents_keep_their_bytes_but_for_the_spans(sample):
    source, result, archive = sample
    assert result.warnings == [] and not [w for w in result.warnings if "read-along" in w]
    for name, original in (("OEBPS/text/one.xhtml", ONE), ("OEBPS/text/two.xhtml", TWO)):
        ours = archive.read(name)
        assert len(re.findall(rb'<span id="ra', ours)) >= 2
        assert_source_plus_spans(ours, epub3_document(original), name)
    one = etree.fromstring(archive.read("OEBPS/text/one.xhtml"))
    spans = ["".join(s.itertext()) for s in one.iter(f"{XHTML}span")]
    assert "Tom & Jerry ran \u2019round the old barn." in spans and "It was cold." in spans
    with zipfile.ZipFile(source) as original:
        assert archive.read("OEBPS/cover.png") == original.read("OEBPS/cover.png")
        assert archive.read("OEBPS/toc.ncx") == original.read("OEBPS/toc.ncx").replace(
            NCX.splitlines()[1].encode(), b""
        )


@pytest.fixture(scope="module")
def alice(tmp_path_factory):
    """The Gutenberg Alice (EPUB 2, chapters at #anchors), its first two chapters read."""
    source = DATA / "corpus" / "alice-gutenberg-pg11.epub"
    out = tmp_path_factory.mktemp("alice")
    book, read, result = make_readalong(source, out, formats=frozenset({"epub"}), chapters=2)
    return source, read, result, zipfile.ZipFile(result.files[0])


def test_alice_passes_epubcheck(alice):
    *_, archive = alice
    report = epubcheck(Path(archive.filename))
    assert "Validating using EPUB version 3" in report and " 0 errors " in report
    warnings = [line for line in report.splitlines() if line.startswith("WARNING")]
    assert warnings and all("HTM-014a" in line for line in warnings)  # `.html` names, kept on purpose


def test_alice_is_a_copy_of_the_publishers_book(alice):
    source, read, result, archive = alice
    assert result.warnings == []
    with zipfile.ZipFile(source) as original:
        for info in original.infolist():
            ours, theirs = archive.read(info.filename), original.read(info.filename)
            if info.filename.endswith(".html"):
                assert_source_plus_spans(ours, epub3_document(theirs), info.filename)
            elif not info.filename.endswith(".opf"):
                assert ours == theirs, info.filename
    read_aloud = {chapter.source.split("#")[0] for chapter in read}
    for name in read_aloud:
        assert len(re.findall(rb'<span id="ra', archive.read(name))) > 20, name


def test_a_package_without_an_ncx_gets_its_nav_from_the_chapters():
    """An EPUB 2 without a (readable) NCX: the nav document lists the book's chapters as ingest found them."""
    package = PACKAGE.replace('<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>', "")
    files = {"OEBPS/content.opf": package.encode(), "OEBPS/text/one.xhtml": ONE, "OEBPS/text/two.xhtml": TWO}
    opf = etree.fromstring(files["OEBPS/content.opf"])
    contents = [("One", "OEBPS/text/one.xhtml#one"), ("Two", "OEBPS/text/two.xhtml")]
    upgrade_package(files, opf, "OEBPS/content.opf", _parse_document, contents)
    (nav_item,) = [i for i in opf.iterfind(".//opf:item", OPF) if i.get("properties") == "nav"]
    nav = etree.fromstring(files["OEBPS/" + nav_item.get("href")])
    toc = nav.find(f".//{XHTML}nav")
    links = [(a.text, a.get("href")) for a in toc.iter(f"{XHTML}a")]
    assert links == [("One", "text/one.xhtml#one"), ("Two", "text/two.xhtml")]
    assert files["OEBPS/text/two.xhtml"] == epub3_document(TWO)
