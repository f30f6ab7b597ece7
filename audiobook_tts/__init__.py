"""audiobook-tts: whole books to finished audiobooks on a CPU, with our own Pocket TTS engine.

    from audiobook_tts import RenderOptions, inspect_book, render_book
    result = render_book("book.epub", RenderOptions(voice="fantine"))   # resumes a killed render
    plan = inspect_book("book.epub").plan                              # what it speaks, no model loaded

    from audiobook_tts import load_model, load_voice
    model = load_model("english")
    audio = model.generate(load_voice(model, "fantine"), "Hello world.")
"""

from audiobook_tts.render import RenderOptions, inspect_book, render_book
from audiobook_tts.tts import load_model, load_voice

__all__ = ["RenderOptions", "inspect_book", "load_model", "load_voice", "render_book"]
