"""audiobook-tts: whole books to finished audiobooks on a CPU, with our own Pocket TTS engine.

from audiobook_tts import RenderOptions, inspect_book, render_book
result = render_book("book.epub", RenderOptions(voice="fantine"))   # resumes a killed render
plan = inspect_book("book.epub").plan                              # what it speaks, no model loaded

from audiobook_tts import load_model, load_voice
model = load_model("english")
audio = model.generate(load_voice(model, "fantine"), "Hello world.")
"""

import importlib

# Every `import audiobook_tts.<stage>` runs this file first: the public names are looked up on first use, so
# that `status`, a worker process or `import audiobook_tts.jobs` does not pay for importing every stage.
_PUBLIC = {
    "RenderOptions": "audiobook_tts.render",
    "inspect_book": "audiobook_tts.render",
    "render_book": "audiobook_tts.render",
    "load_model": "audiobook_tts.tts",
    "load_voice": "audiobook_tts.tts",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> object:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'audiobook_tts' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
