"""Voice-state files in the reference's format: reference exports load in ours, ours load in the reference."""

from __future__ import annotations

import pytest
import soundfile
import torch
from safetensors.torch import load_file, save_file

from audiobook_tts.tts.config import load_config
from audiobook_tts.tts.errors import ModelError
from audiobook_tts.tts.model import PocketTTS, load_voice_state, save_voice_state
from audiobook_tts.tts.options import GenerationOptions
from audiobook_tts.tts.tokenizer import load_tokenizer

NO_EOS = 1e9
TEXT = "A short line, spoken twice."


@pytest.fixture(scope="module")
def models(tiny_checkpoint):
    from tests.fixtures.reference import load_reference

    yaml_path, weights_path = tiny_checkpoint
    ref = load_reference(yaml_path, eos_threshold=NO_EOS)
    torch.set_num_threads(1)
    config = load_config(yaml_path)
    table = config.flow_lm.lookup_table
    ours = PocketTTS.from_files(config, weights_path, load_tokenizer(table.tokenizer_path, table.tokenizer))
    return ref, ours


@pytest.fixture(scope="module")
def voice_audio(voice_wav):
    from pocket_tts.data.audio_utils import end_on_pause

    samples, rate = soundfile.read(str(voice_wav), dtype="float32")
    raw = torch.from_numpy(samples)[None]
    return raw, end_on_pause(raw, rate)


def test_reference_export_loads_in_ours_and_speaks_the_same(models, voice_audio, tmp_path):
    from pocket_tts.models.model_state import export_model_state

    ref, ours = models
    raw, processed = voice_audio
    torch.manual_seed(3)
    export_model_state(ref.get_state_for_audio_prompt(raw), tmp_path / "ref_voice.safetensors")
    torch.manual_seed(3)
    direct = ours.voice_from_audio(processed)

    loaded = load_voice_state(tmp_path / "ref_voice.safetensors")
    assert torch.equal(loaded.offset, direct.offset)
    for a, b in zip(loaded.keys + loaded.values, direct.keys + direct.values, strict=True):
        assert (a - b).abs().max() <= 1e-5

    # A loaded voice draws no noise: generation from it equals the reference's from the same file.
    ref.temp = 0.3
    torch.manual_seed(4)
    ref_audio = ref.generate_audio(ref.get_state_for_audio_prompt(tmp_path / "ref_voice.safetensors"), TEXT)
    torch.manual_seed(4)
    our_audio = ours.generate(loaded, TEXT, GenerationOptions(temperature=0.3, eos_threshold=NO_EOS))
    assert our_audio.shape == ref_audio.shape
    assert (our_audio - ref_audio).abs().max() <= 1e-4


def test_our_export_loads_in_the_reference(models, voice_audio, tmp_path):
    from pocket_tts.models.model_state import _import_model_state

    ref, ours = models
    _, processed = voice_audio
    torch.manual_seed(5)
    voice = ours.voice_from_audio(processed)
    save_voice_state(voice, tmp_path / "ours.safetensors")

    imported = _import_model_state(tmp_path / "ours.safetensors", torch.device("cpu"))
    assert len(imported) == len(voice.keys)
    for layer in range(len(voice.keys)):
        fields = imported[f"transformer.layers.{layer}.self_attn"]
        assert torch.equal(fields["offset"], voice.offset) and torch.equal(
            fields["pad"], torch.zeros(1).long()
        )
        assert torch.equal(fields["cache"], torch.stack([voice.keys[layer], voice.values[layer]]))

    ref.temp = 0.0
    torch.manual_seed(6)
    ref_audio = ref.generate_audio(imported, TEXT)
    torch.manual_seed(6)
    our_audio = ours.generate(
        load_voice_state(tmp_path / "ours.safetensors"),
        TEXT,
        GenerationOptions(temperature=0.0, eos_threshold=NO_EOS),
    )
    assert (our_audio - ref_audio).abs().max() <= 1e-4


def test_legacy_current_end_and_bad_files(models, voice_audio, tmp_path):
    _, ours = models
    torch.manual_seed(7)
    voice = ours.voice_from_audio(voice_audio[1])
    save_voice_state(voice, tmp_path / "v.safetensors")
    tensors = load_file(str(tmp_path / "v.safetensors"))
    length = int(voice.offset)
    legacy = {}
    for key, value in tensors.items():
        module, field = key.split("/")
        if field == "offset":
            legacy[f"{module}/current_end"] = torch.zeros(length)  # 1.x: the length is the shape
        elif field == "cache":
            legacy[key] = value
    save_file(legacy, str(tmp_path / "legacy.safetensors"))
    old = load_voice_state(tmp_path / "legacy.safetensors")
    assert int(old.offset) == length and torch.equal(old.keys[0], voice.keys[0])

    with pytest.raises(ModelError, match="not found"):
        load_voice_state(tmp_path / "missing.safetensors")
    save_file({"something/else": torch.zeros(1)}, str(tmp_path / "other.safetensors"))
    with pytest.raises(ModelError, match="unexpected entry"):
        load_voice_state(tmp_path / "other.safetensors")
    wrong = load_voice_state(tmp_path / "v.safetensors")
    wrong.keys, wrong.values = wrong.keys[:1], wrong.values[:1]
    with pytest.raises(ModelError, match="does not fit this model"):
        ours.generate(wrong, TEXT)


def test_stream_yields_frames_as_decoded_and_equals_generate(models, voice_audio):
    _, ours = models
    torch.manual_seed(8)
    voice = ours.voice_from_audio(voice_audio[1])
    offset = int(voice.offset)
    frames = ours.stream(voice, TEXT, GenerationOptions(temperature=0.3, eos_threshold=NO_EOS))
    first = next(frames)  # lazily: one latent generated and decoded
    assert first.shape == (1920,) and first[0] == 0  # each chunk's first 5 ms are faded in from silence
    rest = list(frames)
    torch.manual_seed(8)
    again = ours.generate(
        ours.voice_from_audio(voice_audio[1]), TEXT, GenerationOptions(temperature=0.3, eos_threshold=NO_EOS)
    )
    assert torch.equal(torch.cat([first, *rest]), again)
    assert int(voice.offset) == offset  # the voice itself is never advanced


def test_decoding_several_frames_per_call_only_rounds_differently(models, voice_audio):
    _, ours = models
    outputs = []
    for frames_per_decode in (1, 3):
        torch.manual_seed(9)
        voice = ours.voice_from_audio(voice_audio[1])
        frames = list(
            ours.stream(
                voice,
                TEXT,
                GenerationOptions(temperature=0.3, eos_threshold=NO_EOS),
                frames_per_decode=frames_per_decode,
            )
        )
        assert all(frame.shape == (1920,) for frame in frames)
        outputs.append(torch.cat(frames))
    assert outputs[0].shape == outputs[1].shape
    assert (outputs[0] - outputs[1]).abs().max() <= 1e-6
