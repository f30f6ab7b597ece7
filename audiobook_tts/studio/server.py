"""Start the studio: `serve(folders, host, port)` runs it on uvicorn until interrupted (`serve` command)."""

from __future__ import annotations

from pathlib import Path

from audiobook_tts.errors import UserError
from audiobook_tts.render import RenderOptions
from audiobook_tts.studio.security import Guard, is_loopback

DEFAULT_MAX_UPLOAD_MB = 64


class StudioError(UserError):
    """The studio cannot start: a folder that is not there, or an address it may not use."""


def serve(
    folders: list[Path],
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB,
    new_books: RenderOptions | None = None,
    announce=print,
) -> None:
    import uvicorn

    from audiobook_tts.studio.app import create_app

    missing = [str(folder) for folder in folders if not Path(folder).is_dir()]
    if missing:
        raise StudioError(f"not a folder: {', '.join(missing)}; give the folders your renders write into")
    guard = Guard.for_address(host, port, token, max_upload=max_upload_mb << 20)
    app = create_app([Path(folder) for folder in folders], guard, new_books)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={guard.token}" if guard.token else "")
    if not is_loopback(host):
        announce(f"studio: listening on {host}, reachable from other machines: the token is required")
    announce(f"studio: open {url}  (Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)
