"""Our tokenizer gives the same ids and text as the reference's conditioner tokenizers, both formats."""

from __future__ import annotations

import pytest

from audiobook_tts.tts.errors import ModelError
from audiobook_tts.tts.tokenizer import (
    JsonTokenizer,
    SentencePieceTokenizer,
    is_json_tokenizer,
    load_tokenizer,
)
from tests.fixtures.texts import sample_texts


@pytest.mark.parametrize("kind", ["sentencepiece", "tokenizers"])
def test_ids_and_decoding_match_reference(tokenizer_files, kind):
    from pocket_tts.modules.text_conditioner import build_tokenizer

    path = tokenizer_files[1] if kind == "tokenizers" else tokenizer_files[0]
    ours = load_tokenizer(path, kind, vocab_size=4000)
    ref = build_tokenizer(4000, str(path), kind)
    assert type(ours).__name__ == type(ref).__name__  # same backend chosen
    texts = list(sample_texts()) + ["        Short padded.", ".!...?", ",;:"]
    for text in texts:
        ids = ours.encode(text)
        assert ids == ref(text)[0].tolist(), text
        assert ours.decode(ids) == ref.decode(ids)
    assert ours.vocab_size == 4000


def test_backend_choice_follows_reference_rule():
    assert is_json_tokenizer("tokenizers", "x.model")
    assert is_json_tokenizer("json", "x")
    assert is_json_tokenizer("sentencepiece", "hf://a/b/tokenizer.json@00eac05e")
    assert not is_json_tokenizer("sentencepiece", "hf://a/b/tokenizer.model@08ffc587")
    assert not is_json_tokenizer("anything", "tok.json.model")


def test_kind_and_suffix_pick_the_class(tokenizer_files):
    model_path, json_path = tokenizer_files
    assert isinstance(load_tokenizer(json_path, "sentencepiece"), JsonTokenizer)  # suffix wins
    assert isinstance(load_tokenizer(model_path), SentencePieceTokenizer)


def test_bad_files_are_model_errors(tmp_path, tokenizer_files):
    with pytest.raises(ModelError, match="not found"):
        load_tokenizer(tmp_path / "missing.model")
    junk = tmp_path / "junk.model"
    junk.write_text("not a model")
    with pytest.raises(ModelError, match="junk.model"):
        load_tokenizer(junk)
    junk_json = tmp_path / "junk.json"
    junk_json.write_text("{")
    with pytest.raises(ModelError, match="junk.json"):
        load_tokenizer(junk_json)
    with pytest.raises(ModelError, match="4000 pieces but the model config expects 1024"):
        load_tokenizer(tokenizer_files[0], vocab_size=1024)


def test_unknown_id_of_both_formats(tokenizer_files, tmp_path):
    from tokenizers import Tokenizer as HfTokenizer
    from tokenizers import models

    for path in tokenizer_files:
        tokenizer = load_tokenizer(path)
        assert tokenizer.unk_id == 0
        assert tokenizer.encode("Rio Mac\u00e2e")[-2] == 0  # the test vocabulary has no â
    bpe = HfTokenizer(models.BPE({"a": 0, "b": 1, "[UNK]": 2}, [], unk_token="[UNK]"))
    bpe.save(str(tmp_path / "bpe.json"))
    assert load_tokenizer(tmp_path / "bpe.json").unk_id == 2  # named by token, not by id
    HfTokenizer(models.BPE({"a": 0, "b": 1}, [])).save(str(tmp_path / "none.json"))
    assert load_tokenizer(tmp_path / "none.json").unk_id is None
