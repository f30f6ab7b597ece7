"""Our engine against the reference pocket-tts 4.0.1 on the same random-weight checkpoints, inputs and seeds.

Each architecture family is shrunk for speed but keeps its distinguishing features: english (LSD head,
bos_before_voice), english_2026-01 (512-wide voice latent, no bos_before_voice, space padding), english_2m
(pointwise head, GQA 3 query / 1 KV head with attn_dim, low-rank text table, z_dim, separate small decoder),
english_drifting (drifting head), plus a flow_matching head (no shipped config uses it). EOS is disabled
(threshold 1e9) so both sides generate the same number of frames.
"""

from __future__ import annotations

import copy

import pytest
import soundfile
import torch

from audiobook_tts.tts import use_fast_kernels
from audiobook_tts.tts.batch import make_request, render_requests
from audiobook_tts.tts.config import load_config
from audiobook_tts.tts.model import PocketTTS
from audiobook_tts.tts.options import GenerationOptions
from audiobook_tts.tts.packed import PackedLinear, packing_available
from audiobook_tts.tts.text_prep import TextRules, split_into_chunks
from audiobook_tts.tts.tokenizer import load_tokenizer
from tests.fixtures.checkpoint import TINY_OVERRIDES, deep_merge

NO_EOS = 1e9
TEXT = (
    "The quick brown fox jumps over the lazy dog. Then it sleeps, dreaming of the moon and the stars above."
)

# The 2m model is already small; shrink only its 512-wide encoder side and its FlowLM depth.
SMALL_ENCODER = {part: TINY_OVERRIDES["mimi"][part] for part in ("seanet", "transformer")}
FLOW_MATCHING = deep_merge(TINY_OVERRIDES, {"flow_lm": {"flow": {"type": "flow_matching"}}})
FAMILIES = {
    "english": ("english", TINY_OVERRIDES),
    "english_2026-01": ("english_2026-01", TINY_OVERRIDES),
    "english_2m_2026-10": (
        "english_2m_2026-10",
        {"flow_lm": {"transformer": {"num_layers": 2}}, "mimi": SMALL_ENCODER},
    ),
    "english_drifting_26-09": ("english_drifting_26-09", TINY_OVERRIDES),
    "flow_matching": (
        "english",
        FLOW_MATCHING,
    ),
}


class Pair:
    """The reference model and ours, loaded from one checkpoint."""

    def __init__(self, yaml_path, weights_path):
        from tests.fixtures.reference import load_reference

        self.ref = load_reference(yaml_path, eos_threshold=NO_EOS)
        torch.set_num_threads(1)
        config = load_config(yaml_path)
        table = config.flow_lm.lookup_table
        tokenizer = load_tokenizer(table.tokenizer_path, table.tokenizer, table.n_bins)
        self.ours = PocketTTS.from_files(config, weights_path, tokenizer)


@pytest.fixture(scope="module", params=list(FAMILIES))
def pair(request, checkpoint_factory):
    name, overrides = FAMILIES[request.param]
    return Pair(*checkpoint_factory(name, overrides))


@pytest.fixture(scope="module")
def voice_audio(voice_wav):
    """(raw [1, S] for the reference, which applies end_on_pause itself; end_on_pause'd [1, S] for ours)."""
    from pocket_tts.data.audio_utils import end_on_pause

    samples, rate = soundfile.read(str(voice_wav), dtype="float32")
    assert rate == 24000
    raw = torch.from_numpy(samples)[None]
    return raw, end_on_pause(raw, rate)


def max_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    assert a.shape == b.shape, (a.shape, b.shape)
    return (a - b).abs().max().item()


def test_mimi_encode_and_frame_by_frame_decode(pair):
    from pocket_tts.modules.stateful_module import increment_steps, init_states

    generator = torch.Generator().manual_seed(0)
    audio = 0.1 * torch.randn(1, 1, 24000 * 2 + 123, generator=generator)
    latents = torch.randn(1, 30, 32, generator=generator)
    with torch.no_grad():
        assert max_diff(pair.ours.mimi.encode_to_latent(audio), pair.ref.mimi.encode_to_latent(audio)) <= 1e-6
        ref_state = init_states(pair.ref.mimi, 1, 30 * 16)
        ref_frames, our_frames = [], []
        our_state = pair.ours.mimi.new_decoder_state(1)
        for i in range(30):
            ref_frames.append(pair.ref.mimi.decode_from_latent(latents[:, i : i + 1], ref_state))
            increment_steps(pair.ref.mimi, ref_state, 16)
            our_frames.append(pair.ours.mimi.decode(latents[:, i : i + 1], our_state))
    ref_audio, our_audio = torch.cat(ref_frames, -1), torch.cat(our_frames, -1)
    assert our_audio.shape == (1, 1, 30 * 1920)
    assert ref_audio.abs().max() > 1e-3
    assert max_diff(our_audio, ref_audio) <= 1e-6


def test_voice_state_and_flow_lm_steps_match(pair, voice_audio):
    raw, processed = voice_audio
    ref, ours = pair.ref, pair.ours
    ref.temp = 0.3
    torch.manual_seed(11)
    ref_state = ref.get_state_for_audio_prompt(raw)
    ref_next = torch.rand(4)
    torch.manual_seed(11)
    voice = ours.voice_from_audio(processed)
    assert torch.equal(torch.rand(4), ref_next)  # exactly one draw, like the reference

    for layer in range(len(voice.keys)):
        saved = ref_state[f"transformer.layers.{layer}.self_attn"]
        assert torch.equal(saved["offset"], voice.offset)
        assert max_diff(voice.keys[layer], saved["cache"][0]) <= 1e-5
        assert max_diff(voice.values[layer], saved["cache"][1]) <= 1e-5

    # Text prompt pass, then AR steps fed with each side's own latents, same seed.
    tokens = torch.tensor([ours.tokenizer.encode("Hello there, how are you today?")])
    torch.manual_seed(12)
    ref._expand_kv_cache(ref_state, int(voice.offset) + tokens.shape[1] + 10)
    ref._run_flow_lm_and_increment_step(model_state=ref_state, text_tokens=tokens)
    ref_latents, x = [], torch.full((1, 1, 32), float("nan"))
    with torch.no_grad():
        for _ in range(10):
            x, _ = ref._run_flow_lm_and_increment_step(model_state=ref_state, backbone_input_latents=x)
            ref_latents.append(x)
    torch.manual_seed(12)
    cache = voice.copy(capacity=int(voice.offset) + tokens.shape[1] + 10)
    our_latents, x = [], torch.full((1, 1, 32), float("nan"))
    with torch.no_grad():
        ours.flow_lm.prompt(ours.flow_lm.conditioner(tokens), cache, 0.3, None)
        for _ in range(10):
            latent, eos_logit = ours.flow_lm.step(x, cache, 0.3)
            x = latent[:, None]
            our_latents.append(x)
    assert eos_logit.shape == (1,)
    assert max_diff(torch.cat(our_latents, 1), torch.cat(ref_latents, 1)) <= 1e-5
    assert torch.cat(our_latents).std() > 0.1


@pytest.mark.parametrize("temperature", [0.0, 0.3])
def test_generated_audio_matches(pair, voice_audio, temperature):
    raw, processed = voice_audio
    pair.ref.temp = temperature
    torch.manual_seed(21)
    ref_audio = pair.ref.generate_audio(pair.ref.get_state_for_audio_prompt(raw), TEXT, max_tokens=20)
    torch.manual_seed(21)
    voice = pair.ours.voice_from_audio(processed)
    our_audio = pair.ours.generate(
        voice, TEXT, GenerationOptions(temperature=temperature, eos_threshold=NO_EOS, max_tokens=20)
    )
    assert our_audio.numel() >= 3 * 24000
    rules = TextRules.from_config(pair.ours.config)
    assert len(split_into_chunks(TEXT, pair.ours.tokenizer, rules, max_tokens=20)) >= 2  # several chunks
    assert ref_audio.abs().max() > 1e-2
    assert max_diff(our_audio, ref_audio) <= 1e-4


@pytest.mark.parametrize("frames_after_eos", [None, 0, 2])
def test_eos_rules_match(pair, voice_audio, frames_after_eos):
    """EOS on every step: ignored for the first 6 frames, then frames_after_eos more (None: the text-length
    guess); the step that stops draws noise too, so later chunks stay in sync with the reference."""
    raw, processed = voice_audio
    pair.ref.temp, pair.ref.eos_threshold = 0.3, -1e9
    try:
        torch.manual_seed(31)
        voice = pair.ref.get_state_for_audio_prompt(raw)
        ref_audio = pair.ref.generate_audio(voice, TEXT, max_tokens=20, frames_after_eos=frames_after_eos)
    finally:
        pair.ref.eos_threshold = NO_EOS
    torch.manual_seed(31)
    voice = pair.ours.voice_from_audio(processed)
    our_audio = pair.ours.generate(
        voice,
        TEXT,
        GenerationOptions(
            temperature=0.3, eos_threshold=-1e9, max_tokens=20, frames_after_eos=frames_after_eos
        ),
    )
    assert ref_audio.numel() < 2 * 15 * 1920  # EOS did stop both chunks early
    assert max_diff(our_audio, ref_audio) <= 1e-4


@pytest.mark.slow
def test_full_size_english_matches(checkpoint_factory, voice_audio):
    """The shipped english architecture at full size (6 x 1024 FlowLM, 512-wide Mimi), >= 3 s of audio."""
    full = Pair(*checkpoint_factory("english", None))
    raw, processed = voice_audio
    full.ref.temp = 0.3
    torch.manual_seed(41)
    ref_state = full.ref.get_state_for_audio_prompt(raw)
    ref_audio = full.ref.generate_audio(ref_state, "Hello world, nice to meet you.")
    torch.manual_seed(41)
    voice = full.ours.voice_from_audio(processed)
    our_audio = full.ours.generate(
        voice, "Hello world, nice to meet you.", GenerationOptions(temperature=0.3, eos_threshold=NO_EOS)
    )
    for layer in range(len(voice.keys)):
        cache = ref_state[f"transformer.layers.{layer}.self_attn"]["cache"]
        assert (
            max_diff(voice.keys[layer], cache[0]) <= 1e-5 and max_diff(voice.values[layer], cache[1]) <= 1e-5
        )
    assert our_audio.numel() >= 3 * 24000
    assert max_diff(our_audio, ref_audio) <= 1e-4


def test_sampler_options_match(pair, voice_audio):
    """Truncated noise (trunc_normal_, absolute bounds) and several decode steps, at a higher temperature."""
    raw, processed = voice_audio
    pair.ref.temp, pair.ref.noise_clamp, pair.ref.sampler_decode_steps = 0.7, 0.8, 3
    try:
        torch.manual_seed(51)
        ref_audio = pair.ref.generate_audio(
            pair.ref.get_state_for_audio_prompt(raw), "Hello world, once more."
        )
    finally:
        pair.ref.noise_clamp, pair.ref.sampler_decode_steps = None, 1
    torch.manual_seed(51)
    voice = pair.ours.voice_from_audio(processed, noise_clamp=0.8)
    our_audio = pair.ours.generate(
        voice,
        "Hello world, once more.",
        GenerationOptions(temperature=0.7, eos_threshold=NO_EOS, noise_clamp=0.8, decode_steps=3),
    )
    assert max_diff(our_audio, ref_audio) <= 1e-4


# Every family at temperature 0; with noise (0.3), english in the quick suite and the rest marked slow.
FAST_KERNEL_CASES = [
    pytest.param(family, temperature, id=f"{family}-{temperature}",
                 marks=[pytest.mark.slow] if temperature and family != "english" else [])
    for family in FAMILIES
    for temperature in (0.0, 0.3)
]  # fmt: skip


@pytest.mark.parametrize(("pair", "temperature"), FAST_KERNEL_CASES, indirect=["pair"])
def test_fast_kernels_match_one_at_a_time_and_batched(pair, voice_audio, temperature):
    """What render and say run: the model with packed oneDNN layers (tts/packed.py), one text at a time
    against the reference, and batched (three texts in one batch, each from its own seed) against one at a
    time; at temperature 0 (no noise to shift) the batched audio against the reference's too."""
    raw, processed = voice_audio
    fast = copy.deepcopy(pair.ours)
    use_fast_kernels(fast)
    assert any(isinstance(m, PackedLinear) for m in fast.modules()) == packing_available()
    pair.ref.temp = temperature
    texts = [TEXT, "Hello world, once more.", "A third, much shorter one."]
    torch.manual_seed(60)
    expected = pair.ref.generate_audio(pair.ref.get_state_for_audio_prompt(raw), TEXT, max_tokens=20)
    torch.manual_seed(60)
    voice = fast.voice_from_audio(processed)
    options = GenerationOptions(temperature=temperature, eos_threshold=NO_EOS, max_tokens=20)
    assert max_diff(fast.generate(voice, TEXT, options), expected) <= 1e-4

    alone = []
    for index, text in enumerate(texts):
        torch.manual_seed(70 + index)
        alone.append(fast.generate(voice, text, options))
    requests = [make_request(fast, voice, text, 70 + i, options, tag=i) for i, text in enumerate(texts)]
    batched = {r.tag: a for r, a in render_requests(fast, [requests], batch_size=3, threads=1)}
    for index, audio in enumerate(alone):
        assert max_diff(batched[index], audio) <= 1e-4, index
    if temperature == 0.0:
        assert max_diff(batched[0], expected) <= 1e-4
