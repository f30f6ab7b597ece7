"""Any text at all: prepare_chapter never crashes, never exceeds the budget with more than one word, never
emits an empty segment. Seeded random chapters built from characters and constructs that trip normalisers."""

import random

import pytest

from audiobook_tts.ingest.book import Block, Chapter
from audiobook_tts.text import TextError, TextOptions, prepare_chapter

POOL = list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIVXLCM  0123456789 .,;:!?…'\"“”‘’()[]—–-/&%$£€°#@*_\n\t")
POOL += list("\u00ad\u200b\ufb01½²′″−")
POOL += [
    "Mr. ",
    "St. ",
    "Dr. ",
    "e.g. ",
    "[pause]",
    "[pause:1s]",
    "[pause:strong]",
    "http://x.y/z ",
    "a@b.co ",
]
POOL += ["Henry VIII ", "CHAPTER IV. ", "3:30 pm ", "12 March 1990 ", "$3.50 ", "1980s ", " 555-1234 "]
POOL += ["Jan. ", "No. ", "1st ", "10-20 ", "-5 ", "1/2 ", "supercalifragilisticexpialidocious "]
KINDS = ["heading", "paragraph", "verse", "list_item", "quote", "scene_break", "note", "placeholder"]


def random_text(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(POOL) for _ in range(rng.randint(0, longest)))


@pytest.mark.parametrize("seed", range(4))
def test_random_chapters(seed, count_tokens):
    rng = random.Random(seed)
    for _ in range(150):
        blocks = [Block(rng.choice(KINDS), random_text(rng, 150)) for _ in range(rng.randint(0, 4))]
        chapter = Chapter(random_text(rng, 30), blocks)
        budget = rng.choice([10, 20, 50])
        try:
            segments = prepare_chapter(chapter, count_tokens, TextOptions(max_tokens=budget))
        except TextError:  # a random "[pause:...]" it cannot read: a user error, by design
            continue
        for segment in segments:
            assert segment.text and segment.text == segment.text.strip()
            assert segment.pause_after >= 0
            assert count_tokens(segment.text) <= budget or len(segment.text.split()) == 1
