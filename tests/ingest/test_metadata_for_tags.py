"""The OPF fields the audiobook's tags are made of: subtitle, subjects, genres, series, rights, ISBN, ASIN."""

from __future__ import annotations

from audiobook_tts.ingest import load_book
from tests.fixtures.epub import nav, opf, write_epub, xhtml


def book_with(tmp_path, metadata: str):
    files = {
        "OEBPS/content.opf": opf(["ch1.xhtml"], metadata=metadata),
        "OEBPS/nav.xhtml": nav('<li><a href="ch1.xhtml">One</a></li>'),
        "OEBPS/ch1.xhtml": xhtml("<p>Some text to read.</p>"),
    }
    return load_book(write_epub(tmp_path / "book.epub", files)).metadata


def test_epub3_collection_subtitle_and_identifiers(tmp_path):
    meta = book_with(
        tmp_path,
        """
        <dc:title id="t1">The Long Road</dc:title><meta refines="#t1" property="title-type">main</meta>
        <dc:title id="t2">A Novel</dc:title><meta refines="#t2" property="title-type">subtitle</meta>
        <dc:creator>Ada Author</dc:creator><dc:language>en</dc:language>
        <dc:subject>Fiction</dc:subject><dc:subject>Travel</dc:subject><dc:rights>CC BY 4.0</dc:rights>
        <meta property="se:subject">Adventure</meta>
        <dc:identifier>urn:isbn:978-0-00-000000-2</dc:identifier>
        <meta property="belongs-to-collection" id="c1">Roads</meta>
        <meta refines="#c1" property="collection-type">series</meta>
        <meta refines="#c1" property="group-position">2</meta>""",
    )
    assert (meta.title, meta.subtitle) == ("The Long Road", "A Novel")
    assert meta.subjects == ["Fiction", "Travel"] and meta.rights == "CC BY 4.0"
    assert meta.genres == ["Adventure"]  # Standard Ebooks' own genre
    assert (meta.series, meta.series_index) == ("Roads", "2")
    assert (meta.isbn, meta.asin) == ("9780000000002", None)


def test_calibre_series_and_schemes(tmp_path):
    meta = book_with(
        tmp_path,
        """
        <dc:title>Book</dc:title><dc:language>en</dc:language>
    <dc:identifier xmlns:opf="http://www.idpf.org/2007/opf" opf:scheme="ISBN">0-00-000000-0</dc:identifier>
        <dc:identifier>amazon:B00TESTASN</dc:identifier>
        <meta name="calibre:series" content="Roads"/><meta name="calibre:series_index" content="3.0"/>""",
    )
    assert (meta.series, meta.series_index) == ("Roads", "3")
    assert (meta.isbn, meta.asin) == ("0000000000", "B00TESTASN")
    assert meta.subtitle is None and meta.subjects == []
