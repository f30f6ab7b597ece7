"""`audiobook-tts inspect BOOK` on real corpus books, with the session tokenizer and with the estimate."""

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from audiobook_tts.cli import app
from tests.fixtures.shared import CORPUS

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def inspect_json(*args: str) -> dict:
    result = runner.invoke(app, ["inspect", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_summary_with_the_models_tokenizer(tokenizer_files):
    out = inspect_json(str(CORPUS / "alice-gutenberg-pg11.epub"), "--tokenizer", str(tokenizer_files[0]))
    assert out["title"].startswith("Alice")
    assert out["token_counter"] == f"tokenizer {tokenizer_files[0]}"
    chapters = out["chapters"]
    read = [c for c in chapters if c["included"]]
    assert len(read) == 12 and read[0]["title"].startswith("CHAPTER I")
    assert all(0 < c["max_tokens_used"] <= 50 for c in read)
    assert all(c["excluded_reason"] for c in chapters if not c["included"])
    assert out["words"] == sum(c["words"] for c in read) > 25_000
    # About 27,000 words at 155 a minute is close to three hours, plus the pauses.
    assert 2.8 * 3600 < out["seconds"] < 3.6 * 3600


def test_segments_in_json_are_what_will_be_spoken(tokenizer_files):
    out = inspect_json(str(CORPUS / "trees.epub"), "--segments", "--tokenizer", str(tokenizer_files[0]))
    first = next(c for c in out["chapters"] if c["included"])
    assert first["segment_list"][0] == {
        "text": "Classification.",
        "pause_after": 1.2,
        "block_index": 0,
        "kind": "title",
    }
    assert len(first["segment_list"]) == first["segments"]
    assert first["segment_list"][-1]["pause_after"] == 2.5


def test_front_matter_option_reads_it(tokenizer_files):
    args = [str(CORPUS / "trees.epub"), "--tokenizer", str(tokenizer_files[0])]
    default = inspect_json(*args)
    with_front = inspect_json(*args, "--include-front-matter")
    assert with_front["included_chapters"] > default["included_chapters"]
    assert with_front["words"] > default["words"]


def test_table_and_segments(tokenizer_files):
    result = runner.invoke(
        app, ["inspect", str(CORPUS / "wasteland.epub"), "--segments", "--tokenizer", str(tokenizer_files[0])]
    )
    assert result.exit_code == 0, result.output
    assert "The Waste Land" in result.stdout
    assert "no: back matter" in result.stdout
    assert "April is the cruellest month, breeding, Lilacs" in result.stdout  # verse lines packed
    # into a file or a pipe, a segment is one line, whatever its length (grep finds it whole)
    whole = "Lilacs out of the dead land, mixing, Memory and desire, stirring."
    assert any(line.endswith(whole) and "48t April is" in line for line in result.stdout.splitlines())
    assert "0.40s" in result.stdout  # a verse line's pause


def test_estimate_when_the_model_tokenizer_is_unavailable():
    # The session's HF cache is empty and offline: the default model's tokenizer cannot be had.
    result = runner.invoke(app, ["inspect", str(CORPUS / "trees.epub"), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["token_counter"].startswith("estimated token counts")
    assert out["segments"] > 0


def test_bad_input_is_one_line_and_exit_1(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    missing = subprocess.run(
        [sys.executable, "-m", "audiobook_tts.cli", "inspect", str(tmp_path / "nope.epub")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and missing.stderr.startswith("error: ")
    assert "nope.epub" in missing.stderr
    bad_notes = runner.invoke(app, ["inspect", str(CORPUS / "trees.epub"), "--notes", "sideways"])
    assert bad_notes.exit_code == 1
    assert "--notes must be drop, inline or chapter_end" in bad_notes.output


TABLE_BOOK = """<html lang="en"><body><h1>One</h1><p>The prices in 1960 were these.</p>
<table><tr><th>Item</th><th>Price</th></tr><tr><td>Bread</td><td>2 pence</td></tr></table>
<pre><code>print(1)
print(2)</code></pre><p>Nel 1960 era così.</p></body></html>"""


def write_book(tmp_path, text: str, name: str = "book.html") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def spoken_texts(out: dict) -> list[str]:
    return [s["text"] for c in out["chapters"] if c["included"] for s in c["segment_list"]]


def test_tables_and_code_options_and_what_was_not_read(tmp_path, tokenizer_files):
    book = write_book(tmp_path, TABLE_BOOK)
    tok = ["--tokenizer", str(tokenizer_files[0]), "--segments"]
    out = inspect_json(book, *tok)
    assert "Item: Bread; Price: two pence." in spoken_texts(out)
    assert "Code example: two lines, not read." in spoken_texts(out)
    assert out["chapters"][0]["omissions"] == ["code block, 2 lines: announced"]
    assert "1 code block announced, not read (inspect lists them by chapter)" in out["warnings"]
    out = inspect_json(book, *tok, "--tables", "announce", "--code", "skip")
    assert "Table, one row, not read." in spoken_texts(out)
    assert not any("print" in text or "Code" in text for text in spoken_texts(out))
    assert out["chapters"][0]["omissions"] == ["table, 1 row: announced", "code block, 2 lines: skipped"]
    result = runner.invoke(app, ["inspect", book, *tok, "--tables", "skip"])
    assert result.exit_code == 0, result.output
    assert "Announced or skipped instead of read:" in result.stdout
    assert "1. One: 1 table skipped; 1 code block announced" in result.stdout


def test_a_bad_table_or_code_mode_is_one_line(tmp_path):
    for option, value in (("--tables", "loud"), ("--code", "sing")):
        result = runner.invoke(app, ["inspect", write_book(tmp_path, TABLE_BOOK), option, value])
        assert result.exit_code == 1
        assert result.output.strip().splitlines()[-1].startswith(f"error: {option} must be")


def test_the_language_follows_the_option_then_the_model_then_the_book(tmp_path, tokenizer_files):
    book = write_book(tmp_path, TABLE_BOOK)
    tok = ["--tokenizer", str(tokenizer_files[0]), "--segments"]
    assert "The prices in nineteen sixty were these." in spoken_texts(inspect_json(book, *tok))
    italian = spoken_texts(inspect_json(book, *tok, "--language", "it"))
    assert "Nel millenovecentosessanta era così." in italian
    out = inspect_json(book, "--segments", "--model", "italian")  # no tokenizer offline: estimated counts
    assert "Nel millenovecentosessanta era così." in spoken_texts(out)
    assert any("the book is in 'en' but the model speaks 'it'" in w for w in out["warnings"])


def test_text_in_a_script_the_model_cannot_read_is_a_warning(tmp_path, tokenizer_files):
    text = "第一回　开始\n\n此开卷第一回也。作者自云：因曾历过一番梦幻之后。\n"
    book = write_book(tmp_path, text, "hong.txt")
    result = runner.invoke(app, ["inspect", book, "--tokenizer", str(tokenizer_files[0])])
    assert result.exit_code == 0, result.output
    assert "letters in CJK (Chinese/Japanese) script, which the model cannot read" in result.output


def test_a_numbered_section_is_listed_with_its_parents_title_and_read_by_its_heading(
    tmp_path, tokenizer_files
):
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    prose = (
        "It was a dark and stormy night, and the rain fell in torrents over the town. " * 20
    )  # a long part
    files = {
        "OEBPS/content.opf": opf(["scandal.xhtml"]),
        "OEBPS/nav.xhtml": nav(
            '<li><a href="scandal.xhtml">A Scandal in Bohemia</a><ol>'
            '<li><a href="scandal.xhtml#s1">I</a></li><li><a href="scandal.xhtml#s2">II</a></li></ol></li>'
        ),
        "OEBPS/scandal.xhtml": xhtml(
            f'<h2>A Scandal in Bohemia</h2><p>{prose}</p><section id="s1"><h3>I</h3><p>{prose}</p></section>'
            f'<section id="s2"><h3>II</h3><p>{prose}</p></section>'
        ),
    }
    book = write_epub(tmp_path / "stories.epub", files)
    out = inspect_json(str(book), "--segments", "--tokenizer", str(tokenizer_files[0]))
    read = [c for c in out["chapters"] if c["included"]]
    story = "A Scandal in Bohemia"
    assert [c["title"] for c in read] == [story, f"{story}: I", f"{story}: II"]
    assert read[1]["segment_list"][0]["kind"] == "title"
    assert "Scandal" not in read[1]["segment_list"][0]["text"]  # the book's own heading is what is read
