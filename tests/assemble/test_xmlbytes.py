"""Byte positions of an XML document's text, so spans go into the publisher's bytes and nothing else moves."""

from __future__ import annotations

import html

import pytest
from lxml import etree

from audiobook_tts.assemble.xmlbytes import ByteMap, Unmappable, nodes, splice

DOCUMENT = (
    "<?xml version='1.0' encoding='utf-8'?>\r\n<!DOCTYPE html>\r\n<!-- before the root -->\r\n"
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T\u00e9</title></head>\r\n'
    "<body><p class='a'>Tom &amp; Jerry ran &#8217;round\r\nthe <i>old</i> barn&#x2014;caf\u00e9.<br/>"
    "Line two <![CDATA[<raw> & kept]]> end.<!-- note --> tail <?pi data?>after</p></body></html>"
).encode()


def slots(root: etree._Element):
    for index, node in enumerate(nodes(root)):
        if isinstance(node.tag, str):
            yield index, "text", node.text or ""
        yield index, "tail", node.tail or ""


def test_every_text_slot_maps_to_its_bytes():
    root = etree.fromstring(DOCUMENT)
    where = ByteMap(DOCUMENT)
    assert len(where.nodes) == len(nodes(root))
    checked = 0
    for index, kind, text in slots(root):
        if not text:
            continue
        written = DOCUMENT[where.position(index, kind, 0) : where.position(index, kind, len(text))].decode()
        written = written.replace("\r\n", "\n").replace("<![CDATA[", "").replace("]]>", "")
        assert html.unescape(written) == text, (index, kind)
        checked += 1
    assert checked >= 8


def test_positions_inside_text_count_characters_not_bytes():
    root = etree.fromstring(DOCUMENT)
    where = ByteMap(DOCUMENT)
    p = next(i for i, node in enumerate(nodes(root)) if node.tag.endswith("}p"))
    text = nodes(root)[p].text  # "Tom & Jerry ran ’round\nthe "
    assert DOCUMENT[where.position(p, "text", 6) :].startswith(b"Jerry")
    assert DOCUMENT[where.position(p, "text", text.index("round")) :].startswith(b"round\r\nthe")
    assert DOCUMENT[where.position(p, "text", text.index("the")) :].startswith(b"the <i>")  # after \r\n
    assert DOCUMENT[where.position(p, "text", text.index("\u2019")) :].startswith(b"&#8217;round")
    assert DOCUMENT[where.position(p, "text", text.index("\u2019") + 1) :].startswith(b"round")
    with pytest.raises(Unmappable):
        where.position(p, "text", len(text) + 1)


def test_splice_inserts_at_byte_positions_closing_tags_first():
    data = b"<p>one two</p>"
    assert splice(
        data, [(3, 3, 1, b"<span>"), (6, 6, 0, b"</span>"), (6, 6, 1, b"<span>"), (10, 10, 0, b"</span>")]
    ) == (b"<p><span>one</span><span> two</span></p>")
    assert splice(b"<a x='1' y='2'/>", [(8, 14, 0, b"")]) == b"<a x='1'/>"
    with pytest.raises(Unmappable):
        splice(data, [(3, 6, 0, b""), (4, 4, 0, b"x")])


def test_documents_not_in_utf8_are_not_mapped():
    with pytest.raises(Unmappable):
        ByteMap(b"<?xml version='1.0' encoding='iso-8859-1'?><p>caf\xe9</p>")
    with pytest.raises(Unmappable):
        ByteMap("<p>x</p>".encode("utf-16"))
