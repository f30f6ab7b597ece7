"""Front and back matter: which parts of a book a listener does not want read aloud, and why.

Sources, strongest first: EPUB 3 `epub:type` / DPUB-ARIA `role` on the content, EPUB 3 landmarks and
EPUB 2 guide entries, Project Gutenberg's boilerplate markup, then heuristics on titles and text.
Each rule returns a human reason; the chapter stays in the Book with included=False.
"""

from __future__ import annotations

import re

# semantic type -> (position, description). Generic "frontmatter"/"bodymatter" say nothing about the content.
_MATTER_TYPES: dict[str, tuple[str, str]] = {
    "cover": ("front", "cover"),
    "titlepage": ("front", "title page"),
    "title-page": ("front", "title page"),
    "halftitlepage": ("front", "half-title page"),
    "seriespage": ("front", "series page"),
    "copyright-page": ("front", "copyright page"),
    "copyright": ("front", "copyright page"),
    "imprint": ("front", "imprint"),
    "imprimatur": ("front", "imprimatur"),
    "toc": ("front", "table of contents"),
    "loi": ("front", "list of illustrations"),
    "lot": ("front", "list of tables"),
    "lof": ("front", "list of figures"),
    "landmarks": ("front", "landmarks"),
    "page-list": ("front", "page list"),
    "colophon": ("back", "colophon"),
    "index": ("back", "index"),
    "bibliography": ("back", "bibliography"),
    "acknowledgments": ("back", "acknowledgements"),
    "acknowledgements": ("back", "acknowledgements"),
    "footnotes": ("back", "notes"),
    "endnotes": ("back", "notes"),
    "rearnotes": ("back", "notes"),
    "glossary": ("back", "glossary"),
    "errata": ("back", "errata"),
    "other-credits": ("back", "credits"),
    "credits": ("back", "credits"),
}


def _semantic_types(value: str) -> list[str]:
    # "frontmatter copyright-page", "z3998:colophon", role "doc-colophon" -> bare names
    names = []
    for token in value.split():
        token = token.rsplit(":", 1)[-1].lower()
        names.append(token.removeprefix("doc-"))
    return names


def matter_from_semantics(epub_type: str | None, role: str | None) -> str | None:
    for attribute, value in (("epub:type", epub_type), ("role", role)):
        for name in _semantic_types(value or ""):
            if name in _MATTER_TYPES:
                position, description = _MATTER_TYPES[name]
                return f"{position} matter: {description} ({attribute}={name})"
    return None


def matter_from_landmark(kind: str, source: str) -> str | None:
    """A landmarks (EPUB 3) or guide (EPUB 2) entry; `source` names which, for the reason."""
    kind = kind.lower().rsplit(":", 1)[-1]
    if kind in ("title-page", "titlepage"):
        kind = "titlepage"
    if kind in _MATTER_TYPES:
        position, description = _MATTER_TYPES[kind]
        return f"{position} matter: {description} ({source} type={kind})"
    return None


GUTENBERG_HEADER = "front matter: Project Gutenberg header"
GUTENBERG_LICENCE = "back matter: Project Gutenberg licence"
TRANSCRIBERS_NOTE = "front matter: transcriber's note"


def matter_from_gutenberg_markup(element_id: str | None, classes: str | None) -> str | None:
    """Gutenberg's ebookmaker wraps its header and licence in div.pg-boilerplate#pg-header / #pg-footer."""
    if element_id == "pg-header":
        return GUTENBERG_HEADER
    if element_id == "pg-footer":
        return GUTENBERG_LICENCE
    if classes and "pg-boilerplate" in classes.split():
        return GUTENBERG_HEADER if "pgheader" in classes.split() else GUTENBERG_LICENCE
    if classes and re.search(r"\btrans(criber)?-?notes?\b|\btnote\b", classes, re.I):
        return TRANSCRIBERS_NOTE
    return None


_TITLE_RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^(table of )?contents\.?$|^brief contents$", re.I),
        "front matter: table of contents (title)",
    ),
    (re.compile(r"^copyright( page)?\.?$", re.I), "front matter: copyright page (title)"),
    (re.compile(r"^title ?page$", re.I), "front matter: title page (title)"),
    # the ebook's terms, not the author's words: L'esclavage des Noirs (thaddeus002/L_heureux_naufrage) opened
    # with "Licence. Cette œuvre est publiée sous la licence CC-BY-SA ..."
    (re.compile(r"^(licen[cs]e|licencia|licença|licenza|lizenz)\.?$", re.I), "front matter: licence (title)"),
    (
        re.compile(r"^(list of )?(illustrations|plates|figures|maps|tables)\.?$", re.I),
        "front matter: list of illustrations (title)",
    ),
    (re.compile(r"^cover$", re.I), "front matter: cover (title)"),
    (re.compile(r"^index\.?$", re.I), "back matter: index (title)"),
    (re.compile(r"^colophon\.?$", re.I), "back matter: colophon (title)"),
    # a student's edition's word list: El sombrero de tres picos (Gutenberg 29506) read its "VOCABULARY",
    # 31,703 words of "atreverse, v. refl., to dare", for four hours after the novel
    (
        re.compile(
            r"^(vocabulary|glossary|vocabulaire|glossaire|lexique|vocabulario|glosario|vocabolario|glossario|"
            r"glossar|wörterverzeichnis)\.?$",
            re.I,
        ),
        "back matter: glossary (title)",
    ),
    (re.compile(r".*project gutenberg.*licen[cs]e", re.I), GUTENBERG_LICENCE),
    (
        re.compile(r"^(transcriber[’']?s? notes?|notes? del trascrittore|notes? du transcripteur)\.?$", re.I),
        TRANSCRIBERS_NOTE + " (title)",
    ),
    # not the author's words: "Editor’s Introduction" (13,000 words before The Wealth of Nations)
    (
        re.compile(
            r"^(editor|translator|publisher)s?[’']?s?[’']? (introduction|preface|foreword|note)\.?$", re.I
        ),
        "front matter: an editor's or translator's introduction (title)",
    ),
]

_COPYRIGHT_TEXT = re.compile(r"all rights reserved|\bISBN\b|©|\(c\) \d{4}|copyright \d{4}", re.I)
_GUTENBERG_TEXT = re.compile(r"\*\*\* ?(START|END) OF (THE|THIS) PROJECT GUTENBERG", re.I)


def matter_from_title(title: str) -> str | None:
    for pattern, reason in _TITLE_RULES:
        if pattern.match(title.strip()):
            return reason
    return None


def gutenberg_marker(text: str) -> str | None:
    """The boilerplate a Project Gutenberg marker in the text bounds: its header (START) or licence (END)."""
    marker = _GUTENBERG_TEXT.search(text)
    if marker is None:
        return None
    return GUTENBERG_HEADER if marker[1].upper() == "START" else GUTENBERG_LICENCE


def matter_from_text(text: str) -> str | None:
    """Heuristics on a chapter's whole text: a Gutenberg marker in any chapter (one holding real text beside
    the marker was split first, see chapters.split_matter), a copyright notice in a short one."""
    if reason := gutenberg_marker(text):
        return reason
    if len(text.split()) < 300 and _COPYRIGHT_TEXT.search(text):
        return "front matter: copyright page (copyright notice in the text)"
    return None


# "with a Preface by George Saintsbury", "Introduction by G. K. Chesterton": a writer other than the author
_CREDIT = re.compile(
    r"\b(?i:(preface|introduction|foreword))\s+by\s+((?:(?!(?:AND|WITH|BY)\b)[A-Z][\w.’'-]*\s*){1,4})"
)
_NAME_WORD = re.compile(r"[^\W\d_]{3,}")


def credited_openings(text: str, authors: list[str]) -> dict[str, str]:
    """{"preface": "George Saintsbury"} from a title page's "with a Preface by George Saintsbury": a preface,
    introduction or foreword the book says another hand wrote (never "by the Author", nor by a name of the
    book's authors)."""
    own = {word.casefold() for author in authors for word in _NAME_WORD.findall(author)}
    credits: dict[str, str] = {}
    for kind, name in _CREDIT.findall(text):
        words = {word.casefold() for word in _NAME_WORD.findall(name)}
        if words and not words & own and "author" not in words:
            credits.setdefault(kind.casefold(), name.strip())
    return credits


def matter_from_credit(title: str, credits: dict[str, str]) -> str | None:
    """A chapter titled only "Preface", "Introduction" or "Foreword" that the title page credits to another
    hand ("Introduction and Plan of the Work" is no such title)."""
    opening = re.fullmatch(r"(?i)(preface|introduction|foreword)\.?", title.strip())
    name = credits.get(opening[1].casefold()) if opening else None
    if opening is None or name is None:
        return None
    return f"front matter: {opening[1].casefold()} by {name} (credited on the title page)"


def title_for_reason(reason: str) -> str:
    """Title for a split-off piece of matter: 'back matter: colophon (epub:type=...)' -> 'Colophon'."""
    description = reason.split(":", 1)[-1].split("(")[0].strip()
    return description[:1].upper() + description[1:]
