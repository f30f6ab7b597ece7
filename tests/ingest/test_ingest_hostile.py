"""Hostile and broken files, built at test time: one clear BookError line, nothing resolved or extracted."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from audiobook_tts.ingest import BookError, load_book
from audiobook_tts.ingest.safety import xml_parser
from tests.fixtures.epub import CONTAINER, nav, opf, simple_epub, write_epub, xhtml

XXE = """<?xml version="1.0"?>
<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Secret: &xxe;</p></body></html>"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol9;</p></body></html>"""


def error_of(path: Path) -> str:
    with pytest.raises(BookError) as caught:
        load_book(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_missing_file_directory_and_unknown_extension(tmp_path):
    assert "no such file" in error_of(tmp_path / "nothing.epub")
    message = error_of(tmp_path)
    assert "is a directory" in message and "EPUB (.epub)" in message and "Markdown" in message
    (tmp_path / "book.pdf").write_bytes(b"%PDF-1.4")
    message = error_of(tmp_path / "book.pdf")
    assert "unknown book format '.pdf'" in message and "plain text (.txt" in message


def test_not_a_zip(tmp_path):
    path = tmp_path / "fake.epub"
    path.write_text("this is not a zip archive")
    assert "not a valid EPUB: it is not a readable zip archive" in error_of(path)


def test_truncated_zip(tmp_path):
    whole = simple_epub(tmp_path / "whole.epub", "<p>Some text.</p>").read_bytes()
    cut = tmp_path / "cut.epub"
    cut.write_bytes(whole[: len(whole) // 2])
    assert "not a readable zip archive" in error_of(cut)


def test_damaged_entry(tmp_path):
    """The directory is intact but a member's compressed bytes are not: a CRC or inflate error, one line."""
    path = simple_epub(tmp_path / "book.epub", "<p>" + "Words of the chapter. " * 200 + "</p>")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("OEBPS/ch1.xhtml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + 40):
        data[i] ^= 0x55
    path.write_bytes(bytes(data))
    assert "zip entry 'OEBPS/ch1.xhtml' is damaged or truncated" in error_of(path)


def test_missing_container(tmp_path):
    path = write_epub(tmp_path / "b.epub", {"OEBPS/content.opf": opf(["ch1.xhtml"])}, container=None)
    assert "META-INF/container.xml is missing" in error_of(path)


def test_broken_container_and_missing_opf(tmp_path):
    path = write_epub(tmp_path / "a.epub", {}, container="<container><rootfiles>")
    assert "META-INF/container.xml is broken" in error_of(path)
    path = write_epub(tmp_path / "b.epub", {})
    assert "package document 'OEBPS/content.opf' is missing" in error_of(path)


def test_opf_with_a_stray_ampersand_is_recovered(tmp_path, caplog):
    package = opf(
        ["ch1.xhtml"], metadata="<dc:title>Harper & Brothers</dc:title><dc:language>en</dc:language>"
    )
    path = simple_epub(tmp_path / "amp.epub", "<p>Text.</p>", extra={"OEBPS/content.opf": package})
    with caplog.at_level("WARNING"):
        book = load_book(path)
    assert book.chapters[0].blocks[0].text == "Text." and "not well-formed" in caplog.text


def test_broken_opf(tmp_path):
    path = write_epub(tmp_path / "b.epub", {"OEBPS/content.opf": "<package><manifest><item id='x'"})
    assert "broken package document OEBPS/content.opf" in error_of(path)
    path = write_epub(tmp_path / "c.epub", {"OEBPS/content.opf": opf([]).replace("<spine>", "<spine>")})
    assert "spine lists no readable documents" in error_of(path)


ENCRYPTION = """<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData>
    <enc:EncryptionMethod Algorithm="{algorithm}"/>
    <enc:CipherData><enc:CipherReference URI="{uri}"/></enc:CipherData>
  </enc:EncryptedData>
</encryption>"""


def test_drm_is_refused(tmp_path):
    encryption = ENCRYPTION.format(
        algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc", uri="OEBPS/ch1.xhtml"
    )
    path = simple_epub(
        tmp_path / "drm.epub",
        "<p>ciphertext</p>",
        extra={"META-INF/encryption.xml": encryption, "META-INF/rights.xml": "<rights/>"},
    )
    message = error_of(path)
    assert "DRM-protected" in message and "we cannot read it" in message and "OEBPS/ch1.xhtml" in message


@pytest.mark.parametrize(
    "algorithm", ["http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"]
)
def test_font_obfuscation_is_not_drm(tmp_path, algorithm):
    encryption = ENCRYPTION.format(algorithm=algorithm, uri="OEBPS/fonts/font.otf")
    path = simple_epub(
        tmp_path / "fonts.epub",
        "<p>Readable words.</p>",
        extra={"META-INF/encryption.xml": encryption, "OEBPS/fonts/font.otf": b"\x00obfuscated"},
    )
    assert load_book(path).chapters[0].blocks[0].text == "Readable words."


@pytest.mark.parametrize("where", ["chapter", "opf", "container"])
def test_xxe_is_never_resolved(tmp_path, where):
    files = {
        "OEBPS/content.opf": opf(["ch1.xhtml"]),
        "OEBPS/nav.xhtml": nav('<li><a href="ch1.xhtml">One</a></li>'),
        "OEBPS/ch1.xhtml": XXE if where == "chapter" else xhtml("<p>Text.</p>"),
    }
    container = CONTAINER
    if where == "opf":
        files["OEBPS/content.opf"] = (
            files["OEBPS/content.opf"]
            .replace(
                '<?xml version="1.0" encoding="UTF-8"?>',
                '<?xml version="1.0"?><!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
            )
            .replace("<dc:title>Test Book</dc:title>", "<dc:title>&xxe;</dc:title>")
        )
    if where == "container":
        container = CONTAINER.replace(
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        )
    path = write_epub(tmp_path / "xxe.epub", files, container=container)
    message = error_of(path)
    assert "declares XML entities" in message and "root:" not in message


def test_xxe_in_utf16_is_caught(tmp_path):
    path = simple_epub(tmp_path / "u16.epub", "<p>x</p>", extra={"OEBPS/ch1.xhtml": XXE.encode("utf-16")})
    assert "declares XML entities" in error_of(path)


def test_hardened_parser_alone_resolves_nothing():
    """Defence in depth: even without the <!ENTITY pre-scan, our parser leaves entities unexpanded."""
    root = etree.fromstring(XXE.encode(), xml_parser())
    assert "root:" not in "".join(root.itertext())
    root = etree.fromstring(LAUGHS.encode(), xml_parser())
    assert len("".join(root.itertext())) < 1000


def test_billion_laughs_is_refused(tmp_path):
    path = simple_epub(tmp_path / "lol.epub", "<p>x</p>", extra={"OEBPS/ch1.xhtml": LAUGHS})
    assert "declares XML entities" in error_of(path)


def _patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Make the zip directory claim `size` uncompressed bytes for `name` (local header and central record)."""
    raw = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<I", raw, info.header_offset + 22, size)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_length] == name.encode():
            struct.pack_into("<I", raw, central + 24, size)
            break
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)


def test_zip_bomb_by_declared_size(tmp_path):
    path = simple_epub(tmp_path / "bomb.epub", "<p>x</p>")
    path.write_bytes(_patch_declared_size(path.read_bytes(), "OEBPS/ch1.xhtml", 0xFFFF0000))
    message = error_of(path)
    assert "possible zip bomb" in message and "OEBPS/ch1.xhtml" in message


def test_zip_bomb_by_ratio(tmp_path):
    path = simple_epub(tmp_path / "ratio.epub", "<p>x</p>", extra={"OEBPS/zeros.css": b"\0" * (20 << 20)})
    message = error_of(path)
    assert "compresses" in message and "possible zip bomb" in message


def test_too_many_entries(tmp_path):
    extra: dict[str, str | bytes] = {f"OEBPS/junk/{i}.txt": "" for i in range(20_001)}
    message = error_of(simple_epub(tmp_path / "many.epub", "<p>x</p>", extra=extra))
    assert "entries (limit 20000)" in message


def test_dangerous_entry_names_never_touch_the_file_system(tmp_path, monkeypatch):
    """We never extract: '../evil' and '/abs/evil' are only names inside the archive, read into memory."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    absolute = tmp_path / "absolute" / "evil.xhtml"  # an absolute entry name, pointing where we can look
    files = {
        "OEBPS/content.opf": opf(["../../evil.xhtml", "ch1.xhtml"]),
        "OEBPS/nav.xhtml": nav('<li><a href="ch1.xhtml">One</a></li>'),
        "OEBPS/ch1.xhtml": xhtml("<p>Good text.</p>"),
        "../evil.xhtml": xhtml("<p>Evil text from a parent path.</p>"),
        str(absolute): xhtml("<p>Evil absolute.</p>"),
    }
    path = write_epub(tmp_path / "evil.epub", files)
    before = {p for p in tmp_path.rglob("*")}
    book = load_book(path)
    assert {p for p in tmp_path.rglob("*")} == before  # nothing written next to the book or in the cwd
    assert not absolute.exists() and not (tmp_path.parent / "evil.xhtml").exists()
    assert "Good text." in [b.text for c in book.chapters for b in c.blocks]


def test_empty_book(tmp_path):
    path = simple_epub(tmp_path / "empty.epub", '<div><img src="a.png" alt="picture"/></div>')
    assert "contains no readable text" in error_of(path)


def test_not_well_formed_xhtml_is_recovered(tmp_path, caplog):
    broken = "<html><body><p>First paragraph<p>Second & unclosed <b>bold</i> text</body>"
    path = simple_epub(tmp_path / "bad.epub", "x", extra={"OEBPS/ch1.xhtml": broken})
    with caplog.at_level("WARNING"):
        book = load_book(path)
    texts = [b.text for b in book.chapters[0].blocks]
    assert "First paragraph" in texts[0] and "Second & unclosed bold text" in " ".join(texts)
    assert "not well-formed" in caplog.text


def test_external_dtd_is_never_loaded(tmp_path):
    """A DOCTYPE naming a local DTD that defines an entity: the DTD is not read, the entity stays empty."""
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY secret "TOP-SECRET-FROM-DISK">')
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE html SYSTEM "file://{dtd}">'
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Value: &secret; end.</p></body></html>'
    )
    book = load_book(simple_epub(tmp_path / "dtd.epub", "x", extra={"OEBPS/ch1.xhtml": doc}))
    assert [b.text for b in book.chapters[0].blocks] == ["Value: end."]


def test_directory_that_understates_a_size_is_caught_while_reading(tmp_path):
    """An entry declared tiny that inflates to 3 MiB: reading stops at the declared size and fails the CRC."""
    big = b"<p>" + b"a" * (3 << 20) + b"</p>"
    path = simple_epub(tmp_path / "liar.epub", "x", extra={"OEBPS/ch1.xhtml": big})
    path.write_bytes(_patch_declared_size(path.read_bytes(), "OEBPS/ch1.xhtml", 1000))
    assert "zip entry 'OEBPS/ch1.xhtml' is damaged or truncated" in error_of(path)
