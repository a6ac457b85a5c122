"""Serves the bundled demo clinic site over real HTTP, so the demo audit crawls a website and not a folder."""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources.abc import Traversable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from auditor.demo import BASE_PLACEHOLDER, site_root

# Planted on purpose: one page links to /treatments/smp, an old address that now moves permanently.
REDIRECTS: dict[str, str] = {
    "/treatments/smp": "treatments/scalp-micropigmentation.html",
    "/treatments/smp/": "treatments/scalp-micropigmentation.html",
    "/blog": "blog/",
}

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# Only text documents carry {{BASE}}; images and scripts are served byte for byte.
_TEMPLATED = frozenset({".html", ".xml", ".txt"})

# Packaged files (for example inside a zip) have no modification time; a fixed date keeps
# Last-Modified stable from run to run, which is what conditional requests need.
_FALLBACK_MTIME = datetime(2025, 9, 1, 9, 0, tzinfo=UTC).timestamp()

_HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")

_NOT_FOUND = """<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page not found | Northfield Scalp Clinic</title><meta name="robots" content="noindex"></head>
<body><main><h1>Page not found</h1>
<p>Sorry, we could not find that page. It may have moved or been removed.</p>
<p><a href="/">Go to the Northfield Scalp Clinic home page</a></p></main></body>
</html>
"""


def _http_date(timestamp: float) -> str:
    return email.utils.formatdate(int(timestamp), usegmt=True)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2), as GET conditional requests use."""
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def _not_modified_since(header: str, last_modified: float) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return int(last_modified) <= since.timestamp()


def _resolve(root: Traversable, url_path: str) -> Traversable | None:
    """Map a URL path to a file under the site root; hidden names and dot segments never resolve."""
    if url_path.endswith("/"):
        url_path += "index.html"
    parts = [part for part in url_path.split("/") if part]
    if not parts or any(part.startswith(".") or "\\" in part or "\x00" in part for part in parts):
        return None
    resource = root
    for part in parts:
        resource = resource.joinpath(part)
    try:
        return resource if resource.is_file() else None
    except (OSError, ValueError):
        return None


def _mtime(resource: Traversable) -> float:
    if isinstance(resource, Path):
        try:
            return resource.stat().st_mtime
        except OSError:
            return _FALLBACK_MTIME
    return _FALLBACK_MTIME


class _DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], root: Traversable) -> None:
        super().__init__(address, _DemoHandler)
        self.root = root
        host, port = self.server_address[0], self.server_address[1]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        if host_text in ("0.0.0.0", ""):
            host_text = "127.0.0.1"
        self.base_url = f"http://{host_text}:{port}/"


class _DemoHandler(BaseHTTPRequestHandler):
    server: _DemoServer
    protocol_version = "HTTP/1.1"
    server_version = "NorthfieldDemo/1.0"
    # Headers and body go out as two writes; with Nagle on, keep-alive clients wait ~40 ms per response.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Silent: a crawl of the demo must not spray request lines over the terminal or test output."""

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _base_url(self) -> str:
        # Links must point back at the address the visitor used (127.0.0.1 vs localhost, or a LAN
        # name under --serve); an unexpected Host header falls back to the bound address.
        host = self.headers.get("Host", "")
        if host and _HOST_HEADER.match(host):
            return f"http://{host}/"
        return self.server.base_url

    def _respond(self, *, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path) or "/"
        base = self._base_url()
        target = REDIRECTS.get(path)
        if target is not None:
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain; charset=utf-8", send_body,
                       extra=(("Location", base + target),))
            return
        resource = _resolve(self.server.root, path)
        if resource is None:
            self._send(HTTPStatus.NOT_FOUND, _NOT_FOUND.encode(), CONTENT_TYPES[".html"], send_body)
            return
        suffix = Path(resource.name).suffix.lower()
        body = resource.read_bytes()
        if suffix in _TEMPLATED:
            body = body.replace(BASE_PLACEHOLDER.encode(), base.encode())
        etag = _etag(body)
        last_modified = _mtime(resource)
        validators = (("ETag", etag), ("Last-Modified", _http_date(last_modified)),
                      ("Cache-Control", "no-cache"))
        if_none_match = self.headers.get("If-None-Match")
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_none_match is not None:
            fresh = _etag_matches(if_none_match, etag)
        else:
            fresh = if_modified_since is not None and _not_modified_since(if_modified_since, last_modified)
        if fresh:
            self._send(HTTPStatus.NOT_MODIFIED, b"", None, False, extra=validators)
            return
        content_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
        self._send(HTTPStatus.OK, body, content_type, send_body, extra=validators)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str | None, send_body: bool,
              extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)


def _root(root: Path | None) -> Traversable:
    return root if root is not None else site_root()


def serve_demo(
    host: str = "127.0.0.1", port: int = 0, root: Path | None = None
) -> contextlib.AbstractContextManager[str]:
    """Serve the demo site in a background thread for the length of a `with` block; yields the base URL.

    Port 0 takes a free port, so parallel test runs never collide. `root` serves another copy of the
    site (a test's edited "second week") instead of the packaged one; files are read on every request,
    so edits made while the server runs are seen at once.
    """
    return _serving(host, port, _root(root))


@contextlib.contextmanager
def _serving(host: str, port: int, root: Traversable) -> Iterator[str]:
    server = _DemoServer((host, port), root)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="demo-site", daemon=True
    )
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve_forever(host: str = "127.0.0.1", port: int = 8000, root: Path | None = None) -> None:
    """Serve the demo site in the foreground until interrupted, for `auditor demo --serve`."""
    server = _DemoServer((host, port), _root(root))
    print(f"Serving the demo clinic site at {server.base_url} (press Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
