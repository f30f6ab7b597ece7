"""A short audition of a voice on the new-book page, rendered on the spot with the model new books use.

The model is loaded on the first audition and kept, with each voice's state, for the server's lifetime;
one audition renders at a time (the model is not shared between threads).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from audiobook_tts.render import ModelChoice, RenderOptions, load_engine
from audiobook_tts.tts import default_voice_source, load_voice
from audiobook_tts.tts.voices import VoiceSource

if TYPE_CHECKING:
    from audiobook_tts.tts.model import PocketTTS, VoiceState

AUDITION_TEXT = "Good evening. This is how I would read your book to you, chapter by chapter."


@dataclass
class Auditions:
    options: RenderOptions  # model, voice and generation options of new books
    engine: PocketTTS | None = None
    states: dict[str, VoiceState] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def render(self, voice: str | None) -> np.ndarray:
        """`voice` (a catalogue name or a recording's path; None: the new books' voice) reading AUDITION_TEXT,
        24 kHz float32."""
        import torch

        with self.lock:
            choice = ModelChoice(
                self.options.model, self.options.config, self.options.weights, self.options.tokenizer
            )
            if self.engine is None:
                self.engine = load_engine(choice)
            raw = voice or self.options.voice or default_voice_source(choice.catalogue_name)
            if raw not in self.states:
                torch.manual_seed(0)
                self.states[raw] = load_voice(self.engine, VoiceSource.parse(raw, Path.cwd()).location)
            torch.manual_seed(0)
            audio = self.engine.generate(self.states[raw], AUDITION_TEXT, self.options.generation)
            return audio.numpy()
