"""Where each node of an XML document sits in its bytes, so that an edit (a span inserted, an attribute
dropped) changes those bytes only and every other byte stays as the publisher wrote it.

lxml gives the tree but no offsets; expat reports the byte index of every event. Both see the same nodes in
document order (elements, comments, processing instructions), so the n-th node of `root.iter()` is the n-th
node expat reports. Anything the two disagree on raises Unmappable, and the caller falls back to writing
the tree out with lxml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

from lxml import etree


class Unmappable(Exception):
    """The document's bytes cannot be matched node for node with its tree."""


@dataclass
class _Run:
    """One piece of character data as expat reported it: literal text, or one reference (`&amp;`)."""

    offset: int  # in characters, from the start of its slot
    start: int  # in bytes
    length: int  # in characters
    literal: str | None  # None for a reference
    end: int = -1  # in bytes: where the next event starts


@dataclass
class NodeBytes:
    start: int  # where the start tag (or the comment, the processing instruction) begins
    text_start: int = -1  # just after the start tag: where element.text begins
    end_tag: int = -1  # where the end tag begins
    tail_start: int = -1  # just after the node: where its tail begins
    text: list[_Run] = field(default_factory=list)
    tail: list[_Run] = field(default_factory=list)


_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class ByteMap:
    """The byte positions of a document's nodes, indexed as `list(root.iter())` of its lxml tree."""

    def __init__(self, data: bytes):
        declared = _ENCODING.match(data)
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
            raise Unmappable("only UTF-8 documents are mapped")
        if data.startswith((b"\xfe\xff", b"\xff\xfe")):
            raise Unmappable("only UTF-8 documents are mapped")
        self.data = data
        self.nodes: list[NodeBytes] = []
        self._open: list[NodeBytes] = []
        self._slot: list[_Run] | None = None
        self._close: tuple[object, str] | None = None  # what the next event's index ends
        parser = expat.ParserCreate()
        self._parser = parser
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        parser.CommentHandler = self._leaf
        parser.ProcessingInstructionHandler = self._leaf
        parser.SkippedEntityHandler = self._leaf
        parser.StartCdataSectionHandler = self._marker
        parser.EndCdataSectionHandler = self._marker
        parser.DefaultHandlerExpand = self._marker
        try:
            parser.Parse(data, True)
        except expat.ExpatError as error:
            raise Unmappable(str(error)) from None

    def _mark(self) -> int:
        index = self._parser.CurrentByteIndex
        if self._close is not None:
            target, name = self._close
            setattr(target, name, index)
            self._close = None
        return index

    def _start(self, *_: object) -> None:
        node = NodeBytes(self._mark())
        self.nodes.append(node)
        self._open.append(node)
        self._slot, self._close = node.text, (node, "text_start")

    def _end(self, *_: object) -> None:
        index = self._mark()
        node = self._open.pop()
        node.end_tag = index
        self._slot, self._close = node.tail, (node, "tail_start")

    def _leaf(self, *_: object) -> None:
        index = self._mark()
        if not self._open:
            return  # before or after the root: not in root.iter()
        node = NodeBytes(index, text_start=index, end_tag=index)
        self.nodes.append(node)
        self._slot, self._close = node.tail, (node, "tail_start")

    def _marker(self, *_: object) -> None:
        self._mark()

    def _characters(self, text: str) -> None:
        index = self._mark()
        if self._slot is None:
            return
        offset = sum(run.length for run in self._slot)
        literal = None if self.data[index : index + 1] == b"&" else text
        run = _Run(offset, index, len(text), literal)
        self._slot.append(run)
        self._close = (run, "end")

    def position(self, node: int, kind: str, offset: int) -> int:
        """The byte where character `offset` of node `node`'s text (kind "text") or tail ("tail") is."""
        where = self.nodes[node]
        runs, base = (where.text, where.text_start) if kind == "text" else (where.tail, where.tail_start)
        if offset == 0:
            return base
        for run in runs:
            if run.offset <= offset < run.offset + run.length:
                if offset == run.offset:
                    return run.start
                if run.literal is None:
                    raise Unmappable("a position inside a character reference")
                return run.start + _byte_offset(
                    self.data[run.start : run.end], run.literal, offset - run.offset
                )
        if runs and offset == runs[-1].offset + runs[-1].length:
            return runs[-1].end
        raise Unmappable(f"offset {offset} is past the text")


def _byte_offset(source: bytes, text: str, offset: int) -> int:
    """Where character `offset` of `text` is in `source`, the bytes it was read from: the same characters,
    except that XML reads a line end written \\r\\n (or \\r) as \\n."""
    written = source.decode("utf-8")
    if written.replace("\r\n", "\n").replace("\r", "\n") != text:
        raise Unmappable("text that is not the characters of its bytes")
    index = 0
    for _ in range(offset):
        index += 2 if written.startswith("\r\n", index) else 1
    return len(written[:index].encode("utf-8"))


def splice(data: bytes, edits: list[tuple[int, int, int, bytes]]) -> bytes:
    """`data` with each (start, end, order, replacement) applied; `order` sorts edits at one position."""
    pieces, at = [], 0
    for start, end, _, replacement in sorted(edits, key=lambda edit: (edit[0], edit[2])):
        if start < at:
            raise Unmappable("overlapping edits")
        pieces += [data[at:start], replacement]
        at = end
    pieces.append(data[at:])
    return b"".join(pieces)


def nodes(root: etree._Element) -> list[etree._Element]:
    """The tree's nodes in the order ByteMap indexes them (the list also keeps lxml's proxies alive)."""
    return list(root.iter())
