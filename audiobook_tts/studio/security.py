"""Who may talk to the studio: what any local web tool needs against other sites and other machines.

- Bound to a loopback address (the default), only requests naming that address (or `localhost`) in their
  Host header are served: a web page elsewhere cannot reach the studio by rebinding a DNS name to 127.0.0.1.
- Bound to any other address, every request needs the server's token: once in the URL (`?token=...`, printed
  at start), which sets a same-site cookie, or in an `Authorization: Bearer` header.
- A request that changes anything (every POST) must come from a studio page: its Origin header, when the
  browser sends one, must be the studio's own, and it must carry the page's CSRF token (form field `csrf`
  or header `X-CSRF-Token`), which a page of another site cannot read.
- Request bodies are refused above a size limit before they are read whole.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

TOKEN_COOKIE = "studio_token"
LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Guard:
    host: str
    port: int
    token: str | None = None  # None: no token asked (loopback only)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    max_upload: int = 64 << 20

    @classmethod
    def for_address(cls, host: str, port: int, token: str | None = None, **kwargs) -> Guard:
        """A loopback server asks no token unless given one; any other address always asks one."""
        if token is None and not is_loopback(host):
            token = secrets.token_urlsafe(24)
        return cls(host, port, token, **kwargs)

    def allowed_host(self, host_header: str) -> bool:
        if self.token is not None:
            return True  # the token decides; the names a LAN server is reached by are not ours to list
        name = urlsplit(f"//{host_header}").hostname or ""
        return is_loopback(name)

    def has_token(self, request: Request) -> bool:
        if self.token is None:
            return True
        offered = request.cookies.get(TOKEN_COOKIE) or request.query_params.get("token") or ""
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            offered = bearer[7:].strip()
        return secrets.compare_digest(offered.encode(), self.token.encode())

    def same_origin(self, request: Request) -> bool:
        """The Origin header (else the Referer's origin), if any, names this server as the browser sees it."""
        origin = request.headers.get("origin")
        if origin is None and (referer := request.headers.get("referer")):
            parts = urlsplit(referer)
            origin = f"{parts.scheme}://{parts.netloc}"
        if origin is None:
            return True  # not a browser, or a browser that sends none: the CSRF token still decides
        return origin == f"{request.url.scheme}://{request.headers.get('host', '')}"

    async def check(self, request: Request) -> None:
        """Refuse the request (HTTPException) unless it passes every rule above."""
        if not self.allowed_host(request.headers.get("host", "")):
            raise HTTPException(403, "this studio answers only to its own address (Host header refused)")
        if not self.has_token(request):
            raise HTTPException(401, "this studio needs its token: open the address printed when it started")
        if request.method in ("GET", "HEAD"):
            return
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            raise HTTPException(411, "a request body needs a Content-Length")
        if int(length) > self.max_upload:
            raise HTTPException(413, f"the upload is larger than the limit of {self.max_upload >> 20} MB")
        if not self.same_origin(request):
            raise HTTPException(403, "cross-site request refused (its Origin is not this studio)")
        offered = request.headers.get("x-csrf-token")
        if offered is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form(max_part_size=self.max_upload)
            value = form.get("csrf")
            offered = value if isinstance(value, str) else None
        if offered is None or not secrets.compare_digest(offered.encode(), self.csrf.encode()):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
