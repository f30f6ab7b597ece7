"""A book uploaded to the studio: kept under the first folder's `uploads/`, checked as the CLI checks a book.

The upload's size is limited by the guard before its body is read; its name is reduced to a plain file name
(no directory part can survive); then `ingest.load_book` reads it with the same hostile-input guards as
`render` (zip bombs, entity tricks, absurd sizes), and a book it refuses is deleted again.

A recording to clone the new book's voice from is kept under `uploads/recordings/` the same way. It must
begin as a file of its kind does (RIFF/WAVE, fLaC, OggS, ID3 or an MPEG frame, ftyp, FORM/AIFF) before
ffmpeg, which decodes what libsndfile cannot, sees it: a playlist (HLS, ffconcat) could lead a decoder to
other files on this machine. The ffmpeg here refuses both already; this holds for any ffmpeg. Then the
loader `render --voice` uses reads it (tts.audio.load_voice_audio, cut to the first PROMPT_SECONDS),
refusing empty, truncated or undecodable files in one line. When the render starts, the recording is copied
into the job folder (VOICES_DIR) and the job's options name that copy, so the job renders and resumes from
its own folder whatever happens to the upload.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

from audiobook_tts.errors import UserError
from audiobook_tts.ingest import SUPPORTED as BOOK_SUFFIXES
from audiobook_tts.ingest import Book, load_book
from audiobook_tts.tts.audio import PROMPT_SECONDS, load_voice_audio
from audiobook_tts.tts.voices import AUDIO_SUFFIXES

UPLOADS = "uploads"
RECORDINGS = "recordings"  # under UPLOADS
VOICES_DIR = ".studio-voices"  # in a job folder: the recordings its voices are cloned from (hidden, so
# players and Audiobookshelf never take them for the book's audio; kept by --fresh, which clears the job only)
MAX_RECORDING_MB = 32  # a 30 s prompt is far smaller even as 96 kHz WAV; a longer file is cut to 30 s


class UploadError(UserError):
    """An upload that is not a book the studio can read; the message says why."""


def safe_name(filename: str, default: str = "book") -> str:
    """A plain file name from whatever the browser sent: its last path part, harmless characters only."""
    name = re.split(r"[\\/]", filename)[-1]
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")
    return name[:120] or default


def _store(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` as folder/name, or under a fresh variant of the name if that is taken."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if path.exists():
        path = folder / f"{Path(name).stem}-{secrets.token_hex(3)}{Path(name).suffix}"
    path.write_bytes(data)
    return path


def save_upload(root: Path, filename: str, data: bytes) -> Path:
    """Store an uploaded book under root/uploads/ and check it reads; UploadError (and no file) if not."""
    name = safe_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in BOOK_SUFFIXES:
        allowed = ", ".join(sorted(BOOK_SUFFIXES))
        raise UploadError(f"{name}: not a book format the studio reads ({allowed})")
    path = _store(root / UPLOADS, name, data)
    try:
        read_upload(path)
    except UserError:
        path.unlink()
        raise
    return path


def read_upload(path: Path) -> Book:
    try:
        return load_book(path)
    except UserError as error:
        raise UploadError(f"{path.name}: {error}") from None


def uploaded(root: Path, name: str) -> Path:
    """The upload called `name` (a name from this module, nothing else); UploadError if there is none."""
    path = root / UPLOADS / safe_name(name)
    if path.name != name or not path.is_file():
        raise UploadError(f"no uploaded book named {name!r}")
    return path


def save_recording(root: Path, filename: str, data: bytes) -> tuple[Path, list[str]]:
    """Store an uploaded voice recording under root/uploads/recordings/ and decode it as `render --voice`
    would: (its path, the loader's notes: cut to 30 s, too short to clone well). UploadError (and no file)
    if it is not audio the loader reads."""
    name = safe_name(filename, "recording")
    if Path(name).suffix.lower() not in AUDIO_SUFFIXES:
        raise UploadError(f"{name}: not a recording the studio reads ({', '.join(AUDIO_SUFFIXES)})")
    if len(data) > MAX_RECORDING_MB << 20:
        raise UploadError(f"{name}: larger than {MAX_RECORDING_MB} MB; only its first 30 s are used anyway")
    if len(data) >= 12 and not starts_like_audio(data, Path(name).suffix.lower()):  # shorter: the loader says
        raise UploadError(
            f"{name}: does not begin as a {Path(name).suffix.lower()} file does; export the recording again "
            "as WAV, FLAC, MP3 or OGG"
        )
    path = _store(root / UPLOADS / RECORDINGS, name, data)
    notes: list[str] = []
    try:
        load_voice_audio(path, PROMPT_SECONDS, notes.append)
    except UserError as error:
        path.unlink()
        raise UploadError(str(error).replace(str(path), path.name)) from None
    return path, [note.replace(str(path), path.name) for note in notes]


def starts_like_audio(data: bytes, suffix: str) -> bool:
    """Whether `data` begins as a file of its kind (`suffix`, one of AUDIO_SUFFIXES) does."""
    head = data[:12]
    if suffix == ".wav":
        return head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE"
    if suffix in (".aiff", ".aif"):
        return head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC")
    if suffix in (".ogg", ".opus"):
        return head[:4] == b"OggS"
    if suffix == ".m4a":
        return head[4:8] == b"ftyp"
    if head[:3] == b"ID3":  # an ID3 tag may lead an MP3 or a FLAC
        return suffix in (".mp3", ".flac")
    if suffix == ".flac":
        return head[:4] == b"fLaC"
    return suffix == ".mp3" and len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0  # frame sync


def recording(root: Path, name: str) -> Path:
    """The uploaded recording called `name`; UploadError if there is none."""
    path = root / UPLOADS / RECORDINGS / safe_name(name, "recording")
    if path.name != name or not path.is_file():
        raise UploadError(f"no uploaded recording named {name!r}")
    return path


def keep_recording(path: Path, out_dir: Path) -> Path:
    """Copy an uploaded recording into the job folder `out_dir`: the copy's path, which the job renders."""
    folder = out_dir / VOICES_DIR
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy2(path, folder / path.name)).resolve()
