"""The engine: a Pocket TTS model (config, tokenizer, FlowLM, Mimi) and text-to-audio generation.

Generation follows pocket-tts 4.0.1 step for step, so that with the same weights, inputs and seed the audio is
the reference's (its noise comes from torch's global generator: seed it before building the voice):

    voice  = one FlowLM pass over the voice block (one noise draw); its KV cache is the VoiceState
    text   = split into chunks of <= max_tokens tokens; for each chunk, from a fresh copy of the voice state:
             prepare + tokenize, one FlowLM pass over the text (one draw), then one latent per step (one draw
             each) until EOS + frames_after_eos or the length cap; each latent is decoded by a fresh Mimi
             decoder as soon as it exists, the chunk's first 120 samples faded in.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file
from torch import Tensor, nn

from audiobook_tts.tts.config import Config
from audiobook_tts.tts.errors import ModelError
from audiobook_tts.tts.flow_lm import FlowLM
from audiobook_tts.tts.mimi import DecoderState, Mimi
from audiobook_tts.tts.options import DEFAULT_OPTIONS, GenerationOptions
from audiobook_tts.tts.text_prep import (
    TextRules,
    TokenCoder,
    fed_token_count,
    fold_table,
    prepare_prompt,
    split_into_chunks,
)
from audiobook_tts.tts.text_prep import frames_after_eos as after_eos
from audiobook_tts.tts.transformer import KVCache
from audiobook_tts.tts.weights import load_weights, random_init_skipped

# A voice is the FlowLM's KV cache after the voice prompt: [bos_before_voice?][voice frames], offset = length.
VoiceState = KVCache


@dataclass
class ChunkEnds:
    """How the chunks of a generation ended, counted as they end when one is passed (`ends=`): the
    one-at-a-time counterpart of the batched generator's `SpeechRequest.hit_frame_limit`."""

    at_end_of_speech: int = 0
    at_frame_limit: int = 0  # ran out of frames before its end of speech (and the frames after it)


MIN_FRAMES_BEFORE_EOS = (
    6  # EOS is ignored on the first frames: some voices cross the threshold before speaking
)
TOKENS_PER_SECOND = 3.0  # length cap per chunk: ceil((tokens / 3 + 2) s * frame rate)
PADDING_SECONDS = 2.0
FADE_IN_PER_SECOND = 200  # a fresh decoder starts with a small step: fade in 1/200 s (120 samples)


class PocketTTS(nn.Module):
    def __init__(self, config: Config, tokenizer: TokenCoder | None):
        super().__init__()
        self.config = config
        self.tokenizer = tokenizer
        self.flow_lm = FlowLM(
            config.flow_lm,
            latent_dim=config.mimi.quantizer.dimension,
            speaker_dim=config.mimi.inner_dim or config.mimi.seanet.dimension,
        )
        self.mimi = Mimi(config.mimi)
        self.sample_rate = config.mimi.sample_rate
        # Set by load_model: which catalogue model this is (None for a custom config), whether the weights
        # can clone voices (the gated bundle), and the weights file (with the tokenizer's, the model's id).
        self.catalogue_name: str | None = None
        self.has_voice_cloning = True
        self.weights_file: Path | None = None
        self.eval()

    def count_tokens(self, text: str) -> int:
        """Tokens the model is fed for `text` as one chunk: what the text stage measures segments against
        the token budget with."""
        return fed_token_count(text, self.text_tokenizer(), TextRules.from_config(self.config))

    def fold_table(self, characters: Iterable[str]) -> dict[str, str]:
        """What those of `characters` the tokenizer cannot read are to be read as: for the text stage."""
        return fold_table(characters, self.text_tokenizer(), TextRules.from_config(self.config))

    def text_tokenizer(self) -> TokenCoder:
        """The tokenizer, which a model loaded only to check its weights may lack."""
        if self.tokenizer is None:
            raise ModelError("this model was loaded without a tokenizer, so it cannot read text; give it one")
        return self.tokenizer

    @classmethod
    def from_files(cls, config: Config, weights_path: Path, tokenizer: TokenCoder | None) -> PocketTTS:
        with random_init_skipped():  # every tensor comes from the file
            model = cls(config, tokenizer)
        load_weights(model, Path(weights_path))
        return model

    # --- voices ---

    @torch.no_grad()
    def voice_from_audio(self, audio: Tensor, *, noise_clamp: float | None = None) -> VoiceState:
        """Voice state from mono audio [1, S] at the model's rate, already end_on_pause-processed.

        Draws one noise sample from the global generator, as the reference's voice prompt pass does (its value
        is discarded, so the temperature used for it does not matter)."""
        if audio.dim() != 2 or audio.shape[0] != 1 or audio.shape[1] == 0:
            raise ModelError(f"voice audio must be mono [1, samples], got shape {tuple(audio.shape)}")
        latents = self.mimi.encode_to_latent(audio[None].float())
        block = self.flow_lm.voice_conditioning(latents)
        cache = self.flow_lm.empty_cache(1, block.shape[1])
        self.flow_lm.prompt(block, cache, self.config.default_temperature, noise_clamp)
        return cache

    def check_voice(self, voice: VoiceState) -> None:
        t = self.flow_lm.transformer
        if voice.offset.numel() != 1:
            raise ModelError(f"generation takes a single voice; this state holds {voice.offset.numel()} rows")
        shape = tuple(voice.keys[0].shape[2:]) if voice.keys else None
        if len(voice.keys) != len(t.layers) or shape != (t.num_kv_heads, t.head_dim):
            raise ModelError(
                f"voice state does not fit this model ({len(voice.keys)} layers, heads x dim {shape}; "
                f"the model has {len(t.layers)} layers, {t.num_kv_heads} x {t.head_dim}); "
                "make the voice with this model"
            )

    # --- generation ---

    def max_frames(self, token_count: int) -> int:
        return math.ceil((token_count / TOKENS_PER_SECOND + PADDING_SECONDS) * self.config.mimi.frame_rate)

    @torch.no_grad()
    def stream(
        self,
        voice: VoiceState,
        text: str,
        options: GenerationOptions = DEFAULT_OPTIONS,
        *,
        frames_per_decode: int = 1,
        ends: ChunkEnds | None = None,
    ) -> Iterator[Tensor]:
        """Audio [1920] float32 tensors at 24 kHz, one per latent frame, chunk after chunk; `ends` (if given)
        counts how the chunks ended.

        Unset options take the config's defaults (temperature, EOS threshold) or, for frames_after_eos, the
        config's recommendation, else 5 frames for texts of <= 4 words and 3 otherwise."""
        self.check_voice(voice)
        options = options.resolved(self.config)
        rules = TextRules.from_config(self.config)
        for chunk in split_into_chunks(text, self.text_tokenizer(), rules, options.max_tokens):
            prepared, eos_guess = prepare_prompt(chunk, rules)
            recommended = self.config.model_recommended_frames_after_eos
            frames = after_eos(eos_guess, options.frames_after_eos, recommended)
            chunk_options = dataclasses.replace(options, frames_after_eos=frames)
            yield from self.stream_chunk(
                voice, prepared, chunk_options, frames_per_decode=frames_per_decode, ends=ends
            )

    def generate(
        self,
        voice: VoiceState,
        text: str,
        options: GenerationOptions = DEFAULT_OPTIONS,
        *,
        frames_per_decode: int = 1,
        ends: ChunkEnds | None = None,
    ) -> Tensor:
        """The whole text as one audio tensor [samples]: the chunks back to back, like the reference."""
        return torch.cat(
            list(self.stream(voice, text, options, frames_per_decode=frames_per_decode, ends=ends))
        )

    @torch.no_grad()
    def stream_chunk(
        self,
        voice: VoiceState,
        prepared_text: str,
        options: GenerationOptions,
        *,
        frames_per_decode: int = 1,
        ends: ChunkEnds | None = None,
    ) -> Iterator[Tensor]:
        """Audio frames for one already prepared chunk, from a copy of `voice` and a fresh Mimi decoder;
        `options` resolved, with this chunk's frames_after_eos decided (see `stream`).

        `frames_per_decode` > 1 hands Mimi that many latents per call: cheaper per frame, later first audio,
        and different from frame-by-frame decoding only by float rounding (~1e-7)."""
        latents = self.chunk_latents(voice, prepared_text, options, ends)
        decoder = self.mimi.new_decoder_state(1)
        fade_in = torch.linspace(0, 1, self.sample_rate // FADE_IN_PER_SECOND)
        pending: list[Tensor] = []
        for index, latent in enumerate(latents):
            pending.append(latent)
            if len(pending) == frames_per_decode:
                yield from self._decode(pending, decoder, fade_in if index < frames_per_decode else None)
                pending = []
        if pending:
            yield from self._decode(pending, decoder, fade_in if index < frames_per_decode else None)

    def _decode(self, latents: list[Tensor], decoder: DecoderState, fade_in: Tensor | None) -> list[Tensor]:
        """Latents [1, 32] -> one [1920] audio tensor each, in one Mimi call; `fade_in` the first samples."""
        audio = self.mimi.decode(self.denormalise(torch.stack(latents, dim=1)), decoder)[0, 0]
        if fade_in is not None:
            audio[: fade_in.numel()] *= fade_in
        return list(audio.split(self.mimi.frame_size))

    @torch.no_grad()
    def chunk_latents(
        self, voice: VoiceState, prepared_text: str, options: GenerationOptions, ends: ChunkEnds | None = None
    ) -> Iterator[Tensor]:
        """The latent frames [1, 32] (normalised space) of one prepared chunk, as the FlowLM samples them;
        `options` resolved, with the chunk's frames_after_eos decided; `ends` counts how the chunk ended."""
        temperature, eos_threshold, frames_after_eos = (
            options.temperature,
            options.eos_threshold,
            options.frames_after_eos,
        )
        noise_clamp, decode_steps = options.noise_clamp, options.decode_steps
        if temperature is None or eos_threshold is None or frames_after_eos is None:
            raise ValueError("chunk_latents needs resolved options with frames_after_eos decided")
        tokens = torch.tensor([self.text_tokenizer().encode(prepared_text)], dtype=torch.long)
        max_frames = self.max_frames(tokens.shape[1])
        cache = voice.copy(capacity=int(voice.offset.max()) + tokens.shape[1] + max_frames)
        self.flow_lm.prompt(self.flow_lm.conditioner(tokens), cache, temperature, noise_clamp)
        latent = torch.full((1, 1, self.flow_lm.latent_dim), float("nan"))  # NaN = BOS
        eos_step = None
        for step in range(max_frames):
            next_latent, eos_logit = self.flow_lm.step(latent, cache, temperature, noise_clamp, decode_steps)
            if eos_step is None and step >= MIN_FRAMES_BEFORE_EOS and eos_logit.item() > eos_threshold:
                eos_step = step
            if eos_step is not None and step >= eos_step + frames_after_eos:
                if ends is not None:
                    ends.at_end_of_speech += 1
                return  # this step's latent is dropped, but its noise was drawn (as in the reference)
            yield next_latent
            latent = next_latent[:, None]
        if ends is not None:
            ends.at_frame_limit += 1

    def denormalise(self, latent: Tensor) -> Tensor:
        """FlowLM latents live in normalised space; Mimi wants latent * std + mean."""
        return latent * self.flow_lm.emb_std + self.flow_lm.emb_mean


# --- voice state files (the reference's export format) ---


def save_voice_state(state: VoiceState, path: Path) -> None:
    """Write the voice state as a safetensors file in the reference's export format."""
    save_file(voice_state_tensors(state), str(path))


def voice_state_tensors(state: VoiceState) -> dict[str, Tensor]:
    """`transformer.layers.{l}.self_attn/offset|pad|cache`, cache [2, B, length, kv_heads, head_dim]."""
    length = int(state.offset.max())
    tensors = {}
    for layer, (k, v) in enumerate(zip(state.keys, state.values, strict=True)):
        name = f"transformer.layers.{layer}.self_attn"
        tensors[f"{name}/offset"] = state.offset.clone()
        tensors[f"{name}/pad"] = torch.zeros_like(state.offset)
        tensors[f"{name}/cache"] = torch.stack([k[:, :length], v[:, :length]]).contiguous()
    return tensors


def load_voice_state(path: Path) -> VoiceState:
    """Read a voice state file written by us or by pocket-tts (also the 1.x `current_end` form)."""
    layers: dict[int, dict[str, Tensor]] = {}
    try:
        with safe_open(str(path), framework="pt") as f:
            for key in f.keys():
                module, _, field = key.partition("/")
                parts = module.split(".")
                if len(parts) != 4 or parts[:2] != ["transformer", "layers"] or parts[3] != "self_attn":
                    raise ModelError(
                        f"voice state {path}: unexpected entry {key!r}; is this a voice state file?"
                    )
                layers.setdefault(int(parts[2]), {})[field] = f.get_tensor(key)
    except FileNotFoundError:
        raise ModelError(f"voice state not found: {path}") from None
    except (SafetensorError, OSError, ValueError) as e:
        raise ModelError(f"cannot read voice state {path}: {e}") from None
    if sorted(layers) != list(range(len(layers))) or not layers:
        raise ModelError(f"voice state {path}: layers {sorted(layers)} are not 0..n-1")
    keys, values, offsets = [], [], []
    for layer in range(len(layers)):
        fields = layers[layer]
        if "cache" not in fields:
            raise ModelError(f"voice state {path}: layer {layer} has no cache")
        cache = fields["cache"].float()
        if "offset" in fields:
            offset = fields["offset"].long().reshape(-1)
        elif "current_end" in fields:  # 1.x files: the offset was the tensor's length
            offset = torch.full((cache.shape[1],), fields["current_end"].shape[0], dtype=torch.long)
        else:
            raise ModelError(f"voice state {path}: layer {layer} has neither offset nor current_end")
        if "pad" in fields and bool((fields["pad"] != 0).any()):
            raise ModelError(f"voice state {path}: left-padded (batched) states are not supported")
        if cache.dim() != 5 or cache.shape[0] != 2 or int(offset.max()) > cache.shape[2]:
            raise ModelError(f"voice state {path}: layer {layer} cache has shape {tuple(cache.shape)}")
        keys.append(cache[0].contiguous())
        values.append(cache[1].contiguous())
        offsets.append(offset)
    if any(not torch.equal(o, offsets[0]) for o in offsets):
        raise ModelError(f"voice state {path}: layers disagree on the offset")
    state = VoiceState(keys, values, offsets[0])
    # Slots past the offset may be NaN in reference files; ours are zero so masked keys stay harmless.
    return state.copy(capacity=int(state.offset.max()))
