"""A book's language when its file does not say: the script of its letters, else its commonest small words.

Plain-text and Markdown books often carry no language, and the normalisation language decides how numbers,
Roman numerals and dates are read ("1960" is "nineteen sixty" or "millenovecentosessanta"). Every reader
fills `Metadata.language` with this guess when the file says nothing (the log says so); a voice/model
language or an explicit choice still wins when the text is prepared.
"""

from __future__ import annotations

import re
from collections import Counter

from audiobook_tts.ingest.book import Chapter

# Words frequent in running text of one language and rare in the others.
_STOPWORDS = {
    "en": "the and of to was that with his her had for you not but which this from",
    "fr": "le la les des une est dans que qui pas pour sur avec elle mais sont",
    "it": "il di che non per una della con del gli sono alla nel più anche questo",
    "de": "der die das und nicht ist ich sie mit den ein eine auch sich dem",
    "es": "el los las del que por una con para como pero sus más este esta",
    "pt": "os das não uma com para mais como pela pelo seus isso você ele",
}
_WORDS = {language: set(words.split()) for language, words in _STOPWORDS.items()}
_CJK = re.compile(r"[\u3400-\u9fff]")


def guess_language(chapters: list[Chapter], sample: int = 200_000) -> str | None:
    """ "en", "fr", "it", "de", "es", "pt" or "zh" from the first `sample` characters of the book's text."""
    text = ""
    for chapter in chapters:
        for block in chapter.blocks:
            text += block.text + "\n"
            if len(text) >= sample:
                break
        if len(text) >= sample:
            break
    letters = sum(ch.isalpha() for ch in text)
    if not letters:
        return None
    if len(_CJK.findall(text)) > letters / 3:
        return "zh"
    counts = Counter(word for word in re.findall(r"[^\W\d_]+", text.lower()))
    scores = {language: sum(counts[word] for word in words) for language, words in _WORDS.items()}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] else None
