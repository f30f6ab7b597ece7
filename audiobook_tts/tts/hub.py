"""Model files by address: `hf://owner/repo/path@revision` through the Hugging Face cache, or local paths.

Downloads go through huggingface_hub, so its cache, HF_HOME/HF_HUB_CACHE, HF_TOKEN and HF_HUB_OFFLINE
all behave as users of other Hugging Face tools expect, and a pinned revision already in the cache is found
with no network at all. Every failure becomes one ModelError line naming the repo and file and the fixes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from audiobook_tts.tts.errors import ModelError

logger = logging.getLogger(__name__)

CLONING_REPO_URL = "https://huggingface.co/kyutai/pocket-tts"
CLONING_ACCESS_FIX = f"accept the terms at {CLONING_REPO_URL} and log in with `hf auth login`"

_warned: set[str] = set()  # fallback notices already given in this process


@dataclass(frozen=True)
class HubFile:
    repo_id: str
    filename: str
    revision: str | None

    @classmethod
    def parse(cls, url: str) -> HubFile:
        """'hf://owner/repo/path/in/repo[@revision]' (the revision is whatever follows the last '@')."""
        rest = url.removeprefix("hf://")
        path, _, revision = rest.rpartition("@") if "@" in rest else (rest, "", "")
        parts = path.split("/", 2)
        if len(parts) != 3 or not all(parts):
            raise ModelError(f"bad hub address {url!r}; expected hf://owner/repo/path/to/file[@revision]")
        return cls(f"{parts[0]}/{parts[1]}", parts[2], revision or None)

    def __str__(self) -> str:
        at = f"@{self.revision[:8]}" if self.revision else ""
        return f"{self.filename} from {self.repo_id}{at}"


def is_hub_url(path: str | Path) -> bool:
    return str(path).startswith("hf://")


def resolve(path: str | Path, *, what: str = "model file") -> Path:
    """A local path for `path`: hub addresses are fetched into (or found in) the HF cache."""
    text = str(path)
    if text.startswith(("http://", "https://")):
        raise ModelError(
            f"{what} {text}: web addresses are not supported; download it and pass the local path"
        )
    if not is_hub_url(text):
        return Path(text).expanduser()
    return Path(_download(HubFile.parse(text), what))


def _download(file: HubFile, what: str) -> str:
    import huggingface_hub
    from huggingface_hub import constants, errors

    try:
        return huggingface_hub.hf_hub_download(file.repo_id, file.filename, revision=file.revision)
    except errors.GatedRepoError:
        raise ModelError(f"{what} {file}: access to {file.repo_id} is gated; {_gated_fix(file)}") from None
    except errors.LocalEntryNotFoundError as e:
        cache = constants.HF_HUB_CACHE
        where = "offline mode is on (HF_HUB_OFFLINE)" if constants.is_offline_mode() else _reason(e)
        raise ModelError(
            f"{what} {file} is not in the Hugging Face cache ({cache}) and {where}; fix: run once with "
            "network access to download it, or pass the file with --weights FILE, or set HF_HOME to a cache "
            "that has it"
        ) from None
    except errors.RepositoryNotFoundError:
        raise ModelError(
            f"{what} {file}: repository {file.repo_id} not found (or private: log in with `hf auth login`)"
        ) from None
    except errors.RevisionNotFoundError:
        raise ModelError(f"{what} {file}: revision {file.revision} not found in {file.repo_id}") from None
    except errors.EntryNotFoundError:
        raise ModelError(f"{what} {file}: no such file in {file.repo_id}") from None
    except (errors.HfHubHTTPError, OSError, ValueError) as e:
        raise ModelError(
            f"{what} {file}: download failed ({_reason(e)}); check the network, or pass the file with "
            "--weights FILE, or set HF_HOME to a cache that has it"
        ) from None


def _reason(error: BaseException) -> str:
    cause = error.__cause__ or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__


def _gated_fix(file: HubFile) -> str:
    page = f"https://huggingface.co/{file.repo_id}"
    return f"accept the terms at {page} and log in with `hf auth login`"


@dataclass(frozen=True)
class ResolvedWeights:
    path: Path
    has_voice_cloning: bool  # False when only the bundle without the voice encoder's projection was usable


def resolve_weights(
    weights_path: str,
    without_cloning_path: str | None = None,
    *,
    notify: Callable[[str], None] | None = None,
) -> ResolvedWeights:
    """The model bundle; if the voice-cloning one cannot be had (gated, offline, missing), the one without.

    The fallback is announced once per process through `notify` (default: a logging warning).
    """
    try:
        return ResolvedWeights(resolve(weights_path, what="model weights"), True)
    except ModelError as first:
        if without_cloning_path is None:
            raise
        fallback = resolve(without_cloning_path, what="model weights (without voice cloning)")
        if weights_path not in _warned:
            _warned.add(weights_path)
            message = (
                f"voice-cloning weights unavailable ({first}); using the model without voice cloning: "
                f"catalogue voices work, cloning from audio does not. To clone voices, {CLONING_ACCESS_FIX}."
            )
            (notify or logger.warning)(message)
        return ResolvedWeights(fallback, False)
