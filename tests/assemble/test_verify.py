"""Loudness measured on the encoded MP3 and M4B files (default and ACX), and corrected where it misses."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import soundfile

from audiobook_tts.assemble import AssembleOptions, AudioPiece, BookTags, ChapterAudio, assemble, encode
from audiobook_tts.assemble.ffmpeg import FfmpegSink
from audiobook_tts.assemble.verify import TOLERANCE_LU, measure_file
from tests.fixtures.audio import SAMPLE_RATE, decode, loudness, make_chapter, speech_like


def book(out, options: AssembleOptions):
    chapters = [make_chapter("Quiet", 0.05, 1), make_chapter("Loud", 0.9, 2, sentences=2)]
    return assemble(chapters, BookTags(title="Measured"), out, options, sample_rate=SAMPLE_RATE)


@pytest.fixture(scope="module")
def default_book(tmp_path_factory):
    out = tmp_path_factory.mktemp("default")
    return out, book(out, AssembleOptions())


def test_every_encoded_file_meets_the_target(default_book, ffmpeg):
    out, result = default_book
    files = sorted(out.glob("*.mp3")) + [out / "Measured.m4b"]
    assert [check.measured.path for check in result.loudness.files] == files
    for path in files:
        integrated, true_peak = loudness(ffmpeg, path)  # the test's own meter, not the report's numbers
        assert abs(integrated - -19.0) <= TOLERANCE_LU, path.name
        assert true_peak <= -3.0, path.name
    assert not result.warnings


def test_report_line_and_json(default_book):
    out, result = default_book
    line = result.loudness.summary()
    assert line.startswith("loudness: 3 files at -19.") and "LUFS (target -19)" in line
    assert line.endswith("all pass") and "\n" not in line
    report = json.loads((out / "loudness.json").read_text())
    assert report["summary"] == line and report["unit"] == "LUFS" and report["true_peak_ceiling_db"] == -3.0
    assert [entry["path"] for entry in report["files"]] == ["01 - Quiet.mp3", "02 - Loud.mp3", "Measured.m4b"]
    assert all(entry["problems"] == [] for entry in report["files"])
    assert out / "loudness.json" in result.files


def test_measurement_agrees_with_ffmpeg_and_numpy(default_book, ffmpeg):
    out, _ = default_book
    path = out / "02 - Loud.mp3"
    measured = measure_file(ffmpeg, path)
    integrated, true_peak = loudness(ffmpeg, path)
    assert measured.lufs == integrated
    assert measured.true_peak_db == pytest.approx(true_peak, abs=0.11)  # both to a tenth: one apart at most
    audio = decode(ffmpeg, path).astype(np.float64)
    assert measured.rms_db == pytest.approx(10 * np.log10(np.mean(audio**2)), abs=0.01)
    assert measured.peak_db == pytest.approx(20 * np.log10(np.abs(audio).max()), abs=0.01)
    window = SAMPLE_RATE // 2
    floor = min(np.mean(audio[i : i + window] ** 2) for i in range(0, len(audio) - window + 1, window))
    assert measured.noise_floor_db == pytest.approx(10 * np.log10(floor), abs=0.01)


@pytest.mark.parametrize(("bitrate", "rate"), [("64k", 24000), ("128k", 24000), ("192k", 44100)])
def test_an_mp3_plays_at_the_level_of_the_stream_it_was_fed(tmp_path, ffmpeg, bitrate, rate):
    """LAME scales its CBR input down by a factor of the bitrate (0.95 up to 160 kb/s, 0.97 at 192); the
    MP3 encoder is fed at the gain that undoes it, so the file's level is the planned one (it was 0.445 dB
    under it at every rate here, so that a little more taken by the low-pass sent the chapter back to be
    re-encoded)."""
    speech = speech_like(4.0, 0.5, seed=7)
    path = tmp_path / "level.mp3"
    args = encode.mp3_args(path, SAMPLE_RATE, bitrate, rate)
    sink = FfmpegSink(ffmpeg, SAMPLE_RATE, args, "level", output=path, gain=encode.mp3_input_gain(bitrate))
    sink.write(speech)
    sink.finish()
    decoded = decode(ffmpeg, path).astype(np.float64)

    def rms_db(audio: np.ndarray) -> float:
        return 10 * np.log10(np.mean(audio.astype(np.float64) ** 2))

    assert rms_db(decoded) == pytest.approx(rms_db(speech), abs=0.05)


def test_the_mp3_input_gain_reads_bitrates_as_ffmpeg_does():
    assert encode.mp3_input_gain("128k") == encode.mp3_input_gain("128000") == pytest.approx(1 / 0.95)
    assert encode.mp3_input_gain("0.192M") == pytest.approx(1 / 0.97)
    assert encode.mp3_input_gain("256k") == encode.mp3_input_gain("lots") == 1.0


def test_a_file_the_encoder_made_quieter_is_encoded_again(tmp_path, ffmpeg):
    """At 16 kb/s LAME (at `-q 7`) resamples and low-passes hard, taking more than the tolerance off this
    bright audio: the check must catch it. (From 24 kb/s, with LAME's own input scale undone, the encoder
    stays within it.)"""
    result = book(tmp_path, AssembleOptions(formats=frozenset({"mp3"}), mp3_bitrate="16k"))
    assert any(check.corrected for check in result.loudness.files)
    assert "re-encoded once" in result.loudness.summary()
    for path in sorted(tmp_path.glob("*.mp3")):
        assert abs(loudness(ffmpeg, path)[0] - -19.0) <= TOLERANCE_LU, path.name


def test_acx_rules_checked_on_the_mp3s(tmp_path, ffmpeg):
    result = book(tmp_path, AssembleOptions(preset="acx"))
    report = json.loads((tmp_path / "loudness.json").read_text())
    assert report["unit"] == "dB RMS" and report["target"] == -20.0
    mp3s = [entry for entry in report["files"] if entry["path"].endswith(".mp3")]
    assert len(mp3s) == 2 and all(entry["problems"] == [] for entry in mp3s)
    for entry in mp3s:
        audio = decode(ffmpeg, tmp_path / entry["path"]).astype(np.float64)
        rms = 10 * np.log10(np.mean(audio**2))
        assert -23 <= rms <= -18 and entry["rms_db"] == pytest.approx(rms, abs=0.01)
        assert entry["peak_db"] <= -3.0 and entry["noise_floor_db"] <= -60.0
    assert "dB RMS (target -20)" in result.loudness.summary()


def noise_bursts(title: str, seed: int, level: float = 0.9, clicks: bool = False) -> ChapterAudio:
    """Random-weight-like audio: white noise in 3 Hz bursts (or quiet noise under loud clicks), 8 s."""

    def pieces():
        rng = np.random.default_rng(seed)
        t = np.arange(2 * SAMPLE_RATE) / SAMPLE_RATE
        for index in range(4):
            noise = rng.standard_normal(len(t))
            if clicks:
                noise *= 0.1
                noise[rng.integers(0, len(t), 40)] += rng.choice([-8.0, 8.0], 40)
            else:
                noise *= np.clip(np.sin(2 * np.pi * 3 * t), 0, None) ** 2
            yield AudioPiece((noise * level / np.abs(noise).max()).astype(np.float32), f"{title} {index}.")
            yield AudioPiece.silence(0.3, SAMPLE_RATE)

    return ChapterAudio(title, pieces)


def test_a_file_whose_peaks_the_encoder_lifts_is_corrected_without_overshoot(tmp_path, ffmpeg):
    """At 64 kb/s LAME lifts this noise's true peaks past the ceiling and takes loudness off (at 128k it did
    so at `-q 5`; at `-q 7` it stays within the tolerance there). A correction that lowers the limiter's
    ceiling by the excess and adds the level error as gain overshoots, because the lower ceiling takes
    loudness too (it left -19.8 LUFS and -2.5 dBTP: FAIL). Gain and ceiling now come from the file's own
    measurement and the stream it is encoded from, with a second pass if one is not enough."""
    chapters = [noise_bursts("Loud", 1), noise_bursts("Soft", 2, level=0.3)]
    options = AssembleOptions(formats=frozenset({"mp3"}), mp3_bitrate="64k")
    result = assemble(chapters, BookTags(title="Noise"), tmp_path, options, sample_rate=SAMPLE_RATE)
    assert any(check.corrected for check in result.loudness.files)
    for path in sorted(tmp_path.glob("*.mp3")):
        integrated, true_peak = loudness(ffmpeg, path)
        assert abs(integrated - -19.0) <= TOLERANCE_LU and true_peak <= -3.0, (
            path.name,
            integrated,
            true_peak,
        )
    assert result.loudness.summary().endswith("all pass") and not result.warnings


def test_a_file_the_limiter_cannot_bring_to_the_target_is_left_and_says_why(tmp_path, ffmpeg):
    """Quiet noise under clicks 40 dB above it: every click pulls the limiter's gain down for a long time,
    so no gain brings the file to -19 LUFS. Re-encoding it would only flatten it against the ceiling (it
    took two passes, +15 dB and most samples turned down, and still missed): it is left as first encoded,
    and the report says why."""
    options = AssembleOptions(formats=frozenset({"mp3"}))
    result = assemble(
        [noise_bursts("Clicks", 3, clicks=True)], BookTags(title="Clicks"), tmp_path, options, SAMPLE_RATE
    )
    (check,) = result.loudness.files
    assert check.passes == 0 and not check.corrected
    (problem,) = check.problems
    assert re.fullmatch(
        r"-\d+\.\d LUFS, target -19 \(the limiter holds it down: at \+\d+\.\d dB more gain it turns \d+% of "
        r"the samples down under its ceiling of -\d+\.\d dB, and the level still reaches only -\d+\.\d LUFS "
        r"before encoding\)",
        problem,
    ), problem
    assert result.loudness.summary().endswith("; 1 files FAIL: see the report")
    assert "re-encoded" not in result.loudness.summary()
    assert json.loads((tmp_path / "loudness.json").read_text())["files"][0]["passes"] == 0
    assert abs(loudness(ffmpeg, check.measured.path)[0] - float(problem.split()[0])) <= 0.05


def test_each_m4b_chapter_is_corrected_alone(tmp_path, ffmpeg):
    """At 32 kb/s the AAC encoder takes loudness off bright noise but not off speech-like audio: the noise
    chapter's span of the M4B misses and is corrected by its own error, the speech chapter is left alone.
    Two books that differ only in their noise chapter therefore hold the same speech chapter, to the sample
    (away from the chapter mark, where AAC frames overlap), and every chapter meets the target."""
    options = AssembleOptions(formats=frozenset({"m4b"}), aac_bitrate="32k")
    spans = []
    for seed in (1, 2):
        out = tmp_path / f"book{seed}"
        chapters = [make_chapter("Speech", 0.5, 1), noise_bursts("Noise", seed, level=0.3)]
        result = assemble(chapters, BookTags(title="Parts"), out, options, sample_rate=SAMPLE_RATE)
        (check,) = result.loudness.files
        assert [chapter.corrected for chapter in check.chapters] == [False, True] and not check.problems
        audio = decode(ffmpeg, out / "Parts.m4b")
        mark = result.chapter_starts[1]
        for number, part in enumerate((audio[:mark], audio[mark:]), start=1):
            wav = out / f"chapter{number}.wav"
            soundfile.write(wav, part, SAMPLE_RATE, subtype="FLOAT")
            integrated, true_peak = loudness(ffmpeg, wav)
            assert abs(integrated - -19.0) <= TOLERANCE_LU and true_peak <= -3.0, (seed, number, integrated)
        report = json.loads((out / "loudness.json").read_text())["files"][0]
        assert [entry["corrected"] for entry in report["chapters"]] == [False, True]
        spans.append(audio[: mark - 2048])
    assert np.array_equal(*spans)
