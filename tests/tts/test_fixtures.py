"""The shared fixtures themselves: tokenizer twins, checkpoints run by the reference, fake hub layout."""

from __future__ import annotations

import wave

import sentencepiece as spm
import tokenizers


def test_tokenizer_twins_have_4000_pieces_and_agree(tokenizer_files):
    model_path, json_path = tokenizer_files
    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    tok = tokenizers.Tokenizer.from_file(str(json_path))
    assert sp.vocab_size() == tok.get_vocab_size() == 4000
    for text in ["        Hello world. It's 3.5 kg!", "Le café où l'élève; « Bonjour ! »", "a  b   c"]:
        assert sp.encode(text) == tok.encode(text).ids


def test_voice_wav_is_24k_mono_16bit_speech(voice_wav):
    with wave.open(str(voice_wav)) as f:
        assert (f.getframerate(), f.getnchannels(), f.getsampwidth()) == (24000, 1, 2)
        assert 5.0 < f.getnframes() / 24000 < 10.0


def test_tiny_checkpoint_runs_in_reference(tiny_checkpoint, voice_wav):
    from tests.fixtures.reference import run_reference

    yaml_path, _ = tiny_checkpoint
    first = run_reference(yaml_path, "Hello there.", voice_wav, seed=3, eos_threshold=1e9)
    again = run_reference(yaml_path, "Hello there.", voice_wav, seed=3, eos_threshold=1e9, model=first.model)
    assert first.audio.ndim == 1 and first.audio.abs().max() > 1e-3
    assert (first.audio == again.audio).all()  # frame-by-frame decoding is deterministic
    layer = first.voice_state["transformer.layers.0.self_attn"]
    assert layer["cache"].shape[2] == int(layer["offset"])  # capacity == voice prompt length


def test_fake_hub_resolves_pinned_revisions(fake_hub):
    from huggingface_hub import hf_hub_download

    from tests.fixtures.checkpoint import load_config_dict
    from tests.fixtures.hub import predefined_voice_url, split_hf_url

    config = load_config_dict("english")
    for url in (
        config["weights_path"],
        config["flow_lm"]["lookup_table"]["tokenizer_path"],
        predefined_voice_url("english", "fantine"),
    ):
        repo_id, filename, revision = split_hf_url(url)
        assert hf_hub_download(repo_id, filename, revision=revision)


def test_small_hub_serves_a_catalogue_model_end_to_end(small_hub):
    import torch

    from audiobook_tts.tts import load_model, load_voice

    model = load_model("english_2m_2026-10", eos_threshold=1e9)
    assert type(model.tokenizer).__name__ == "SentencePieceTokenizer"
    torch.manual_seed(0)
    audio = model.generate(load_voice(model, "alba"), "Hello.")
    assert audio.numel() == model.max_frames(len(model.tokenizer.encode("Hello."))) * 1920


def test_small_hub_serves_voice_recordings_for_custom_models(small_hub, tiny_checkpoint):
    from audiobook_tts.tts import catalogue, load_model, load_voice

    model = load_model(config=tiny_checkpoint[0])  # a custom model clones alba's recording instead
    state = load_voice(model, catalogue.VOICES["alba"].source)  # unpinned hf:// address, via refs/main
    assert int(state.offset.max()) > 0
