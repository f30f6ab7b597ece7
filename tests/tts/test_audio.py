"""Voice-prompt reading, resampling, end_on_pause and WAV writing equal the reference's functions."""

from __future__ import annotations

import io
import subprocess
import wave

import imageio_ffmpeg
import numpy as np
import pytest
import soundfile
import torch

from audiobook_tts.tts.audio import end_on_pause, load_voice_audio, read_audio, write_wav
from audiobook_tts.tts.errors import ModelError


def _ffmpeg(src, dst, *args):
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", str(src), *args, str(dst)]
    subprocess.run(cmd, check=True)
    return dst


@pytest.fixture(scope="module")
def voice_files(tmp_path_factory, voice_wav):
    """The espeak prompt in several containers, rates and channel layouts (made with real ffmpeg)."""
    d = tmp_path_factory.mktemp("voices")
    stereo = "pan=stereo|c0=c0|c1=0.5*c0"  # two different channels, so the channel mean matters
    return {
        "wav16_24k_mono": voice_wav,
        "wav16_22k_stereo": _ffmpeg(
            voice_wav, d / "a.wav", "-af", stereo, "-ar", "22050", "-c:a", "pcm_s16le"
        ),
        "wav24_44k": _ffmpeg(voice_wav, d / "b.wav", "-ar", "44100", "-c:a", "pcm_s24le"),
        "wavf32_16k": _ffmpeg(voice_wav, d / "c.wav", "-ar", "16000", "-c:a", "pcm_f32le"),
        "flac_48k_stereo": _ffmpeg(voice_wav, d / "d.flac", "-af", stereo, "-ar", "48000"),
        "mp3_44k": _ffmpeg(voice_wav, d / "e.mp3", "-ar", "44100", "-b:a", "64k"),
        "ogg_vorbis": _ffmpeg(voice_wav, d / "f.ogg", "-c:a", "libvorbis", "-ar", "32000"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "wav16_24k_mono",
        "wav16_22k_stereo",
        "wav24_44k",
        "wavf32_16k",
        "flac_48k_stereo",
        "mp3_44k",
        "ogg_vorbis",
    ],
)
def test_voice_prompt_equals_reference(voice_files, name):
    from pocket_tts.data.audio import _audio_read_with_soundfile, audio_read
    from pocket_tts.data.audio_utils import convert_audio
    from pocket_tts.data.audio_utils import end_on_pause as ref_end_on_pause

    path = voice_files[name]
    try:
        ref_audio, ref_rate = audio_read(path)
    except wave.Error:  # WAVE_FORMAT_EXTENSIBLE: the reference's `wave` fails; we read it via soundfile
        ref_audio, ref_rate = _audio_read_with_soundfile(path)
    samples, rate = read_audio(path)
    assert rate == ref_rate
    assert torch.equal(torch.from_numpy(samples).unsqueeze(0), ref_audio)

    ref = convert_audio(ref_audio, ref_rate, 24000, 1)
    ours = load_voice_audio(path)
    assert ours.dtype == ref.dtype == torch.float32
    assert torch.equal(ours, ref)
    assert torch.equal(end_on_pause(ours), ref_end_on_pause(ref, 24000))


def test_truncation_matches_reference_rule(voice_files):
    samples, rate = read_audio(voice_files["flac_48k_stereo"])
    cut = load_voice_audio(voice_files["flac_48k_stereo"], max_seconds=2.0)
    assert cut.shape[-1] == 48000  # 2 s at 24 kHz, cut before resampling
    assert len(samples) > 2 * rate


def test_end_on_pause_cuts_silence_and_appends_pause():
    rate = 24000
    tone = 0.5 * torch.sin(torch.arange(rate) * 2 * torch.pi * 220 / rate)
    audio = torch.cat([tone, torch.zeros(rate)]).unsqueeze(0)  # 1 s tone, 1 s silence
    out = end_on_pause(audio)
    assert out.shape[-1] == rate + 1920
    assert torch.all(out[..., rate:] == 0)
    assert out[0, rate - 1] == 0  # faded to zero
    short = torch.ones(1, 100)
    assert torch.equal(end_on_pause(short), short)  # shorter than one 20 ms frame: unchanged


def test_other_formats_go_through_ffmpeg(voice_wav, tmp_path):
    m4a = _ffmpeg(voice_wav, tmp_path / "v.m4a", "-c:a", "aac")
    with pytest.raises(soundfile.LibsndfileError):
        soundfile.read(str(m4a))  # libsndfile cannot, so this really is the ffmpeg path
    samples, rate = read_audio(m4a)
    assert rate == 24000 and abs(len(samples) - 6 * 24000) < 2048
    ref, _ = read_audio(voice_wav)
    n = min(len(ref), len(samples)) - 4096
    # AAC adds a priming delay; compare levels, not samples
    assert abs(float(np.std(samples[:n])) - float(np.std(ref[:n]))) < 0.2 * float(np.std(ref))


def test_unreadable_audio_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="not found: .*nope.wav"):
        read_audio(tmp_path / "nope.wav")
    fake = tmp_path / "notes.wav"
    fake.write_text("this is not audio")
    with pytest.raises(ModelError, match="notes.wav"):
        read_audio(fake)
    fake_mp3 = tmp_path / "notes.mp3"
    fake_mp3.write_bytes(b"\x00" * 100)
    with pytest.raises(ModelError, match="notes.mp3"):
        read_audio(fake_mp3)
    empty = tmp_path / "empty.wav"
    with wave.open(str(empty), "wb") as f:
        f.setnchannels(1), f.setsampwidth(2), f.setframerate(24000)
    with pytest.raises(ModelError, match="empty.wav holds no samples"):
        read_audio(empty)


def test_write_wav_matches_reference_pcm(tmp_path):
    from pocket_tts.data.audio import StreamingWAVWriter

    audio = torch.linspace(-1.3, 1.3, 24000) * torch.rand(24000, generator=torch.Generator().manual_seed(0))
    buffer = io.BytesIO()
    writer = StreamingWAVWriter(buffer, 24000)
    writer.write_header(24000)
    writer.write_pcm_data(audio)
    writer.finalize()
    ref = np.frombuffer(buffer.getvalue()[44:], dtype=np.int16)
    assert np.all(ref[24000:] == 0) and len(ref) == 24000 + 4800  # the reference appends 0.2 s; we do not

    path = write_wav(tmp_path / "out.wav", audio)
    with wave.open(str(path)) as f:
        assert (f.getnchannels(), f.getsampwidth(), f.getframerate(), f.getnframes()) == (1, 2, 24000, 24000)
        ours = np.frombuffer(f.readframes(-1), dtype=np.int16)
    assert np.array_equal(ours, ref[:24000])
    assert ours.max() == 32767 and ours.min() == -32767  # clamped


def test_streaming_writer_equals_whole_file_writer(tmp_path):
    from audiobook_tts.tts.audio import StreamingWavWriter

    frames = [torch.randn(1920, generator=torch.Generator().manual_seed(i)) * 0.3 for i in range(5)]
    with StreamingWavWriter(tmp_path / "stream.wav") as writer:
        for i, frame in enumerate(frames):
            writer.write(frame)
            with wave.open(str(tmp_path / "stream.wav")) as partial:  # valid while it grows
                assert partial.getnframes() == 1920 * (i + 1)
    assert writer.samples == 5 * 1920
    whole = write_wav(tmp_path / "whole.wav", torch.cat(frames))
    assert (tmp_path / "stream.wav").read_bytes() == whole.read_bytes()
