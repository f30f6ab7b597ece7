"""Prompt preparation and chunking equal the reference's text_chunking functions, for every rule set."""

from __future__ import annotations

import pytest

from audiobook_tts.tts.errors import ModelError
from audiobook_tts.tts.text_prep import (
    TextRules,
    ensure_terminal_punctuation,
    fold_table,
    frames_after_eos,
    prepare_prompt,
    split_into_chunks,
)
from audiobook_tts.tts.tokenizer import load_tokenizer
from tests.fixtures.texts import sample_texts

# Rule sets of shipped configs: default English, the padded 2026-01 model, small English (dash replacement),
# French (deletions, ':' -> ',', remove_semicolons), Spanish (¿ ¡ deleted), German.
RULE_CONFIGS = ["english", "english_2026-01", "english_2m_2026-10", "french", "spanish", "german"]


def _reference_rules(name: str) -> dict:
    from pocket_tts.utils.config import CONFIGS_DIR, load_config

    c = load_config(CONFIGS_DIR / f"{name}.yaml")
    return dict(
        pad_with_spaces_for_short_inputs=c.pad_with_spaces_for_short_inputs,
        remove_semicolons=c.remove_semicolons,
        append_terminal_punctuation=c.append_terminal_punctuation,
        capitalize_first_letter=c.capitalize_first_letter,
        replace_characters=c.replace_characters,
    )


def _rule_variants(name: str):
    base = _reference_rules(name)
    yield base
    if name == "english":  # the switches no shipped config turns off
        yield dict(base, append_terminal_punctuation=False, capitalize_first_letter=False)
        yield dict(base, pad_with_spaces_for_short_inputs=True, remove_semicolons=True)


@pytest.fixture(scope="module")
def tokenizers_pair(tokenizer_files):
    from pocket_tts.modules.text_conditioner import build_tokenizer

    return load_tokenizer(tokenizer_files[1], "tokenizers"), build_tokenizer(
        4000, str(tokenizer_files[1]), "json"
    )


@pytest.mark.parametrize("config_name", RULE_CONFIGS)
def test_prepare_prompt_matches_reference(config_name):
    from pocket_tts.models.text_chunking import prepare_text_prompt

    for kwargs in _rule_variants(config_name):
        rules = TextRules(**kwargs)
        for text in sample_texts():
            assert prepare_prompt(text, rules) == prepare_text_prompt(text, **kwargs), text


@pytest.mark.parametrize("config_name", RULE_CONFIGS)
@pytest.mark.parametrize("max_tokens", [50, 12])
def test_chunks_match_reference(config_name, max_tokens, tokenizers_pair):
    from pocket_tts.models.text_chunking import prepare_text_prompt, split_into_best_sentences

    ours_tok, ref_tok = tokenizers_pair
    for kwargs in _rule_variants(config_name):
        rules = TextRules(**kwargs)
        for text in sample_texts():
            try:
                expected = split_into_best_sentences(ref_tok, text, max_tokens, **kwargs)
            except ValueError:  # the reference refuses texts that normalise to nothing
                with pytest.raises(ModelError):
                    split_into_chunks(text, ours_tok, rules, max_tokens)
                continue
            chunks = split_into_chunks(text, ours_tok, rules, max_tokens)
            assert chunks == expected, text
            for chunk in chunks:  # and the ids the model finally sees, chunk by chunk
                ours_text, ours_guess = prepare_prompt(chunk, rules)
                ref_text, ref_guess = prepare_text_prompt(chunk, **kwargs)
                assert ours_tok.encode(ours_text) == ref_tok(ref_text)[0].tolist()
                assert ours_guess == ref_guess


def test_chunking_with_sentencepiece_backend(tokenizer_files):
    from pocket_tts.models.text_chunking import split_into_best_sentences
    from pocket_tts.modules.text_conditioner import build_tokenizer

    ours = load_tokenizer(tokenizer_files[0])
    ref = build_tokenizer(4000, str(tokenizer_files[0]))
    kwargs = _reference_rules("english_2m_2026-10")
    for text in sample_texts():
        assert split_into_chunks(text, ours, TextRules(**kwargs)) == split_into_best_sentences(
            ref, text, 50, **kwargs
        )


def test_long_passage_is_split_and_packed(tokenizers_pair):
    tok, _ = tokenizers_pair
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = split_into_chunks(text, tok, TextRules(), max_tokens=50)
    assert len(chunks) > 1
    assert " ".join(chunks) == text
    assert all(len(tok.encode(c)) <= 50 for c in chunks)


def test_decimal_numbers_are_not_sentence_ends(tokenizers_pair):
    tok, _ = tokenizers_pair
    chunks = split_into_chunks("Pi is 3.14 roughly. " * 8, tok, TextRules(), max_tokens=10)
    assert all(not c.startswith("14") for c in chunks)


def test_prepare_prompt_rules():
    assert prepare_prompt("hello there", TextRules()) == ("Hello there.", 3)
    assert prepare_prompt("one two three four five", TextRules()) == ("One two three four five.", 1)
    assert prepare_prompt("hi", TextRules(pad_with_spaces_for_short_inputs=True)) == ("        Hi.", 3)
    assert prepare_prompt("a; b", TextRules(remove_semicolons=True))[0] == "A, b."
    assert prepare_prompt("a   b", TextRules())[0] == "A  b."  # a single "two spaces -> one" pass
    assert ensure_terminal_punctuation('He said "go,"') == 'He said "go."'
    assert ensure_terminal_punctuation("(see above)") == "(see above)."
    assert ensure_terminal_punctuation("Done!\u201d") == "Done!\u201d"
    with pytest.raises(ModelError):
        prepare_prompt("   \n ", TextRules())
    with pytest.raises(ModelError):
        prepare_prompt("«»", TextRules(replace_characters={"«": "", "»": ""}))


def test_frames_after_eos_precedence():
    assert frames_after_eos(3) == 5
    assert frames_after_eos(1, recommended=4) == 4
    assert frames_after_eos(1, requested=0, recommended=4) == 0


def _random_texts(count: int, seed: int = 0) -> list[str]:
    """Seeded jumbles of words, numbers, punctuation, quotes, brackets and odd whitespace."""
    import random

    rng = random.Random(seed)
    pieces = (
        ["the", "Cat", "über", "l'élève", "3.5", "12", "1.", "A.B.", "x"] * 3
        + list(".!?…,;:-–—\"'“”‘’«»()[]¿¡")
        + [" ", "  ", "   ", "\n", "\r\n", "\t", "..."]
    )
    texts = []
    for _ in range(count):
        n = rng.randint(1, 60)
        texts.append("".join(rng.choice(pieces) + rng.choice(["", " ", " "]) for _ in range(n)))
    return texts


@pytest.mark.parametrize("config_name", RULE_CONFIGS)
def test_random_texts_match_reference(config_name, tokenizers_pair):
    from pocket_tts.models.text_chunking import prepare_text_prompt, split_into_best_sentences

    ours_tok, ref_tok = tokenizers_pair
    for kwargs in _rule_variants(config_name):
        rules = TextRules(**kwargs)
        for text in _random_texts(80, seed=len(config_name)):
            try:
                expected = prepare_text_prompt(text, **kwargs)
            except ValueError:
                with pytest.raises(ModelError):
                    prepare_prompt(text, rules)
                continue
            assert prepare_prompt(text, rules) == expected, repr(text)
            assert split_into_chunks(text, ours_tok, rules, 20) == split_into_best_sentences(
                ref_tok, text, 20, **kwargs
            ), repr(text)


# The sweep's unreadable characters (the test vocabulary lacks them) and what the text stage is to read
# instead; the engine itself feeds them as the reference does (the tests above).
FOLDED = [
    (
        "April 14th. Leaving Socégo, we rode to the Rio Macâe.",
        "April 14th. Leaving Socégo, we rode to the Rio Macae.",
    ),
    ("A′A′. Outer edges of the reef. B′B′.", "A'A'. Outer edges of the reef. B'B'."),
    ("A″ and A′′, the lagoon.", "A\" and A'', the lagoon."),  # (NFKC makes ″ two primes)
    ("ÉTUDE, Ève, Être, Âge, Île, Ôter, Ûber.", "ETUDE, Eve, Etre, Age, Ile, Oter, Uber."),
    ("Señor Ñuñez of Ålesund and Ødegaard.", "Señor Nuñez of Alesund and Odegaard."),
    ("The waggon ⸺ stopped.", "The waggon - stopped."),
    ("A zero\u200bwidth space, a\ttab.", "A zerowidth space, a tab."),
    # The Devil's Dictionary quotes Greek: a narrator says the word, the model heard an unknown piece
    (
        "the Greek word “ᾍδης” as “Hell”; his name⁠—χριστός.",
        "the Greek word “Hadis” as “Hell”; his name—christos.",
    ),
]


def folded(text: str, tokenizer, rules: TextRules | None = None) -> str:
    table = fold_table(text, tokenizer, rules or TextRules())
    return "".join(table.get(c, c) for c in text)


@pytest.mark.parametrize("backend", [0, 1])
def test_unreadable_characters_fold_to_readable_ones(tokenizer_files, backend):
    tok = load_tokenizer(tokenizer_files[backend])
    assert all(0 in tok.encode(c) for c in "âÉÊÂÎÔÛÑåø′″⸺\t")  # the premise: the vocabulary lacks them
    for text, expected in FOLDED:
        assert folded(text, tok) == expected
        assert 0 not in tok.encode(expected)


def test_readable_text_folds_to_nothing(tokenizers_pair):
    """Text the vocabulary reads whole (é, ü, ç, ’ ...) needs no fold: its tokens stay the reference's."""
    tok, _ = tokenizers_pair
    texts = [t for t in sample_texts() if 0 not in tok.encode(t)]
    assert len(texts) > 0.9 * len(sample_texts())
    texts += ["Le café où l'élève a étudié, Über die Brücke, ¿Dónde está? « Bonjour ! » ’tis…"]
    assert fold_table("".join(texts), tok, TextRules()) == {}


def test_each_vocabulary_keeps_the_letters_it_knows(tmp_path, tokenizer_files):
    """The fold follows the model's own tokenizer: one that knows â (as the French model's does) keeps it."""
    import sentencepiece as spm

    lines = ["Il passera dans les grands, où l'appelle son âge. Grâce à l'Étude, jaunâtre."] * 50
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix=str(tmp_path / "fr"),
        vocab_size=60,
        hard_vocab_limit=False,
        character_coverage=1.0,
        unk_id=0,
        bos_id=-1,
        eos_id=-1,
        minloglevel=2,
    )
    french, english = load_tokenizer(tmp_path / "fr.model"), load_tokenizer(tokenizer_files[0])
    text = "Grâce à l'Étude, son âge."
    assert folded(text, french) == text
    assert folded(text, english) == "Grace à l'Etude, son age."


def test_the_configs_own_table_goes_first(tokenizers_pair):
    """A character the config replaces is the config's, even when the vocabulary lacks it."""
    tok, _ = tokenizers_pair
    assert folded("A′A′.", tok, TextRules(replace_characters={"′": "1"})) == "A′A′."
