"""Voice recordings that used to cost a traceback or all the memory: one line, and a bounded prompt."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
import torch

from audiobook_tts.tts.audio import PROMPT_SECONDS, load_voice_audio, read_audio
from audiobook_tts.tts.errors import ModelError


def write_tone(path: Path, seconds: float, rate: int = 24000) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1), f.setsampwidth(2), f.setframerate(rate)
        f.writeframes(pcm.tobytes())
    return path


def test_a_ten_minute_recording_is_cloned_from_its_first_30_seconds(tmp_path):
    from pocket_tts.data.audio import audio_read
    from pocket_tts.data.audio_utils import convert_audio

    long = write_tone(tmp_path / "long.wav", 600, rate=22050)
    notes: list[str] = []
    prompt = load_voice_audio(long, PROMPT_SECONDS, notes.append)
    assert prompt.shape == (1, 30 * 24000)
    assert notes == [
        f"voice recording {long} lasts 600 s: the voice is cloned from its first 30 s only, as Pocket TTS "
        "does (a longer prompt costs memory and time, not likeness); to use another part, cut it into a "
        "file of its own"
    ]
    # The reference's truncate=True samples: the first 30 s cut at the file's rate, then resampled.
    ref, rate = audio_read(long)
    assert torch.equal(prompt, convert_audio(ref[..., : int(30 * rate)], rate, 24000, 1))


def test_only_the_prompt_is_decoded(tmp_path):
    samples, rate = read_audio(write_tone(tmp_path / "long.wav", 120), max_seconds=30.1)
    assert len(samples) == int(30.1 * rate)  # two minutes on disk, 30 s in memory


def test_a_recording_of_exactly_30_seconds_is_not_called_cut(tmp_path):
    notes: list[str] = []
    prompt = load_voice_audio(write_tone(tmp_path / "v.wav", 30), PROMPT_SECONDS, notes.append)
    assert prompt.shape == (1, 30 * 24000) and notes == []


def test_a_very_short_recording_is_warned_about(tmp_path):
    short = write_tone(tmp_path / "short.wav", 0.1)
    notes: list[str] = []
    assert load_voice_audio(short, PROMPT_SECONDS, notes.append).shape == (1, 2400)
    assert notes == [
        f"voice recording {short} lasts only 0.1 s: a clone from less than 3 s of speech rarely sounds like "
        "the speaker; use 5-30 s of clear speech"
    ]


@pytest.mark.parametrize("cut", [0, 10, 30, 40])
def test_an_empty_or_truncated_wav_is_one_line(tmp_path, cut):
    whole = write_tone(tmp_path / "whole.wav", 1).read_bytes()
    broken = tmp_path / "broken.wav"
    broken.write_bytes(whole[:cut])  # 0 bytes, or cut inside the header (0 and 30: `wave` raised EOFError)
    with pytest.raises(ModelError) as error:
        read_audio(broken)
    message = str(error.value)
    if cut in (0, 30):
        assert (
            message
            == f"voice audio {broken} is empty or cut off inside its header; export the recording again"
        )
    else:  # `wave` calls these no WAV at all; ffmpeg then says why it cannot read them either
        assert message.startswith(f"cannot read voice audio {broken}: ") and "\n" not in message


def test_a_wav_header_followed_by_garbage_is_one_line(tmp_path):
    """`wave` raises RuntimeError (not wave.Error) when a chunk's size points past the end of the file."""
    whole = write_tone(tmp_path / "whole.wav", 1).read_bytes()
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(whole[:12] + bytes(range(256)) * 8)
    with pytest.raises(ModelError) as error:
        read_audio(garbage)
    assert str(error.value).startswith(f"cannot read voice audio {garbage}: ") and "\n" not in str(
        error.value
    )


def test_a_wav_cut_mid_sample_keeps_its_whole_samples(tmp_path):
    whole = write_tone(tmp_path / "whole.wav", 1).read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole[:1001])  # header (44 bytes) + 478.5 samples
    samples, rate = read_audio(cut)
    assert rate == 24000 and len(samples) == 478


def test_a_folder_named_like_a_recording_is_one_line(tmp_path):
    folder = tmp_path / "x.wav"
    folder.mkdir()
    with pytest.raises(ModelError, match=r"^voice audio .*x\.wav is a folder, not an audio file"):
        read_audio(folder)
