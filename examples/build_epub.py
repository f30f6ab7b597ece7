"""Build the example EPUB from its Markdown source, so both formats tell the same book.

python examples/build_epub.py   # writes examples/the-lamplighters-almanac.epub
"""

from pathlib import Path

import yaml
from ebooklib import epub
from markdown_it import MarkdownIt

HERE = Path(__file__).parent
SOURCE = HERE / "the-lamplighters-almanac.md"


def split_front_matter(text: str) -> tuple[dict, str]:
    _, header, body = text.split("---\n", 2)
    return yaml.safe_load(header), body


def chapters_of(body: str) -> list[tuple[str, str]]:
    """(title, markdown) per `# ` heading."""
    parts = body.split("\n# ")[1:]
    return [(part.split("\n", 1)[0].strip(), "# " + part) for part in parts]


def build() -> Path:
    meta, body = split_front_matter(SOURCE.read_text(encoding="utf-8"))
    book = epub.EpubBook()
    book.set_identifier("urn:uuid:6f0b3c2e-audiobook-tts-example-almanac")
    book.set_title(meta["title"])
    book.set_language(meta["language"])
    book.add_author(meta["author"])
    book.add_metadata("DC", "publisher", meta["publisher"])
    book.add_metadata("DC", "date", str(meta["date"]))
    book.add_metadata("DC", "description", meta["description"])
    book.set_cover("cover.jpg", (HERE / "cover.jpg").read_bytes())

    markdown = MarkdownIt()
    items = []
    for number, (title, text) in enumerate(chapters_of(body), start=1):
        html = markdown.render(text).replace("<hr>", "<hr/>")
        item = epub.EpubHtml(title=title, file_name=f"chapter{number}.xhtml", lang=meta["language"])
        item.content = f"<html><head><title>{title}</title></head><body>{html}</body></html>"
        book.add_item(item)
        items.append(item)

    book.toc = items
    book.spine = ["cover", "nav", *items]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    out = HERE / "the-lamplighters-almanac.epub"
    epub.write_epub(str(out), book)
    return out


if __name__ == "__main__":
    print(build())
