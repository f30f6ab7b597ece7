"""Which model a render uses, loaded in one place (the render, each --workers process, the CLI's `say`)."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audiobook_tts.errors import UserError
from audiobook_tts.jobs.store import file_sha256
from audiobook_tts.profiles import Profile
from audiobook_tts.tts import (
    catalogue,
    default_voice_source,
    load_model,
    load_model_config,
    load_model_tokenizer,
    use_fast_kernels,
)
from audiobook_tts.tts.hub import is_hub_url
from audiobook_tts.tts.text_prep import TextRules, fed_token_count, fold_table
from audiobook_tts.tts.tokenizer import Tokenizer

if TYPE_CHECKING:
    from audiobook_tts.tts.config import Config
    from audiobook_tts.tts.model import PocketTTS

# Bump when a change to the engine changes the audio of a key, so old jobs do not mix two engines' output.
ENGINE_REVISION = "pocket-tts-4.0.1/1"


@dataclass(frozen=True)
class ModelChoice:
    """The model as the user chose it: explicit options win over the profile's `model`."""

    model: str | None = None  # catalogue name
    config: str | None = None  # config file (local YAML or hf://)
    weights: str | None = None
    tokenizer: str | None = None
    quantize: bool = False
    precision: str = "float32"  # or "bf16" (tts.use_fast_kernels)

    def with_profile(self, profile: Profile) -> ModelChoice:
        """The profile's model where neither --model nor --config was given."""
        if self.model or self.config:
            return self
        model, config = profile.model_choice()
        return ModelChoice(model, config, self.weights, self.tokenizer, self.quantize, self.precision)

    @property
    def catalogue_name(self) -> str | None:
        """The catalogue model this is, or None for a custom config."""
        return (self.model or catalogue.DEFAULT_MODEL) if self.config is None else None


@dataclass(frozen=True)
class ModelFacts:
    """What planning needs of a model, none of it its weights: so `inspect` plans without loading them."""

    config: Config
    count_tokens: Callable[[str], int]
    model_id: str  # what identifies the model's audio ("" when the weights were not loaded)
    default_voice: str  # the voice source used where neither --voice nor the profile names one
    token_counter: str = "the model's tokenizer"  # what count_tokens is, for inspect's caption
    estimate_reason: str | None = None  # why token counts are estimated, if they are
    language: str | None = None  # the language the model speaks ("it"), None for a custom config
    # characters -> the table of what the tokenizer reads those it cannot as (tts.text_prep.fold_table);
    # none without a tokenizer
    fold_table: Callable[[Iterable[str]], dict[str, str]] | None = None


# A catalogue model speaks the language its name starts with: "italian_24l" speaks Italian.
MODEL_LANGUAGES = {
    "english": "en",
    "french": "fr",
    "german": "de",
    "italian": "it",
    "spanish": "es",
    "portuguese": "pt",
    "dutch": "nl",
}


def model_language(catalogue_name: str | None) -> str | None:
    """The language of a catalogue model, from its name; None for a custom config."""
    name = catalogue_name or ""
    return next((code for prefix, code in MODEL_LANGUAGES.items() if name.startswith(prefix)), None)


def model_identity(engine: PocketTTS, weights_file: Path, tokenizer_file: Path) -> str:
    """Everything about the model that decides its audio: architecture and defaults, weights, tokenizer."""
    digest = hashlib.sha256(ENGINE_REVISION.encode())
    digest.update(repr(engine.config).encode())
    for path in (weights_file, tokenizer_file):
        # Files in the hub cache are named by content revision; anything else is hashed.
        snapshot = re.search(r"/snapshots/([0-9a-f]{40})/", str(path))
        digest.update((f"{snapshot[1]}:{path.name}" if snapshot else local_file_sha256(path)).encode())
    return digest.hexdigest()


def local_file_sha256(path: Path) -> str:
    """A local file's SHA-256, computed once per process while the file stays unchanged (same size and
    modification time): load_engine hashes the weights beside the loading, and model_identity finds it."""
    stat = path.stat()
    return _sha256(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.cache
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    return file_sha256(path)


def load_engine(choice: ModelChoice) -> PocketTTS:
    """The model as the render (and `say`) uses it: fast kernels in place, int8 FlowLM if chosen.

    Local weights (not the hub's, which are named by revision) are hashed for the model's identity in a thread
    while torch is imported and the model built: ~0.35 s for the english model's 440 MB that the first
    segment no longer waits for (hashlib works outside the GIL)."""
    weights = choice.weights or load_model_config(choice.model, config=choice.config).weights_path
    with ThreadPoolExecutor(1) as pool:
        if weights is not None and not is_hub_url(weights) and Path(weights).is_file():
            pool.submit(local_file_sha256, Path(weights))
        engine = load_model(
            choice.model, config=choice.config, weights=choice.weights, tokenizer=choice.tokenizer
        )
        use_fast_kernels(engine, quantize=choice.quantize, precision=choice.precision)
    return engine


def engine_model_id(engine: PocketTTS, choice: ModelChoice) -> str:
    """What identifies `engine`'s audio, for segment keys and voice states."""
    tokenizer, weights_file = engine.tokenizer, engine.weights_file
    assert isinstance(tokenizer, Tokenizer) and weights_file is not None  # load_engine loads both from files
    model_id = model_identity(engine, weights_file, tokenizer.path)
    if choice.quantize:  # int8 is another model numerically: its own voices and keys
        model_id = hashlib.sha256(f"{model_id}/int8-dynamic-flow-lm".encode()).hexdigest()
    if choice.precision != "float32":  # so is bfloat16
        model_id = hashlib.sha256(f"{model_id}/{choice.precision}".encode()).hexdigest()
    return model_id


def engine_facts(engine: PocketTTS, model_id: str) -> ModelFacts:
    return ModelFacts(
        engine.config,
        engine.count_tokens,
        model_id,
        default_voice_source(engine.catalogue_name),
        language=model_language(engine.catalogue_name),
        fold_table=engine.fold_table,
    )


def planning_facts(choice: ModelChoice) -> ModelFacts:
    """The model's config and tokenizer without its weights; without the tokenizer (not in the cache and no
    network), a character-based estimate of token counts, said so in `estimate_reason`."""
    config = load_model_config(choice.model, config=choice.config)
    default_voice = default_voice_source(choice.catalogue_name)
    try:
        tokenizer = load_model_tokenizer(config, choice.tokenizer)
    except UserError as error:
        if choice.tokenizer:
            raise
        note = "estimated token counts (2.5 characters a token; pass --tokenizer FILE for exact ones)"
        language = model_language(choice.catalogue_name)
        return ModelFacts(config, estimate_tokens, "", default_voice, note, str(error), language)
    name = (
        f"tokenizer {choice.tokenizer}"
        if choice.tokenizer
        else f"the {choice.model or catalogue.DEFAULT_MODEL} model's tokenizer"
    )
    rules = TextRules.from_config(config)
    count = lambda text: fed_token_count(text, tokenizer, rules)  # noqa: E731
    folds = lambda characters: fold_table(characters, tokenizer, rules)  # noqa: E731
    language = model_language(choice.catalogue_name)
    return ModelFacts(config, count, "", default_voice, name, language=language, fold_table=folds)


def estimate_tokens(text: str) -> int:
    """About 2.5 characters a token: inspect's count when no tokenizer can be had."""
    return len(text) * 2 // 5 + 1
