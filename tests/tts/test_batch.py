"""Batched generation against the one-at-a-time engine: same seeds, same audio, whatever the batch holds."""

from __future__ import annotations

import pytest
import soundfile
import torch

from audiobook_tts.tts import batch, use_fast_kernels
from audiobook_tts.tts.audio import end_on_pause
from audiobook_tts.tts.config import load_config
from audiobook_tts.tts.model import PocketTTS
from audiobook_tts.tts.options import GenerationOptions
from audiobook_tts.tts.packed import bfloat16_available
from audiobook_tts.tts.tokenizer import load_tokenizer

NO_EOS_20 = GenerationOptions(eos_threshold=1e9, max_tokens=20)

TEXTS = [
    "Hello there.",
    "The quick brown fox jumps over the lazy dog, and then it sleeps until noon.",
    "One two three. Four five six seven eight nine ten eleven twelve. Thirteen fourteen fifteen sixteen.",
    "Short one.",
    "A medium sentence with a few words in it.",
    "Where are you going, my friend?",
    "It was a bright cold day in April.",
]
# Per request: (EOS threshold, temperature, noise clamp). 0.7 makes the random-weight EOS head fire at
# random steps (its logits wander in about -1..1), so rows leave the batch at different times.
SETTINGS = [
    (0.7, 0.7, None),
    (1e9, 0.7, None),
    (0.7, 0.5, None),
    (-1e9, 0.7, None),
    (0.7, 0.7, 1.0),
    (1e9, 0.0, None),
    (0.7, 0.7, None),
]


def load_model(tiny_checkpoint) -> PocketTTS:
    yaml_path, weights_path = tiny_checkpoint
    config = load_config(yaml_path)
    table = config.flow_lm.lookup_table
    return PocketTTS.from_files(config, weights_path, load_tokenizer(table.tokenizer_path, table.tokenizer))


@pytest.fixture(scope="module")
def model(tiny_checkpoint):
    torch.set_num_threads(1)
    return load_model(tiny_checkpoint)


def make_voice(model, voice_wav):
    samples, rate = soundfile.read(str(voice_wav), dtype="float32")
    torch.manual_seed(0)
    return model.voice_from_audio(end_on_pause(torch.from_numpy(samples)[None], rate))


@pytest.fixture(scope="module")
def voice(model, voice_wav):
    return make_voice(model, voice_wav)


def one_at_a_time(model, voice) -> list[torch.Tensor]:
    """What `generate` makes of each text after torch.manual_seed(its seed), chunks of <= 20 tokens."""
    out = []
    for index, (text, (eos, temperature, clamp)) in enumerate(zip(TEXTS, SETTINGS, strict=True)):
        torch.manual_seed(100 + index)
        out.append(
            model.generate(
                voice,
                text,
                GenerationOptions(
                    eos_threshold=eos, temperature=temperature, noise_clamp=clamp, max_tokens=20
                ),
            )
        )
    return out


def requests(model, voice, order) -> list[batch.SpeechRequest]:
    return [
        batch.make_request(
            model,
            voice,
            TEXTS[i],
            100 + i,
            GenerationOptions(
                eos_threshold=SETTINGS[i][0],
                temperature=SETTINGS[i][1],
                noise_clamp=SETTINGS[i][2],
                max_tokens=20,
            ),
            tag=i,
        )
        for i in order
    ]


@pytest.mark.parametrize(("batch_size", "threads"), [(1, 1), (3, 1), (16, 2)])
def test_batched_equals_one_at_a_time(model, voice, batch_size, threads):
    expected = one_at_a_time(model, voice)
    order = [3, 0, 6, 1, 5, 2, 4]  # another order than the reference run: companions must not matter
    group = requests(model, voice, order)
    assert max(len(r.chunks) for r in group) >= 3  # a request of several chunks on one noise stream
    got = {
        r.tag: audio
        for r, audio in batch.render_requests(model, [group], batch_size=batch_size, threads=threads)
    }
    assert sorted(got) == list(range(len(TEXTS)))
    lengths = {audio.numel() for audio in expected}
    assert len(lengths) >= 4  # EOS fired at different steps: rows left the batch at different times
    for index, audio in enumerate(expected):
        assert got[index].shape == audio.shape, index
        assert audio.abs().max() > 1e-3
        assert (got[index] - audio).abs().max() <= 1e-4, index


def test_rows_of_two_voices_share_a_batch(model, voice, voice_wav):
    """Two narrators' segments in one batch (voice prefixes of different lengths, each stored once)."""
    samples, rate = soundfile.read(str(voice_wav), dtype="float32")
    torch.manual_seed(1)
    short = model.voice_from_audio(torch.from_numpy(samples[: rate * 2])[None])
    assert short.offset.item() < voice.offset.item()
    voices = [voice if i % 2 else short for i in range(len(TEXTS))]
    expected = []
    for index, text in enumerate(TEXTS):
        torch.manual_seed(100 + index)
        expected.append(model.generate(voices[index], text, NO_EOS_20))
    group = [
        batch.make_request(model, voices[i], TEXTS[i], 100 + i, NO_EOS_20, tag=i) for i in range(len(TEXTS))
    ]
    got = {r.tag: a for r, a in batch.render_requests(model, [group], batch_size=4, threads=1)}
    for index, audio in enumerate(expected):
        assert got[index].shape == audio.shape, index
        assert (got[index] - audio).abs().max() <= 1e-4, index
    torch.manual_seed(100)  # the voices do differ: text 0 in the other voice
    other = model.generate(voice, TEXTS[0], NO_EOS_20)
    assert (other - expected[0]).abs().max() > 1e-4  # the tolerance above could not mistake them


@pytest.mark.parametrize("steal", [(batch.STEAL_ABOVE, batch.STEAL_DOWN_TO), (0, 0)])
def test_same_group_twice_is_bit_identical_and_threads_do_not_matter(model, voice, monkeypatch, steal):
    """Bit for bit, whichever thread decodes which block, and whether a chunk was decoded while it was
    generated (at (0, 0) the FlowLM thread decodes every ready block after every step)."""
    monkeypatch.setattr(batch, "STEAL_ABOVE", steal[0])
    monkeypatch.setattr(batch, "STEAL_DOWN_TO", steal[1])
    group = requests(model, voice, range(len(TEXTS)))
    serial = {r.tag: a for r, a in batch.render_requests(model, [group], batch_size=4, threads=1)}
    threaded = {r.tag: a for r, a in batch.render_requests(model, [group, group], batch_size=4, threads=2)}
    for tag, audio in serial.items():
        assert torch.equal(threaded[tag], audio)


def test_generate_latents_refills_rows_as_they_finish(model, voice):
    group = requests(model, voice, range(len(TEXTS)))
    finished = [(r, c) for r, c, _ in batch.generate_latents(model, group, batch_size=2)]
    assert sorted(finished) == sorted((r, c) for r, req in enumerate(group) for c in range(len(req.chunks)))
    # Each request's chunks come out in order.
    for r in range(len(group)):
        chunks = [c for rr, c in finished if rr == r]
        assert chunks == sorted(chunks)


def test_block_decoding_equals_frame_by_frame(model):
    latents = torch.randn(37, 32, generator=torch.Generator().manual_seed(5))
    state = model.mimi.new_decoder_state(1)
    with torch.no_grad():
        frames = [
            model.mimi.decode(model.denormalise(latents[None, i : i + 1]), state)[0, 0] for i in range(37)
        ]
    expected = torch.cat(frames)
    expected[:120] *= torch.linspace(0, 1, 120)
    assert expected.abs().max() > 1e-3
    for block in (1, 10, 16, 37, 64):
        audio = batch.decode_latents(model, latents, block=block)
        assert audio.shape == expected.shape
        assert (audio - expected).abs().max() <= 1e-4, block


def test_int8_flow_lm_batched_equals_int8_one_at_a_time(tiny_checkpoint, voice_wav):
    from audiobook_tts.tts.quantize import quantize_flow_lm

    model = load_model(tiny_checkpoint)
    float_audio = one_at_a_time(model, make_voice(model, voice_wav))
    quantize_flow_lm(model)
    assert "DynamicQuantizedLinear" in repr(model.flow_lm.transformer) and "Conv1d" in repr(model.mimi)
    quantized_voice = make_voice(model, voice_wav)
    expected = one_at_a_time(model, quantized_voice)
    group = requests(model, quantized_voice, range(len(TEXTS)))
    got = {r.tag: a for r, a in batch.render_requests(model, [group], batch_size=4, threads=1)}
    assert any(
        e.shape != f.shape or not torch.equal(e, f) for e, f in zip(expected, float_audio, strict=True)
    )
    for index, audio in enumerate(expected):
        assert torch.isfinite(audio).all() and got[index].shape == audio.shape
        # Dynamic int8 quantises each call's activations with one scale for the whole batch, so companions
        # matter more than in float: ~1e-4 here (peak ~0.24), against ~1e-7 in float.
        assert (got[index] - audio).abs().max() <= 1e-3, index


@pytest.mark.skipif(not bfloat16_available(), reason="no bfloat16 oneDNN kernels on this CPU")
def test_bf16_batched_keeps_keys_and_values_in_bfloat16_near_one_at_a_time(tiny_checkpoint, voice_wav):
    """`--precision bf16` runs batched: the batch (and Mimi's decoder) store keys and values in bfloat16 (the
    FlowLM one at a time keeps float32), and bfloat16 linears round differently at 3 rows than at 1, so
    batched audio is one-at-a-time's within bfloat16's rounding only, not float32's."""
    model = load_model(tiny_checkpoint)
    use_fast_kernels(model, precision="bf16")
    assert model.flow_lm.transformer.kv_dtype == torch.bfloat16
    assert model.mimi.new_decoder_state(1).attention.keys[0].dtype == torch.bfloat16
    voice = make_voice(model, voice_wav)
    alone = []  # no EOS: the same lengths either way
    for index, text in enumerate(TEXTS[:3]):
        torch.manual_seed(100 + index)
        alone.append(model.generate(voice, text, NO_EOS_20))
    group = [batch.make_request(model, voice, t, 100 + i, NO_EOS_20, tag=i) for i, t in enumerate(TEXTS[:3])]
    got = {r.tag: a for r, a in batch.render_requests(model, [group], batch_size=3, threads=1)}
    errors = [float((got[i] - audio).abs().max() / audio.abs().max()) for i, audio in enumerate(alone)]
    assert 1e-6 < max(errors) < 5e-2, errors


def test_speak_batches_chunks_and_its_first_chunk_is_the_seeded_one(model, voice):
    text = TEXTS[2] + " " + TEXTS[1]
    options = GenerationOptions(eos_threshold=1e9, temperature=0.7, max_tokens=20)
    torch.manual_seed(9)
    whole = model.generate(voice, text, options)
    first_chunk = batch.make_request(model, voice, text, 0, options).chunks[0]
    torch.manual_seed(9)
    spoken = batch.speak(model, voice, text, options, batch_size=8, threads=1)
    assert spoken.shape == whole.shape  # EOS off: every chunk runs to its length cap on both paths
    first = model.max_frames(len(first_chunk.tokens)) * 1920
    assert (spoken[:first] - whole[:first]).abs().max() <= 1e-4  # continues the seeded global generator
    assert (spoken[first:] - whole[first:]).abs().max() > 1e-3  # later chunks: their own seeds
    torch.manual_seed(9)
    assert torch.equal(batch.speak(model, voice, text, options, batch_size=8, threads=1), spoken)


def test_the_generator_reports_a_chunk_stopped_at_its_frame_limit(model, voice):
    """A request whose EOS never fires ends at the frame limit and says so; one stopped by EOS does not."""
    never, always = GenerationOptions(eos_threshold=1e9), GenerationOptions(eos_threshold=-1e9)
    group = [
        batch.make_request(model, voice, "Hello there.", 1, never),
        batch.make_request(model, voice, "Hello there.", 2, always),
    ]
    done = {id(request): audio for request, audio in batch.render_requests(model, [group], threads=1)}
    assert [request.hit_frame_limit for request in group] == [True, False]
    assert len(done[id(group[0])]) == group[0].chunks[0].max_frames * 1920
