"""The segments the text stage makes fit the model's token budget as the model is fed them: each is one chunk
of at most 50 tokens, after the model's own preparation and sentence cut (which can add a token or two to
what the text alone tokenizes to)."""

from __future__ import annotations

import logging
from pathlib import Path

from audiobook_tts.render import RenderOptions, inspect_book
from audiobook_tts.tts.config import load_config
from audiobook_tts.tts.model import PocketTTS
from audiobook_tts.tts.text_prep import TextRules, prepare_prompt, split_into_chunks
from audiobook_tts.tts.tokenizer import load_tokenizer

ALICE = Path(__file__).parents[1] / "data" / "corpus" / "alice-gutenberg-pg11.epub"


def test_every_segment_is_one_chunk_within_the_budget(tiny_checkpoint, tmp_path, caplog):
    yaml_path, weights_path = tiny_checkpoint
    config = load_config(yaml_path)
    table = config.flow_lm.lookup_table
    tokenizer = load_tokenizer(table.tokenizer_path, table.tokenizer, table.n_bins)
    rules = TextRules.from_config(config)
    inspection = inspect_book(ALICE, RenderOptions(out_dir=tmp_path, config=str(yaml_path)))
    texts = [task.segment.text for task in inspection.plan.tasks]
    assert len(texts) > 1000

    over, miscounted = [], []
    model = PocketTTS.from_files(config, weights_path, tokenizer)  # the render plans again with its count
    with caplog.at_level(logging.WARNING):
        for text in texts:
            chunks = split_into_chunks(text, tokenizer, rules, 50)
            fed = [len(tokenizer.encode(prepare_prompt(chunk, rules)[0])) for chunk in chunks]
            if len(chunks) > 1 or fed[0] > 50:
                over.append((fed, text))
            elif not model.count_tokens(text) == inspection.model.count_tokens(text) == fed[0]:
                miscounted.append((fed, text))
    assert over == []  # (with the tokenizer's plain count of the text, 23 of Alice's segments were)
    assert miscounted == []
    assert "exceeds" not in caplog.text
