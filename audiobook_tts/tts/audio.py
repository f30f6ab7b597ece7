"""Audio at the engine's edges: reading a voice prompt, trimming it to a pause, writing 16-bit WAV.

Reading follows the reference exactly, because the voice prompt's samples decide the voice state: 16-bit WAV
through `wave` as int16/32768, everything else as float32 through soundfile (ffmpeg when libsndfile cannot
decode the format), several channels averaged, and resampling to 24 kHz with scipy's polyphase filter with
up/down reduced by their gcd.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np
import torch

from audiobook_tts.tts.errors import ModelError

SAMPLE_RATE = 24000
FRAME_SAMPLES = 1920  # one latent frame: 80 ms at 24 kHz


def _read_wav16(path: Path) -> tuple[np.ndarray, int] | None:
    """16-bit PCM WAV via the standard library, or None for any other WAV flavour."""
    try:
        with wave.open(str(path), "rb") as f:
            if f.getsampwidth() != 2:
                return None
            rate, channels = f.getframerate(), f.getnchannels()
            samples = np.frombuffer(f.readframes(-1), dtype=np.int16).astype(np.float32) / 32768.0
    except wave.Error:  # e.g. WAVE_FORMAT_EXTENSIBLE or float WAV: soundfile reads those
        return None
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def _read_soundfile(path: Path) -> tuple[np.ndarray, int] | None:
    import soundfile

    try:
        data, rate = soundfile.read(str(path), dtype="float32")
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        return None
    return (data if data.ndim == 1 else data.mean(axis=1)), rate


def _read_ffmpeg(path: Path) -> tuple[np.ndarray, int]:
    """Decode anything ffmpeg knows to a float WAV at the native rate and channel count, then read that."""
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as tmp:
        decoded = Path(tmp) / "decoded.wav"
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path)]
        cmd += ["-vn", "-c:a", "pcm_f32le", "-f", "wav", str(decoded)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0 or not decoded.exists():
            reason = (result.stderr.strip().splitlines() or ["unknown format"])[-1]
            raise ModelError(f"cannot read voice audio {path}: {reason}; use a WAV, FLAC, MP3 or OGG file")
        found = _read_soundfile(decoded)
    if found is None:
        raise ModelError(f"cannot read voice audio {path}; use a WAV, FLAC, MP3 or OGG file")
    return found


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """(mono float32 samples, sample rate) of an audio file; ModelError naming the file if unreadable."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"voice audio not found: {path}; check the path")
    found = _read_wav16(path) if path.suffix.lower() == ".wav" else None
    if found is None:
        found = _read_soundfile(path)
    if found is None:
        found = _read_ffmpeg(path)
    samples, rate = found
    if samples.size == 0:
        raise ModelError(f"voice audio {path} holds no samples; record at least a few seconds of speech")
    return samples, rate


def resample(samples: np.ndarray, from_rate: int, to_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Polyphase resampling with up/down reduced by their gcd (scipy's default Kaiser window)."""
    if from_rate == to_rate:
        return samples
    from scipy.signal import resample_poly

    g = math.gcd(int(from_rate), int(to_rate))
    return resample_poly(samples, int(to_rate) // g, int(from_rate) // g, axis=-1).astype(samples.dtype)


def load_voice_audio(path: str | Path, max_seconds: float | None = None) -> torch.Tensor:
    """A voice prompt file as [1, samples] float32 at 24 kHz (optionally cut to its first `max_seconds`)."""
    samples, rate = read_audio(path)
    if max_seconds is not None:
        samples = samples[: int(max_seconds * rate)]
    return torch.from_numpy(np.ascontiguousarray(resample(samples, rate))).unsqueeze(0)


def end_on_pause(
    audio: torch.Tensor,
    sample_rate: int = SAMPLE_RATE,
    pause_seconds: float = 0.08,
    fade_seconds: float = 0.02,
    floor_db: float = 35.0,
) -> torch.Tensor:
    """Make a voice prompt [..., T] end on exactly `pause_seconds` of silence.

    A prompt that stops mid-word makes the model continue that word; one that ends on long silence delays the
    onset. Trailing 20 ms frames more than `floor_db` below the loudest frame are cut, the last `fade_seconds`
    of the rest fade to zero, and `pause_seconds` of zeros are appended.
    """
    frame = max(1, int(0.02 * sample_rate))
    n_frames = audio.shape[-1] // frame
    if n_frames == 0:
        return audio
    framed = audio[..., : n_frames * frame].reshape(-1, n_frames, frame)
    rms = framed.square().mean(dim=(0, 2)).sqrt()  # [n_frames], channels pooled
    level_db = 20 * torch.log10(rms + 1e-12)
    loud = torch.nonzero(level_db > level_db.max() - floor_db).flatten()
    end = (int(loud[-1]) + 1) * frame
    kept = audio[..., :end].clone()
    fade = min(int(fade_seconds * sample_rate), end)
    kept[..., end - fade :] *= torch.linspace(1, 0, fade, dtype=kept.dtype)
    pause = kept.new_zeros(*kept.shape[:-1], int(pause_seconds * sample_rate))
    return torch.cat([kept, pause], dim=-1)


def to_pcm16(audio: torch.Tensor | np.ndarray) -> np.ndarray:
    """float audio -> int16 samples: clamp to [-1, 1], scale by 32767, truncate toward zero."""
    audio = torch.as_tensor(audio).detach().to("cpu", torch.float32).reshape(-1)
    return (audio.clamp(-1, 1) * 32767).to(torch.int16).numpy()


def write_wav(path: str | Path, audio: torch.Tensor | np.ndarray, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write mono 16-bit PCM WAV (no padding appended)."""
    path = Path(path)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(sample_rate)
        f.writeframes(to_pcm16(audio).tobytes())
    return path


class StreamingWavWriter:
    """Mono 16-bit WAV written frame by frame, so a listener can start on it while it grows."""

    def __init__(self, path: str | Path, sample_rate: int = SAMPLE_RATE):
        self.path = Path(path)
        self.samples = 0
        self._raw = open(self.path, "wb")  # noqa: SIM115 -- closed in __exit__ (wave leaves passed files open)
        self._file = wave.open(self._raw, "wb")
        self._file.setnchannels(1)
        self._file.setsampwidth(2)
        self._file.setframerate(sample_rate)

    def write(self, audio: torch.Tensor | np.ndarray) -> None:
        pcm = to_pcm16(audio)
        self._file.writeframes(pcm.tobytes())  # also rewrites the header's length, so the file stays valid
        self._raw.flush()  # readers see every frame as soon as it is written
        self.samples += pcm.size

    def __enter__(self) -> StreamingWavWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self._file.close()
        self._raw.close()
