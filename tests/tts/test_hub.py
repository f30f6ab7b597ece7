"""Hub resolution through the real huggingface_hub code against a fake offline cache; load_model/load_voice
end to end from catalogue names, compared with the reference on the same random-weight files."""

from __future__ import annotations

import logging

import pytest
import torch

from audiobook_tts.tts import catalogue, hub, load_model, load_voice
from audiobook_tts.tts.errors import ModelError

ENGLISH = catalogue.load_catalogue_config("english")


def test_parse_hub_addresses():
    f = hub.HubFile.parse("hf://kyutai/pocket-tts/languages/english/model.safetensors@db04f0e6")
    assert (f.repo_id, f.filename, f.revision) == (
        "kyutai/pocket-tts",
        "languages/english/model.safetensors",
        "db04f0e6",
    )
    assert hub.HubFile.parse("hf://a/b/c.wav").revision is None
    with pytest.raises(ModelError, match="bad hub address"):
        hub.HubFile.parse("hf://only-owner/file")


def test_local_paths_pass_through(tmp_path):
    assert hub.resolve(tmp_path / "x.yaml") == tmp_path / "x.yaml"
    with pytest.raises(ModelError, match="web addresses are not supported"):
        hub.resolve("https://example.com/model.safetensors")


def test_pinned_revision_found_in_cache(fake_hub):
    path = hub.resolve(ENGLISH.weights_path)
    assert path.samefile(fake_hub.weights)
    assert hub.resolve(ENGLISH.flow_lm.lookup_table.tokenizer_path).samefile(fake_hub.tokenizer)


def test_missing_file_offline_is_one_line_with_fixes():
    # the session's default cache is empty and HF_HUB_OFFLINE=1
    with pytest.raises(ModelError) as info:
        hub.resolve(ENGLISH.weights_path, what="model weights")
    message = str(info.value)
    assert "\n" not in message
    assert "languages/english/model.safetensors from kyutai/pocket-tts@db04f0e6" in message
    assert "offline mode is on" in message
    assert "--weights FILE" in message and "HF_HOME" in message


def test_after_a_network_failure_uncached_files_fail_at_once(fake_hub, monkeypatch):
    # What the first failed download leaves behind (it costs huggingface_hub's ~20 s of retries once).
    monkeypatch.setattr(hub, "_unreachable", "ConnectError: Name or service not known")
    assert hub.resolve(ENGLISH.weights_path).samefile(fake_hub.weights)  # cached files still resolve
    with pytest.raises(hub.HubFileUnavailable, match="unreachable earlier in this run") as info:
        hub.resolve(catalogue.voice_state_url("english", "alba"), local_option="--voice FILE")
    assert "--voice FILE" in str(info.value) and "\n" not in str(info.value)


def test_gated_bundle_falls_back_once(gated_hub):
    notices: list[str] = []
    hub._warned.clear()
    for _ in range(2):
        resolved = hub.resolve_weights(
            ENGLISH.weights_path, ENGLISH.weights_path_without_voice_cloning, notify=notices.append
        )
        assert resolved.path.samefile(gated_hub.weights) and not resolved.has_voice_cloning
    assert len(notices) == 1
    assert "without voice cloning" in notices[0] and "hf auth login" in notices[0]
    assert "languages/english/model.safetensors from kyutai/pocket-tts@db04f0e6" in notices[0]
    assert "not cached and offline mode is on" in notices[0]


def test_no_bundle_at_all_names_the_fallback_file():
    with pytest.raises(ModelError, match="pocket-tts-without-voice-cloning"):
        hub.resolve_weights(ENGLISH.weights_path, ENGLISH.weights_path_without_voice_cloning)


def test_load_model_offline_without_cache_fails_fast():
    with pytest.raises(ModelError, match="not in the Hugging Face cache"):
        load_model("english")


def test_load_model_rejects_conflicting_and_unknown_arguments(tmp_path):
    with pytest.raises(ModelError, match="not both"):
        load_model("english", config=tmp_path / "x.yaml")
    with pytest.raises(ModelError, match="unknown model 'englsh'"):
        load_model("englsh")
    with pytest.raises(ModelError, match="model config not found"):
        load_model(config=tmp_path / "missing.yaml")


@pytest.fixture(scope="module")
def english_from_hub(fake_hub_files):
    """Our full-size `english` model loaded by catalogue name from the fake cache (random weights)."""
    import huggingface_hub.constants as hf_constants

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(hf_constants, "HF_HUB_CACHE", str(fake_hub_files.cache_dir))
        yield load_model("english", eos_threshold=1e9)


@pytest.mark.slow  # the full-size model
def test_catalogue_model_and_voice_match_reference(english_from_hub, fake_hub_files):
    from tests.fixtures.reference import load_reference, run_reference

    model = english_from_hub
    assert model.catalogue_name == "english" and model.has_voice_cloning
    assert model.config.default_eos_threshold == 1e9 and model.config.default_temperature == 0.3

    reference = load_reference(fake_hub_files.local_yaml, eos_threshold=1e9)
    text = "Hi there."
    ref_run = run_reference(
        fake_hub_files.local_yaml, text, fake_hub_files.voices["fantine"], seed=7, model=reference
    )
    torch.manual_seed(7)  # the reference run seeded the same way before its voice
    audio = model.generate(load_voice(model, "fantine"), text)
    assert audio.shape == ref_run.audio.shape
    assert torch.allclose(audio, ref_run.audio, rtol=0, atol=1e-6)  # measured: ~5e-8


@pytest.mark.slow  # the full-size model
def test_cloning_from_audio_matches_reference_voice_state(english_from_hub, fake_hub_files, voice_wav):
    from tests.fixtures.reference import load_reference, reference_voice_state

    model = english_from_hub
    reference = load_reference(fake_hub_files.local_yaml)
    torch.manual_seed(0)
    ref_state = reference_voice_state(reference, voice_wav)
    torch.manual_seed(0)
    ours = load_voice(model, str(voice_wav))
    length = int(ref_state["transformer.layers.0.self_attn"]["offset"])
    assert int(ours.offset.max()) == length
    for layer in range(len(ours.keys)):
        cache = ref_state[f"transformer.layers.{layer}.self_attn"]["cache"][:, :, :length]
        # Measured: <= 2.3e-6 on entries up to ~2.7 (float rounding: our Mimi, its ELU included).
        assert torch.allclose(ours.keys[layer][:, :length], cache[0], rtol=0, atol=1e-5)
        assert torch.allclose(ours.values[layer][:, :length], cache[1], rtol=0, atol=1e-5)


def test_catalogue_voice_needs_catalogue_model(tiny_checkpoint):
    yaml_path, _ = tiny_checkpoint
    model = load_model(config=yaml_path)
    assert model.catalogue_name is None
    with pytest.raises(ModelError, match="catalogue voice 'fantine' exists only for the released models"):
        load_voice(model, "fantine")
    with pytest.raises(ModelError, match="unknown voice 'fantyne'"):
        load_voice(model, "fantyne")


def test_gated_model_refuses_cloning_but_keeps_catalogue_voices(gated_hub, voice_wav, caplog):
    hub._warned.clear()
    with caplog.at_level(logging.WARNING, logger="audiobook_tts.tts.hub"):
        model = load_model("english")
    assert not model.has_voice_cloning
    assert sum("without voice cloning" in r.message for r in caplog.records) == 1
    assert int(load_voice(model, "fantine").offset.max()) > 0
    with pytest.raises(ModelError, match="hf auth login") as info:
        load_voice(model, str(voice_wav))
    assert "\n" not in str(info.value)


def test_explicit_weights_and_tokenizer_and_voice_state_files(
    tiny_checkpoint, tokenizer_files, voice_wav, tmp_path
):
    from audiobook_tts.tts.model import save_voice_state
    from tests.fixtures.reference import export_reference_voice, load_reference

    yaml_path, weights_path = tiny_checkpoint
    # the config's own files replaced by explicit ones (here: the SentencePiece twin of its JSON tokenizer)
    model = load_model(config=yaml_path, weights=weights_path, tokenizer=tokenizer_files[0], temperature=0.5)
    assert type(model.tokenizer).__name__ == "SentencePieceTokenizer"
    assert model.config.default_temperature == 0.5

    torch.manual_seed(0)
    cloned = load_voice(model, voice_wav)
    ours_file = tmp_path / "ours.safetensors"
    save_voice_state(cloned, ours_file)
    reloaded = load_voice(model, str(ours_file))
    assert torch.equal(reloaded.keys[0], cloned.keys[0][:, : int(cloned.offset.max())])

    ref_file = export_reference_voice(load_reference(yaml_path), voice_wav, tmp_path / "ref.safetensors")
    from_reference = load_voice(model, ref_file)
    assert torch.allclose(from_reference.keys[-1], reloaded.keys[-1], atol=1e-4)


def test_voice_state_of_another_architecture_is_refused(checkpoint_factory, voice_wav, tmp_path):
    from audiobook_tts.tts.model import save_voice_state
    from tests.fixtures.checkpoint import TINY_OVERRIDES, deep_merge

    small = load_model(config=checkpoint_factory("english")[0])
    torch.manual_seed(0)
    save_voice_state(load_voice(small, voice_wav), tmp_path / "two_layers.safetensors")
    deeper = deep_merge(TINY_OVERRIDES, {"flow_lm": {"transformer": {"num_layers": 3}}})
    other = load_model(config=checkpoint_factory("english", overrides=deeper)[0])
    with pytest.raises(ModelError, match="does not fit this model"):
        load_voice(other, tmp_path / "two_layers.safetensors")


def test_tokenizer_alone_for_a_catalogue_model(small_hub, tokenizer_files):
    from audiobook_tts.tts import load_model_config, load_model_tokenizer

    config = load_model_config("english_2m_2026-10")
    assert load_model_tokenizer(config).path.samefile(small_hub.tokenizer)
    explicit = load_model_tokenizer(load_model_config(), tokenizer_files[1])
    assert type(explicit).__name__ == "JsonTokenizer"
    with pytest.raises(ModelError, match="not in the Hugging Face cache.*--tokenizer FILE"):
        load_model_tokenizer(load_model_config("french"))


def test_offline_set_up_lists_every_missing_file_and_one_command(small_hub):
    """Model files cached, two of three voices not: one error naming just those two, and the one command."""
    from audiobook_tts.tts import check_model_files

    check_model_files("english_2m_2026-10", voices=["alba", "fantine"])  # all cached: nothing to say
    with pytest.raises(ModelError) as error:
        check_model_files("english_2m_2026-10", voices=["alba", "marius", "jean", "marius"])
    message = str(error.value)
    assert message.startswith("2 files are not in the Hugging Face cache") and "HF_HUB_OFFLINE" in message
    assert "marius.safetensors" in message and "jean.safetensors" in message and "alba" not in message
    assert message.count("marius") == 2  # its file, and once in the command
    assert "`audiobook-tts download --model english_2m_2026-10 --voice marius --voice jean`" in message
    assert "--tokenizer" not in message and len(message.splitlines()) == 1


def test_offline_set_up_with_nothing_cached_names_model_and_voice_at_once():
    from audiobook_tts.tts import check_model_files

    with pytest.raises(ModelError) as error:
        check_model_files(None, voices=["fantine"])
    message = str(error.value)
    assert message.startswith("3 files are not in the Hugging Face cache")
    assert all(name in message for name in ("tokenizer.json", "model.safetensors", "fantine.safetensors"))
    assert "`audiobook-tts download --voice fantine`" in message
