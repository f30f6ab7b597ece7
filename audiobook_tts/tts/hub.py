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


class HubFileUnavailable(ModelError):
    """A hub file that is neither cached nor downloadable now; `reason` is the short cause."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


WEIGHTS_OPTION = "--weights FILE (render, say, export-voice)"


def resolve(path: str | Path, *, what: str = "model file", local_option: str = WEIGHTS_OPTION) -> Path:
    """A local path for `path`: hub addresses are fetched into (or found in) the HF cache.

    `what` names the file in errors; `local_option` is the command-line way to give the file directly (and
    which commands take it: `download` takes neither --weights nor --tokenizer).
    """
    text = str(path)
    if text.startswith(("http://", "https://")):
        raise ModelError(
            f"{what} {text}: web addresses are not supported; download it and pass the local path"
        )
    if not is_hub_url(text):
        return Path(text).expanduser()
    return Path(_download(HubFile.parse(text), what, local_option))


# Set after a download failed for lack of network: later uncached files fail at once instead of each
# waiting through huggingface_hub's retries (~20 s).
_unreachable: str | None = None


def _download(file: HubFile, what: str, local_option: str) -> str:
    global _unreachable
    import huggingface_hub
    from huggingface_hub import constants, errors

    def not_cached(reason: str) -> HubFileUnavailable:
        return HubFileUnavailable(
            f"{what} {file} is not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and {reason}; fix: "
            f"run once with network access to download it, or pass it with {local_option}, or set HF_HOME "
            "to a cache that has it",
            reason=f"not cached and {reason}",
        )

    cached = huggingface_hub.try_to_load_from_cache(file.repo_id, file.filename, revision=file.revision)
    if isinstance(cached, str):
        return cached
    if _unreachable is not None:
        raise not_cached(f"the hub was unreachable earlier in this run ({_unreachable})")
    if not constants.is_offline_mode():
        _unreachable = _endpoint_unreachable(constants.ENDPOINT)
        if _unreachable is not None:
            raise not_cached(_unreachable)
    try:
        return huggingface_hub.hf_hub_download(file.repo_id, file.filename, revision=file.revision)
    except errors.GatedRepoError:
        raise HubFileUnavailable(
            f"{what} {file}: access to {file.repo_id} is gated; {_gated_fix(file)}",
            reason=f"{file.repo_id} is gated",
        ) from None
    except errors.LocalEntryNotFoundError as e:
        if constants.is_offline_mode():
            raise not_cached("offline mode is on (HF_HUB_OFFLINE)") from None
        _unreachable = _reason(e)
        raise not_cached(_unreachable) from None
    except errors.RepositoryNotFoundError:
        raise HubFileUnavailable(
            f"{what} {file}: repository {file.repo_id} not found (or private: log in with `hf auth login`)",
            reason=f"{file.repo_id} not found or private",
        ) from None
    except errors.RevisionNotFoundError:
        raise ModelError(f"{what} {file}: revision {file.revision} not found in {file.repo_id}") from None
    except errors.EntryNotFoundError:
        raise ModelError(f"{what} {file}: no such file in {file.repo_id}") from None
    except (errors.HfHubHTTPError, OSError, ValueError) as e:
        raise HubFileUnavailable(
            f"{what} {file}: download failed ({_reason(e)}); check the network, or pass it with "
            f"{local_option}, or set HF_HOME to a cache that has it",
            reason=f"download failed: {_reason(e)}",
        ) from None


def is_cached(url: str) -> bool:
    """True when the hub file at `url` is in the Hugging Face cache (no network needed)."""
    import huggingface_hub

    file = HubFile.parse(url)
    cached = huggingface_hub.try_to_load_from_cache(file.repo_id, file.filename, revision=file.revision)
    return isinstance(cached, str)


def check_cached(needed: list[tuple[str, list[str]]], fix: str) -> None:
    """Fail early, naming them all at once, when hub files are missing from the cache and cannot be fetched.

    `needed` holds (what, addresses): the need is met when any of its hf:// addresses is cached (a model
    bundle with or without voice cloning); the last address is the one named. `fix` is the command that
    fetches them all. Does nothing when everything is cached or downloads can be tried.
    """
    from huggingface_hub import constants

    missing = [(what, urls[-1]) for what, urls in needed if not any(is_cached(url) for url in urls)]
    if not missing:
        return
    why: str | None
    if constants.is_offline_mode():
        why = "offline mode is on (HF_HUB_OFFLINE)"
    else:
        why = _unreachable or _endpoint_unreachable(constants.ENDPOINT)
        if why is None:
            return  # they will be downloaded
    files = "; ".join(f"{what} {HubFile.parse(url)}" for what, url in missing)
    count = f"{len(missing)} files are" if len(missing) > 1 else "a file is"
    raise ModelError(
        f"{count} not in the Hugging Face cache ({constants.HF_HUB_CACHE}) and {why}: {files}. "
        f"Fix: run `{fix}` once with network access, or set HF_HOME to a cache that has them"
    )


def _endpoint_unreachable(endpoint: str, timeout: float = 3.0) -> str | None:
    """Why the hub cannot be reached, or None. One quick connection attempt: without it, a machine with no
    network would wait through huggingface_hub's retries (about 25 s) before the same error."""
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(endpoint)
    try:
        socket.create_connection((url.hostname, url.port or 443), timeout=timeout).close()
    except OSError as error:
        return f"{url.hostname} is unreachable ({error.strerror or type(error).__name__})"
    return None


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
    except HubFileUnavailable as first:
        if without_cloning_path is None:
            raise
        fallback = resolve(without_cloning_path, what="model weights (without voice cloning)")
        if weights_path not in _warned:
            _warned.add(weights_path)
            message = (
                f"voice-cloning weights {HubFile.parse(weights_path)} unavailable ({first.reason}); using "
                "the model without voice cloning: catalogue voices work, cloning from audio does not. "
                f"To clone voices, {CLONING_ACCESS_FIX}."
            )
            (notify or logger.warning)(message)
        return ResolvedWeights(fallback, False)
