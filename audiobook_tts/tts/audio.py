"""Audio at the engine's edges: reading a voice prompt, trimming it to a pause, writing 16-bit WAV.

Reading follows the reference exactly, because the voice prompt's samples decide the voice state: 16-bit WAV
through `wave` as int16/32768, everything else as float32 through soundfile (ffmpeg when libsndfile cannot
decode the format), several channels averaged, and resampling to 24 kHz with scipy's polyphase filter with
up/down reduced by their gcd.

A voice prompt is at most its recording's first PROMPT_SECONDS, as the reference's `export-voice` and server
take it (`truncate=True`: the first 30 s, cut at the file's own rate). Only that much is ever decoded, so a
recording of any length costs the same memory; the Mimi encoder's attention grows with the square of the
prompt's length (a 10-minute prompt asked it for over 100 GB).
"""

from __future__ import annotations

import math
import subprocess
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from audiobook_tts.tts.errors import ModelError

SAMPLE_RATE = 24000
FRAME_SAMPLES = 1920  # one latent frame: 80 ms at 24 kHz
PROMPT_SECONDS = 30.0  # the most of a recording a voice is cloned from (the reference's truncate=True)
SHORT_PROMPT_SECONDS = 3.0  # below this a clone rarely sounds like the speaker: warn


def _frames(seconds: float | None, rate: int) -> int:
    """Frames to read at `rate` for `seconds` (-1: all), counted like the reference: int(seconds * rate)."""
    return -1 if seconds is None else int(seconds * rate)


def _read_wav16(path: Path, max_seconds: float | None) -> tuple[np.ndarray, int] | None:
    """16-bit PCM WAV via the standard library, or None for any other WAV flavour."""
    try:
        with wave.open(str(path), "rb") as f:
            if f.getsampwidth() != 2:
                return None
            rate, channels = f.getframerate(), f.getnchannels()
            raw = f.readframes(_frames(max_seconds, rate))
    except (wave.Error, RuntimeError):  # e.g. WAVE_FORMAT_EXTENSIBLE or float WAV: soundfile reads those;
        return None  # RuntimeError: a chunk size pointing past the end (garbage after the header)
    except EOFError:  # `wave` meets the end of the file inside the header
        raise ModelError(
            f"voice audio {path} is empty or cut off inside its header; export the recording again"
        ) from None
    raw = raw[: len(raw) - len(raw) % (2 * channels)]  # a file cut mid-frame: whole frames only
    samples = np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def _read_soundfile(path: Path, max_seconds: float | None) -> tuple[np.ndarray, int] | None:
    import soundfile

    try:
        with soundfile.SoundFile(str(path)) as f:
            data, rate = f.read(_frames(max_seconds, f.samplerate), dtype="float32"), f.samplerate
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        return None
    return (data if data.ndim == 1 else data.mean(axis=1)), rate


def _read_ffmpeg(path: Path, max_seconds: float | None) -> tuple[np.ndarray, int]:
    """Decode anything ffmpeg knows to a float WAV at the native rate and channel count, then read that."""
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as tmp:
        decoded = Path(tmp) / "decoded.wav"
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path)]
        if max_seconds is not None:  # a little more than asked: the exact cut is made on samples below
            cmd += ["-t", f"{max_seconds + 1:.3f}"]
        cmd += ["-vn", "-c:a", "pcm_f32le", "-f", "wav", str(decoded)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0 or not decoded.exists():
            reason = (result.stderr.strip().splitlines() or ["unknown format"])[-1]
            raise ModelError(f"cannot read voice audio {path}: {reason}; use a WAV, FLAC, MP3 or OGG file")
        found = _read_soundfile(decoded, max_seconds)
    if found is None:
        raise ModelError(f"cannot read voice audio {path}; use a WAV, FLAC, MP3 or OGG file")
    return found


def read_audio(path: str | Path, max_seconds: float | None = None) -> tuple[np.ndarray, int]:
    """(mono float32 samples, sample rate) of an audio file, or of its first `max_seconds` (only those are
    decoded); ModelError naming the file if it is unreadable."""
    path = Path(path)
    if path.is_dir():
        raise ModelError(f"voice audio {path} is a folder, not an audio file; give the recording's path")
    if not path.is_file():
        raise ModelError(f"voice audio not found: {path}; check the path")
    found = _read_wav16(path, max_seconds) if path.suffix.lower() == ".wav" else None
    if found is None:
        found = _read_soundfile(path, max_seconds)
    if found is None:
        found = _read_ffmpeg(path, max_seconds)
    samples, rate = found
    if samples.size == 0:
        raise ModelError(f"voice audio {path} holds no samples; record at least a few seconds of speech")
    return samples, rate


def audio_seconds(path: str | Path) -> float | None:
    """The recording's length from its header, without decoding it; None when the header does not say."""
    import soundfile

    try:
        return soundfile.info(str(path)).duration
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        return None


def resample(samples: np.ndarray, from_rate: int, to_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Polyphase resampling with up/down reduced by their gcd (scipy's default Kaiser window)."""
    if from_rate == to_rate:
        return samples
    from scipy.signal import resample_poly

    g = math.gcd(int(from_rate), int(to_rate))
    return resample_poly(samples, int(to_rate) // g, int(from_rate) // g, axis=-1).astype(samples.dtype)


def load_voice_audio(
    path: str | Path, max_seconds: float | None = None, notify: Callable[[str], None] | None = None
) -> torch.Tensor:
    """A voice prompt file as [1, samples] float32 at 24 kHz, cut to its first `max_seconds` (None: all).

    `notify` hears, in one line each, that a long recording was cut (which part is used and why) and that a
    short one may clone badly."""
    # A tenth of a second more than kept, so that a longer recording shows itself.
    samples, rate = read_audio(path, None if max_seconds is None else max_seconds + 0.1)
    cut = max_seconds is not None and len(samples) > _frames(max_seconds, rate)
    if notify is not None and cut:
        total = audio_seconds(path)
        length = f"lasts {total:.0f} s" if total is not None else f"is longer than {max_seconds:g} s"
        notify(
            f"voice recording {path} {length}: the voice is cloned from its first {max_seconds:g} s only, as "
            "Pocket TTS does (a longer prompt costs memory and time, not likeness); to use another part, "
            "cut it into a file of its own"
        )
    seconds = len(samples) / rate
    if notify is not None and seconds < SHORT_PROMPT_SECONDS:
        notify(
            f"voice recording {path} lasts only {seconds:.1f} s: a clone from less than "
            f"{SHORT_PROMPT_SECONDS:g} s of speech rarely sounds like the speaker; use 5-30 s of clear speech"
        )
    if cut:
        samples = samples[: _frames(max_seconds, rate)]
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
