"""Text -> token ids for the flow LM's lookup table.

Pocket TTS ships two file formats holding the same kind of vocabulary: a SentencePiece `.model` and a
Hugging Face `tokenizers` `.json` (a conversion of the former). Which one a config uses follows the
reference's rule: the config's `tokenizer` value "tokenizers" or "json", or a path ending in `.json` (before
any `@revision`), means the JSON file; anything else means SentencePiece. No BOS/EOS ids are added: the
model expects bare piece ids.
"""

from __future__ import annotations

import json
from pathlib import Path

from audiobook_tts.tts.errors import ModelError

JSON_KINDS = ("tokenizers", "json")


def is_json_tokenizer(kind: str, path: str | Path) -> bool:
    """The reference's backend choice: by the config's `tokenizer` value, else by the file suffix."""
    return kind in JSON_KINDS or str(path).split("@")[0].endswith(".json")


class Tokenizer:
    """encode/decode over one loaded tokenizer file; `vocab_size` must equal the config's `n_bins`.

    `unk_id` is the id a character outside the vocabulary is encoded as (None if the file has no such id):
    the model hears nothing it can read there, so text_prep folds those characters to ones it can.
    """

    path: Path
    vocab_size: int
    unk_id: int | None

    def encode(self, text: str) -> list[int]:
        raise NotImplementedError

    def decode(self, ids: list[int]) -> str:
        raise NotImplementedError


class SentencePieceTokenizer(Tokenizer):
    def __init__(self, path: Path):
        import sentencepiece

        self.path = path
        self._sp = sentencepiece.SentencePieceProcessor()
        self._sp.load(str(path))  # raises OSError on a missing or malformed file
        self.vocab_size = self._sp.vocab_size()
        self.unk_id = self._sp.unk_id()

    def encode(self, text: str) -> list[int]:
        return self._sp.encode(text, out_type=int)

    def decode(self, ids: list[int]) -> str:
        return self._sp.decode(list(ids))


class JsonTokenizer(Tokenizer):
    def __init__(self, path: Path):
        import tokenizers

        self.path = path
        self._tok = tokenizers.Tokenizer.from_file(str(path))
        self.vocab_size = self._tok.get_vocab_size()
        self.unk_id = _json_unk_id(self._tok)

    def encode(self, text: str) -> list[int]:
        # Library default for special tokens, like the reference; these files define no post-processor.
        return self._tok.encode(text).ids

    def decode(self, ids: list[int]) -> str:
        return self._tok.decode(list(ids))


def _json_unk_id(tok) -> int | None:
    """The unknown piece's id: a Unigram model names it by id, BPE and WordPiece by token; the library has
    no getter for either."""
    model = json.loads(tok.to_str()).get("model", {})
    if isinstance(model.get("unk_id"), int):
        return model["unk_id"]
    token = model.get("unk_token")
    return tok.token_to_id(token) if isinstance(token, str) else None


def load_tokenizer(path: str | Path, kind: str = "sentencepiece", vocab_size: int | None = None) -> Tokenizer:
    """Load a local tokenizer file; `kind` is the config's `lookup_table.tokenizer` value.

    `vocab_size`, when given, is checked (the model's lookup table has exactly that many token rows).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"tokenizer file not found: {path}; check the path or the model's tokenizer_path")
    cls = JsonTokenizer if is_json_tokenizer(kind, path) else SentencePieceTokenizer
    try:
        tokenizer = cls(path)
    except Exception as e:  # both libraries raise assorted types on bad files
        fmt = "tokenizers JSON" if cls is JsonTokenizer else "SentencePiece model"
        raise ModelError(f"cannot read tokenizer {path} as a {fmt}: {str(e).splitlines()[0]}") from None
    if vocab_size is not None and tokenizer.vocab_size != vocab_size:
        raise ModelError(
            f"tokenizer {path} has {tokenizer.vocab_size} pieces but the model config expects {vocab_size} "
            "(lookup_table.n_bins); use the tokenizer that belongs to these weights"
        )
    return tokenizer
