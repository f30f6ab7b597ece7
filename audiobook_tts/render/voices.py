"""Voice states of a render: each computed once per job from its source, kept in the job, found by id."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from audiobook_tts.errors import UserError
from audiobook_tts.jobs import Job, voice_id
from audiobook_tts.jobs.store import file_sha256
from audiobook_tts.render.types import RenderError
from audiobook_tts.tts import load_voice
from audiobook_tts.tts.voices import VoiceSource

if TYPE_CHECKING:
    from audiobook_tts.tts.model import PocketTTS, VoiceState


@dataclass
class JobVoices:
    """The plan's `VoiceIds` for a render: a voice's id is the hash of its state, which the job keeps."""

    engine: PocketTTS
    job: Job
    model_id: str
    states: dict[str, VoiceState] = field(default_factory=dict)  # voice id -> state
    by_source: dict[str, str] = field(default_factory=dict)  # source key -> voice id
    source_keys: dict[VoiceSource, str] = field(default_factory=dict)  # a file's contents hashed once
    announce: Callable[[str], None] = lambda what: None  # told "voice NAME" before a state is computed
    notes: list[str] = field(default_factory=list)  # what cloning had to say (a recording cut, too short)

    def voice_id(self, voice: VoiceSource) -> str:
        import torch  # on first use, as everywhere in render/: planning alone never needs it

        from audiobook_tts.tts.model import load_voice_state, voice_state_tensors

        if voice not in self.source_keys:  # asked once per segment: hash a recording once per render
            self.source_keys[voice] = source_key_of(voice, self.model_id)
        source_key = self.source_keys[voice]
        if source_key in self.by_source:
            return self.by_source[source_key]
        known = self.job.voice_for_source(source_key)
        if known is not None and self.job.has_voice(known):
            self.states[known] = load_voice_state(self.job.voice_path(known))
            self.by_source[source_key] = known
            return known
        # Cloning draws noise in its prompt pass: the state does not depend on it, but seed it anyway.
        torch.manual_seed(int(source_key[:15], 16))
        self.announce(f"voice {voice.narrator}")
        try:
            state = load_voice(self.engine, voice.location, notify=self.notes.append)
        except UserError as error:
            raise RenderError(f"voice {voice.name!r}: {error}") from None
        tensors = voice_state_tensors(state)
        ident = voice_id(tensors)
        self.job.save_voice(ident, tensors)
        self.job.remember_voice_source(source_key, ident)
        self.states[ident] = state
        self.by_source[source_key] = ident
        return ident


def source_key_of(voice: VoiceSource, model_id: str) -> str:
    """What a voice state is computed from: the model and the voice's name or file contents."""
    digest = hashlib.sha256(model_id.encode())
    digest.update(voice.kind.encode() + b"\0" + voice.name.encode())
    if voice.path is not None:
        digest.update(file_sha256(voice.path).encode())
    return digest.hexdigest()


def job_states(job: Job, ids: set[str]) -> dict[str, VoiceState]:
    """The job's voice states by id (what a --workers process renders with)."""
    from audiobook_tts.tts.model import load_voice_state

    return {ident: load_voice_state(job.voice_path(ident)) for ident in ids}
