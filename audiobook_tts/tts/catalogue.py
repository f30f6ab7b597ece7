"""The released Pocket TTS models and voices, by name.

Model configs are data files in `configs/` (the pocket-tts 4.0.1 set: same schema, values and pinned hub
revisions). The predefined voices are voice states precomputed by Kyutai for each released model from the
source recordings listed here; any voice name works with any model, but only with the released weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from audiobook_tts.tts.config import Config, load_config
from audiobook_tts.tts.errors import ModelError

CONFIGS_DIR = Path(__file__).parent / "configs"
DEFAULT_MODEL = "english"

# Voice-state files live in the ungated repo, one folder per model config, at one pinned revision.
VOICE_STATES_REPO = "kyutai/pocket-tts-without-voice-cloning"
VOICE_STATES_REVISION = "a7056f505a4a8ca72d8b5fb1440071d6f1a35739"
VOICE_LICENCES_URL = "https://huggingface.co/kyutai/tts-voices"


def model_names() -> list[str]:
    return sorted(p.stem for p in CONFIGS_DIR.glob("*.yaml"))


def config_path(model: str) -> Path:
    path = CONFIGS_DIR / f"{model}.yaml"
    if not path.is_file():
        raise ModelError(f"unknown model {model!r}; choose one of: {', '.join(model_names())}")
    return path


def load_catalogue_config(model: str) -> Config:
    return load_config(config_path(model))


@dataclass(frozen=True)
class Voice:
    name: str
    language: str  # ISO 639-1 code of the source recording
    source: str  # the recording the voice state was made from (hf:// path, pinned where Kyutai pinned it)
    collection: str  # where the recording comes from; its licence terms are listed at VOICE_LICENCES_URL


_TTS_VOICES = "hf://kyutai/tts-voices/"
_POCKET = "hf://kyutai/pocket-tts/"
_POCKET_REV_A = "@64ab7d24c479d736a83b8cc666c4a776fca30fda"

VOICES: dict[str, Voice] = {
    v.name: v
    for v in [
        Voice("alba", "en", _TTS_VOICES + "alba-mackenna/casual.wav", "alba-mackenna"),
        Voice("marius", "en", _TTS_VOICES + "voice-donations/Selfie.wav", "voice-donations"),
        Voice("javert", "en", _TTS_VOICES + "voice-donations/Butter.wav", "voice-donations"),
        Voice("jean", "en", _TTS_VOICES + "ears/p010/freeform_speech_01_enhanced.wav", "EARS"),
        Voice("cosette", "en", _TTS_VOICES + "expresso/ex04-ex02_confused_001_channel1_499s.wav", "Expresso"),
        Voice("anna", "en", _TTS_VOICES + "vctk/p228_023_enhanced.wav", "VCTK"),
        Voice("vera", "en", _TTS_VOICES + "vctk/p229_023_enhanced.wav", "VCTK"),
        Voice("fantine", "en", _TTS_VOICES + "vctk/p244_023_enhanced.wav", "VCTK"),
        Voice("charles", "en", _TTS_VOICES + "vctk/p254_023_enhanced.wav", "VCTK"),
        Voice("paul", "en", _TTS_VOICES + "vctk/p259_023_enhanced.wav", "VCTK"),
        Voice("eponine", "en", _TTS_VOICES + "vctk/p262_023_enhanced.wav", "VCTK"),
        Voice("azelma", "en", _TTS_VOICES + "vctk/p303_023_enhanced.wav", "VCTK"),
        Voice("george", "en", _TTS_VOICES + "vctk/p315_023_enhanced.wav", "VCTK"),
        Voice("mary", "en", _TTS_VOICES + "vctk/p333_023_enhanced.wav", "VCTK"),
        Voice("jane", "en", _TTS_VOICES + "vctk/p339_023_enhanced.wav", "VCTK"),
        Voice("michael", "en", _TTS_VOICES + "vctk/p360_023_enhanced.wav", "VCTK"),
        Voice("eve", "en", _TTS_VOICES + "vctk/p361_023_enhanced.wav", "VCTK"),
        Voice("bill_boerst", "en", _TTS_VOICES + "voice-zero/bill_boerst.wav", "voice-zero"),
        Voice("peter_yearsley", "en", _TTS_VOICES + "voice-zero/peter_yearsley.wav", "voice-zero"),
        Voice("stuart_bell", "en", _TTS_VOICES + "voice-zero/stuart_bell.wav", "voice-zero"),
        Voice("caro_davy", "en", _TTS_VOICES + "voice-zero/caro_davy.wav", "voice-zero"),
        Voice(
            "giovanni",
            "it",
            _POCKET + "common_voice_it_36520747-enhanced-v2.mp3" + _POCKET_REV_A,
            "Common Voice",
        ),
        Voice(
            "lola", "es", _POCKET + "common_voice_es_19762977-enhanced-v2.mp3" + _POCKET_REV_A, "Common Voice"
        ),
        Voice("juergen", "de", _POCKET + "de-DE-juergen.mp3" + _POCKET_REV_A, "kyutai/pocket-tts"),
        Voice("rafael", "pt", _POCKET + "g-Vi8PgmSY0-enhanced-v2.wav" + _POCKET_REV_A, "kyutai/pocket-tts"),
        Voice(
            "daan",
            "nl",
            _POCKET + "cml_tts_nl_11290_9412_000030_0001.flac@2dd944b099d06bb9edbd221fef138685711d9bf0",
            "CML-TTS",
        ),
        Voice(
            "estelle",
            "fr",
            _TTS_VOICES + "unmute-prod-website/developpeuse-3.wav@1fc7395b7e012e2bbebfca14b942a4ef62ccc899",
            "unmute-prod-website",
        ),
    ]
}

# A model whose name contains the key defaults to that voice; every other model to FALLBACK_VOICE.
DEFAULT_VOICE_BY_LANGUAGE = {
    "italian": "giovanni",
    "spanish": "lola",
    "german": "juergen",
    "portuguese": "rafael",
    "french": "estelle",
    "dutch": "daan",
}
FALLBACK_VOICE = "alba"


def default_voice(model: str) -> str:
    for language, voice in DEFAULT_VOICE_BY_LANGUAGE.items():
        if language in model:
            return voice
    return FALLBACK_VOICE


def voice_state_url(model: str, voice: str) -> str:
    """hf:// path of the precomputed state of `voice` for catalogue model `model` (the config file's stem)."""
    if voice not in VOICES:
        raise ModelError(f"unknown voice {voice!r}; choose one of: {', '.join(sorted(VOICES))}")
    return (
        f"hf://{VOICE_STATES_REPO}/languages/{model}/embeddings/{voice}.safetensors@{VOICE_STATES_REVISION}"
    )
