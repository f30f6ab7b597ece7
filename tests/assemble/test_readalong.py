"""Read-along EPUB 3: spans around spoken sentences, SMIL clips from the audio's timings, epubcheck clean."""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import zipfile
from fractions import Fraction
from functools import partial
from pathlib import Path

import pytest
from lxml import etree

from audiobook_tts.assemble import AssembleOptions, AudioPiece, ChapterAudio, assemble
from audiobook_tts.assemble.readalong import ACTIVE_CLASS, ReadAlongSource
from audiobook_tts.assemble.subtitles import SentenceTiming
from audiobook_tts.assemble.tags import book_tags
from audiobook_tts.ingest import load_book
from audiobook_tts.text import TextOptions, prepare_chapter
from audiobook_tts.text.chapter import normalized_words
from audiobook_tts.text.sentences import split_sentences
from tests.fixtures.audio import SAMPLE_RATE, decode, ffmetadata_chapters, speech_like

DATA = Path(__file__).parent.parent / "data"
EPUBCHECK = Path("/usr/bin/epubcheck")
SMIL = "{http://www.w3.org/ns/SMIL}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def words(text: str) -> int:
    return len(text.split())


def spoken_chapters(book) -> tuple[list, list[ChapterAudio]]:
    """The chapters a render reads, as the text stage segments them, each segment a short burst of sound."""
    read = [chapter for chapter in book.chapters if chapter.included]
    audio = []
    for number, chapter in enumerate(read):
        segments = prepare_chapter(chapter, words, TextOptions())

        def pieces(segments=segments, number=number):
            for index, segment in enumerate(segments):
                seconds = 0.3 + 0.06 * words(segment.text)
                yield AudioPiece(speech_like(seconds, 0.3, number * 1000 + index), segment.text)
                yield AudioPiece.silence(segment.pause_after, SAMPLE_RATE)

        audio.append(ChapterAudio(chapter.title, pieces))
    return read, audio


def make_readalong(
    book_path: Path, out: Path, formats=frozenset({"m4b", "epub"}), chapters: int | None = None
):
    """The read-along EPUB (and `formats`) of the book's first `chapters` chapters (all by default)."""
    book = load_book(book_path)
    read, audio = spoken_chapters(book)
    read, audio = read[:chapters], audio[:chapters]
    result = assemble(
        audio,
        book_tags(book.metadata, narrator="Alba"),
        out,
        AssembleOptions(formats=formats, subtitles=("srt",)),
        SAMPLE_RATE,
        sentences=SentenceTiming(split_sentences, words),
        readalong=ReadAlongSource(
            book, book_path, read, partial(normalized_words, options=TextOptions(), heading=False)
        ),
    )
    return book, read, result


def epubcheck(path: Path) -> str:
    """epubcheck's report; Debian installs it as a jar, run through java when it cannot be run directly."""
    if not EPUBCHECK.exists():
        pytest.skip("epubcheck is not installed (Debian package epubcheck; .ci/run installs it)")
    command = [str(EPUBCHECK)]
    if EPUBCHECK.resolve().suffix == ".jar":
        java = shutil.which("java")
        if java is None:
            pytest.skip("epubcheck is a jar here and no java runtime is installed")
        command = [java, "-jar", str(EPUBCHECK)]
    run = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout + run.stderr


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    out = tmp_path_factory.mktemp("readalong")
    book, read, result = make_readalong(DATA / "trees.epub", out)
    return out, book, read, result, zipfile.ZipFile(out / "Trees.epub")


def clock(value: str) -> Fraction:
    assert value.endswith("s")
    return Fraction(value[:-1])


def overlays(archive: zipfile.ZipFile) -> dict[str, etree._Element]:
    return {
        name: etree.fromstring(archive.read(name)) for name in archive.namelist() if name.endswith(".smil")
    }


def test_epubcheck_passes(trees):
    out, *_ = trees
    report = epubcheck(out / "Trees.epub")
    assert "0 fatals / 0 errors / 0 warnings" in report


def test_package_declares_overlays_durations_and_active_class(trees):
    *_, archive = trees
    assert (
        archive.namelist()[0] == "mimetype"
        and archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    )
    opf = etree.fromstring(archive.read("EPUB/package.opf"))
    ns = {"opf": "http://www.idpf.org/2007/opf"}
    items = {item.get("href"): item for item in opf.iterfind(".//opf:item", ns)}
    assert items["c1.xhtml"].get("media-overlay") and items["c2.xhtml"].get("media-overlay")
    assert items["titlepage.xhtml"].get("media-overlay") is None  # front matter: no overlay
    assert {items[h].get("media-type") for h in items if h.endswith(".m4a")} == {"audio/mp4"}
    metas = {(m.get("property"), m.get("refines")): m.text for m in opf.iterfind(".//opf:meta", ns)}
    assert metas[("media:active-class", None)] == ACTIVE_CLASS
    assert metas[("media:narrator", None)] == "Alba"
    assert re.fullmatch(r"0:0\d:\d\d\.\d{3}", metas[("media:duration", None)])
    assert ("media:duration", f"#{items['c1.xhtml'].get('media-overlay')}") in metas


def test_front_matter_and_other_files_are_untouched(trees):
    *_, archive = trees
    with zipfile.ZipFile(DATA / "trees.epub") as source:
        for name in ("EPUB/titlepage.xhtml", "EPUB/cover.jpg", "EPUB/script/tree.js", "EPUB/style.css"):
            assert archive.read(name) == source.read(name), name


def test_markup_is_the_publishers_plus_spans(trees):
    """Take our spans and stylesheet link out again: what is left is the source document (canonical XML)."""
    *_, archive = trees
    with zipfile.ZipFile(DATA / "trees.epub") as source:
        for name in ("EPUB/c1.xhtml", "EPUB/c2.xhtml"):
            ours = etree.fromstring(archive.read(name))
            spans = [e for e in ours.iter(f"{XHTML}span") if (e.get("id") or "").startswith("ra")]
            assert len(spans) > 5
            for link in ours.iter(f"{XHTML}link"):
                if link.get("href") == "readalong.css":
                    link.getparent().remove(link)
            etree.strip_tags(ours, f"{XHTML}span")
            original = etree.fromstring(source.read(name))
            etree.strip_tags(original, f"{XHTML}span")
            assert etree.tostring(ours, method="c14n") == etree.tostring(original, method="c14n")


def assert_source_plus_spans(ours: bytes, source: bytes, name: str) -> None:
    """`ours` is `source` with span tags (one </span> per <span id="ra…">) and our stylesheet link inserted,
    and not one other byte changed."""
    opened = len(re.findall(rb'<span id="ra\d+-\d+">', ours))
    assert ours.count(b"</span>") - source.count(b"</span>") == opened, name
    link = re.compile(rb'<link rel="stylesheet" type="text/css" href="(\.\./)?readalong\.css"/>')
    ours_tags = re.compile(rb'<span id="ra\d+-\d+">|</span>')
    assert ours_tags.sub(b"", link.sub(b"", ours)) == ours_tags.sub(b"", source), name


def test_documents_read_aloud_keep_every_byte_but_the_spans(trees):
    *_, archive = trees
    with zipfile.ZipFile(DATA / "trees.epub") as source:
        for name in ("EPUB/c1.xhtml", "EPUB/c2.xhtml"):
            assert_source_plus_spans(archive.read(name), source.read(name), name)


def test_every_clip_points_at_a_span_reading_its_sentence(trees):
    out, book, read, result, archive = trees
    for smil_name, smil in overlays(archive).items():
        pars = list(smil.iter(f"{SMIL}par"))
        assert pars
        for par in pars:
            text, audio = par.find(f"{SMIL}text"), par.find(f"{SMIL}audio")
            doc, _, span_id = text.get("src").partition("#")
            doc_path = posixpath_join(smil_name, doc)
            root = etree.fromstring(archive.read(doc_path))
            span = next(e for e in root.iter() if e.get("id") == span_id)
            assert "".join(span.itertext()).strip()
            assert archive.read(posixpath_join(smil_name, audio.get("src")))[4:8] == b"ftyp"
            assert clock(audio.get("clipBegin")) < clock(audio.get("clipEnd"))
    assert not [w for w in result.warnings if "read-along" in w]  # every sentence of trees is highlighted


def posixpath_join(smil_name: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(smil_name), href))


def test_clips_subtitles_and_chapter_marks_agree(trees, ffmpeg):
    """SMIL clips (per chapter file), SRT cues (whole book) and the M4B's marks tell the same time, and every
    segment boundary is a clip boundary to the millisecond (the sample, rounded as SMIL writes it)."""
    out, book, read, result, archive = trees
    marks = [
        start * Fraction(timebase) for timebase, start, _, _ in ffmetadata_chapters(ffmpeg, out / "Trees.m4b")
    ]
    assert marks == [Fraction(start, SAMPLE_RATE) for start in result.chapter_starts]
    srt = (out / "Trees.srt").read_text()
    srt_starts = [
        sum(
            Fraction(x) * unit
            for x, unit in zip(re.split("[:,]", stamp), (3600, 60, 1, Fraction(1, 1000)), strict=True)
        )
        for stamp in re.findall(r"^(\d\d:\d\d:\d\d,\d{3}) -->", srt, re.M)
    ]
    smils = sorted(overlays(archive).items())
    clip_starts = []
    for chapter, (_, smil) in enumerate(smils):
        seq_clips = [(clock(a.get("clipBegin")), clock(a.get("clipEnd"))) for a in smil.iter(f"{SMIL}audio")]
        clip_starts += [marks[chapter] + begin for begin, _ in seq_clips]
        boundaries = {t for clip in seq_clips for t in clip}
        for cue in result.segment_cues[chapter]:
            for sample in (cue.start, cue.end):
                assert min(abs(t - Fraction(sample, SAMPLE_RATE)) for t in boundaries) <= Fraction(1, 2000)
        audio = archive.read(f"EPUB/audio/chapter{chapter + 1:03d}.m4a")
        path = out / f"chapter{chapter}.m4a"
        path.write_bytes(audio)
        ends = [*result.chapter_starts[1:], result.total_samples]
        # the chapter's own samples (up to one AAC frame of padding where the decoder ignores the edit list)
        assert 0 <= len(decode(ffmpeg, path)) - (ends[chapter] - result.chapter_starts[chapter]) <= 1024
    # every sentence clip starts a caption (long sentences are split into more captions than clips)
    assert len(srt_starts) >= len(clip_starts) >= sum(len(cues) for cues in result.segment_cues)
    assert all(min(abs(start - t) for t in srt_starts) <= Fraction(1, 1000) for start in clip_starts)


def test_a_chapter_read_on_into_another_document_is_highlighted_in_both(tmp_path):
    """Crime and Punishment: "Part I", a document holding only its heading, is read with chapter I, a
    document of its own, as one chapter (ingest's join_title_only_chapters). Each document's overlay
    highlights its own text, both with clips from that chapter's one audio file, in reading order; the
    overlays' durations still add up to the book's; epubcheck passes."""
    from tests.fixtures.epub import write_epub
    from tests.ingest.test_chapter_detection import CRIME_OPENING, crime_and_punishment_files

    source = write_epub(tmp_path / "crime.epub", crime_and_punishment_files())
    _, read, result = make_readalong(source, tmp_path / "out", formats=frozenset({"epub"}))
    assert [chapter.listed_title for chapter in read] == ["Part I: I", "Part I: II"]
    assert not [w for w in result.warnings if "read-along" in w]  # every sentence is highlighted
    epub = tmp_path / "out" / f"{result.files[0].stem}.epub"
    ns = {"opf": "http://www.idpf.org/2007/opf"}
    with zipfile.ZipFile(epub) as archive:
        opf = etree.fromstring(archive.read("OEBPS/content.opf"))
        items = {item.get("id"): item for item in opf.iterfind(".//opf:item", ns)}
        durations = {
            m.get("refines"): m.text for m in opf.iterfind(".//opf:meta[@property='media:duration']", ns)
        }
        heard = {}  # document -> [(highlighted text, audio file, clip begin, clip end)]
        for name in ("part-1.xhtml", "chapter-1-1.xhtml", "chapter-1-2.xhtml"):
            item = next(i for i in items.values() if i.get("href") == name)
            smil_href = items[item.get("media-overlay")].get("href")
            smil = etree.fromstring(archive.read(f"OEBPS/{smil_href}"))
            document = etree.fromstring(archive.read(f"OEBPS/{name}"))
            spans = {e.get("id"): "".join(e.itertext()) for e in document.iter(f"{XHTML}span")}
            heard[name] = []
            for par in smil.iter(f"{SMIL}par"):
                doc, _, span_id = par.find(f"{SMIL}text").get("src").partition("#")
                audio = par.find(f"{SMIL}audio")
                assert posixpath_join(f"OEBPS/{smil_href}", doc) == f"OEBPS/{name}"
                heard[name].append(
                    (
                        spans[span_id],
                        posixpath.basename(audio.get("src")),
                        clock(audio.get("clipBegin")),
                        clock(audio.get("clipEnd")),
                    )
                )
    assert [(text, audio) for text, audio, *_ in heard["part-1.xhtml"]] == [("Part I", "chapter001.m4a")]
    assert [(text, audio) for text, audio, *_ in heard["chapter-1-1.xhtml"]] == [
        ("I", "chapter001.m4a"),
        (CRIME_OPENING, "chapter001.m4a"),
    ]
    assert {audio for _, audio, *_ in heard["chapter-1-2.xhtml"]} == {"chapter002.m4a"}
    chapter_one = [*heard["part-1.xhtml"], *heard["chapter-1-1.xhtml"]]  # in reading order
    assert all(a[3] <= b[2] for a, b in zip(chapter_one, chapter_one[1:], strict=False))
    # the part's overlay lasts until the chapter's text begins; the overlays add up to the book
    seconds = {
        refines: sum(
            Fraction(part) * unit for part, unit in zip(value.split(":"), (3600, 60, 1), strict=True)
        )
        for refines, value in durations.items()
    }
    part_overlay = next(i for i in items.values() if i.get("href") == "part-1.xhtml").get("media-overlay")
    assert abs(seconds[f"#{part_overlay}"] - heard["chapter-1-1.xhtml"][0][2]) <= Fraction(1, 1000)
    assert abs(seconds[None] - sum(v for k, v in seconds.items() if k)) <= Fraction(3, 1000)
    epubcheck(epub)


def test_markdown_becomes_an_epub3_with_overlays(tmp_path):
    source = tmp_path / "story.md"
    source.write_text(
        "# A Small Story\n\nThe cat sat on the mat. It was 1865 and warm.\n\n"
        "# The End\n\nThen the cat slept. *Nothing* else happened!\n",
        encoding="utf-8",
    )
    _, read, result = make_readalong(source, tmp_path / "out", formats=frozenset({"epub"}))
    epub = tmp_path / "out" / f"{result.files[0].stem}.epub"
    assert epub in result.files and not list((tmp_path / "out").glob("*.m4b"))
    with zipfile.ZipFile(epub) as archive:
        names = archive.namelist()
        assert sum(name.endswith(".smil") for name in names) == len(read) == 2
        chapter = etree.fromstring(archive.read("EPUB/text/chapter001.xhtml"))
        spans = {e.get("id"): "".join(e.itertext()) for e in chapter.iter(f"{XHTML}span")}
        assert list(spans.values()) == ["A Small Story", "The cat sat on the mat.", "It was 1865 and warm."]
    epubcheck(epub)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STEP_THROUGH = """({clips, active}) => clips.map((clip, index) => {
    const span = document.getElementById(clip.id);
    if (!span) return {id: clip.id, found: false};
    span.scrollIntoView({block: "center"});
    const box = span.getBoundingClientRect();
    const style = getComputedStyle(span);
    span.classList.add(active);
    const lit = getComputedStyle(span).backgroundColor;
    if (index !== clips.length - 1) span.classList.remove(active);
    return {id: clip.id, found: true, width: box.width, height: box.height, visibility: style.visibility,
            display: style.display, text: span.textContent.trim(), lit: lit};
})"""


def test_a_browser_steps_through_the_first_chapter(trees, tmp_path):
    """Headless Chromium opens the first chapter's XHTML; our script walks its SMIL clips in order, checks
    each span exists and is visible, lights it with the active class; a screenshot keeps the last one lit."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (Debian package chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    out, *_, archive = trees
    unpacked = tmp_path / "book"
    archive.extractall(unpacked)
    opf = etree.parse(str(unpacked / "EPUB/package.opf"))
    ns = {"opf": "http://www.idpf.org/2007/opf"}
    items = {item.get("id"): item for item in opf.iterfind(".//opf:item", ns)}
    first = next(
        items[ref.get("idref")]
        for ref in opf.iterfind(".//opf:itemref", ns)
        if items[ref.get("idref")].get("media-overlay")
    )
    smil_path = unpacked / "EPUB" / items[first.get("media-overlay")].get("href")
    clips = [
        {
            "id": par.find(f"{SMIL}text").get("src").partition("#")[2],
            "begin": float(clock(par.find(f"{SMIL}audio").get("clipBegin"))),
        }
        for par in etree.parse(str(smil_path)).iter(f"{SMIL}par")
    ]
    assert len(clips) > 5
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 700})
            page.goto((unpacked / "EPUB" / first.get("href")).as_uri())
            steps = page.evaluate(STEP_THROUGH, {"clips": clips, "active": ACTIVE_CLASS})
            screenshot = tmp_path / "readalong-active.png"
            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    assert [step["id"] for step in steps] == [clip["id"] for clip in clips]
    for step in steps:
        assert step["found"], step["id"]
        assert step["width"] > 0 and step["height"] > 0 and step["visibility"] == "visible", step
        assert step["display"] != "none" and step["text"], step
        assert step["lit"] == "rgb(255, 230, 128)", step  # the overlay's active class reaches the span
    assert screenshot.stat().st_size > 5000
    print(f"screenshot: {screenshot}")
