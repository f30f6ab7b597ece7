"""The real model-style token counter for text tests: the session's 4000-piece SentencePiece tokenizer."""

import pytest
import sentencepiece as spm


@pytest.fixture(scope="session")
def count_tokens(tokenizer_files):
    processor = spm.SentencePieceProcessor(model_file=str(tokenizer_files[0]))
    return lambda text: len(processor.encode(text))
