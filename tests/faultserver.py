"""A misbehaving web site on 127.0.0.1 for the crawler tests: every fault a real server can throw, on purpose.

The server runs its own asyncio loop in a thread, speaks just enough HTTP/1.1 (keep-alive included) to be
fetched by any client, records every request (path, Host, start and end time) and counts how many requests
are in flight per Host at once, so a test can prove what the crawler did and did not do.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import struct
import threading
import time
import zlib
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

CRAWL_DELAY = 0.05
BOMB_INFLATED = 100 * 1024 * 1024
HUGE_BYTES = 50 * 1024 * 1024


@dataclass
class Request:
    method: str
    path: str  # path and query as sent
    headers: dict[str, str]
    host: str
    started: float
    ended: float = 0.0
    finished: bool = False


class Conn(asyncio.Protocol):
    """One client connection. A request counts as in flight from its head until its response is written or
    the client goes away; the disconnect is noticed in the same loop turn, before any later request."""

    def __init__(self, server: FaultServer) -> None:
        self.server = server
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.current: Request | None = None
        self.task: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self._can_write = asyncio.Event()
        self._can_write.set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server._conns.add(self)

    def data_received(self, data: bytes) -> None:
        if not self.buffer and data[:1] == b"\x16" and self.transport is not None:
            # A TLS handshake sent to this plain-HTTP server: answer in plain HTTP, like a misconfigured port.
            self.transport.write(http_response(400, b"plain HTTP here"))
            self.transport.close()
            return
        self.buffer += data
        self._next()

    def eof_received(self) -> bool:
        self._gone()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._gone()
        self.server._conns.discard(self)

    def pause_writing(self) -> None:
        self._can_write.clear()

    def resume_writing(self) -> None:
        self._can_write.set()

    def _gone(self) -> None:
        self.closed.set()
        self._can_write.set()
        if self.current is not None:
            self.server._finish(self.current)
            self.current = None
        if self.task is not None and not self.task.done():
            self.task.cancel()

    def _next(self) -> None:
        if self.current is not None or self.closed.is_set():
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[: end + 4])
        del self.buffer[: end + 4]
        request = self.server._parse(head)
        if request is None:
            self.abort()
            return
        self.current = request
        self.server._begin(request)
        self.task = asyncio.get_running_loop().create_task(self._serve(request))

    async def _serve(self, request: Request) -> None:
        keep = False
        try:
            handler = self.server._route(request.path.split("?", 1)[0])
            if handler is None:
                keep = await send(self, 404, html("<h1>Not found</h1>"), {"Content-Type": "text/html"})
            else:
                keep = await handler(self.server, request, self)
        except (ConnectionError, OSError, asyncio.CancelledError):
            keep = False
        if self.current is request:
            self.server._finish(request)
            self.current = None
        if keep and request.headers.get("connection", "").lower() != "close" and not self.closed.is_set():
            self._next()
        elif self.transport is not None and not self.closed.is_set():
            self.transport.close()

    async def write(self, data: bytes) -> None:
        if self.closed.is_set() or self.transport is None:
            raise ConnectionResetError("client went away")
        self.transport.write(data)
        await self._can_write.wait()
        if self.closed.is_set():
            raise ConnectionResetError("client went away")

    async def sleep(self, seconds: float) -> None:
        """Wait, but stop at once (raising) if the client hangs up meanwhile."""
        try:
            await asyncio.wait_for(self.closed.wait(), seconds)
        except TimeoutError:
            return
        raise ConnectionResetError("client went away")

    def abort(self, reset: bool = False) -> None:
        if self.transport is None:
            return
        if reset:
            sock = self.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()


Handler = Callable[["FaultServer", Request, Conn], Awaitable[bool]]


def http_response(
    status: int, body: bytes = b"", headers: dict[str, str] | None = None, reason: str = "X"
) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    hdrs = {"Content-Length": str(len(body)), **(headers or {})}
    lines += [f"{k}: {v}" for k, v in hdrs.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def send(conn: Conn, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> bool:
    await conn.write(http_response(status, body, headers))
    return True


def html(body: str, title: str = "Page") -> bytes:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body>{body}</body></html>"
    ).encode()


_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    """About 100 KB of gzip that inflates to 100 MB of zeros; built once, chunk by chunk, never whole."""
    global _BOMB
    if _BOMB is None:
        comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        zeros = bytes(1024 * 1024)
        parts = [comp.compress(zeros) for _ in range(BOMB_INFLATED // len(zeros))]
        parts.append(comp.flush())
        _BOMB = b"".join(parts)
    return _BOMB


@dataclass
class FaultServer:
    """The server and its records. `routes` maps an exact path (without query) or a prefix ending in '*'."""

    routes: dict[str, Handler] = field(default_factory=dict)
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[Request] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    peak: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._conns: set[Conn] = set()
        self._lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FaultServer:
        if self._thread.is_alive():
            return self
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fault server did not start")
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for conn in list(self._conns):
                conn.abort()
            await asyncio.sleep(0.01)

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def boot() -> None:
            self._server = await self._loop.create_server(
                lambda: Conn(self), self.host, self.port, backlog=256
            )
            self.port = self._server.sockets[0].getsockname()[1]

        self._loop.run_until_complete(boot())
        self._ready.set()
        self._loop.run_forever()
        for task in asyncio.all_tasks(self._loop):
            task.cancel()
        self._loop.run_until_complete(asyncio.sleep(0))
        self._loop.close()

    # -- records --------------------------------------------------------------------------------------------

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def hits(self, path: str) -> int:
        return sum(1 for p in self.paths() if p == path)

    def starts(self, path: str | None = None) -> list[float]:
        with self._lock:
            return [r.started for r in self.requests if path is None or r.path == path]

    @property
    def max_in_flight(self) -> int:
        with self._lock:
            return max(self.peak.values(), default=0)

    def _parse(self, head: bytes) -> Request | None:
        try:
            text = head.decode("latin-1")
            line, *rest = text.split("\r\n")
            method, path, _ = line.split(" ", 2)
        except ValueError:
            return None
        headers = {}
        for item in rest:
            if ":" in item:
                key, value = item.split(":", 1)
                headers[key.strip().lower()] = value.strip()
        return Request(method, path, headers, headers.get("host", ""), time.monotonic())

    def _begin(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
            self.in_flight[request.host] += 1
            self.peak[request.host] = max(self.peak[request.host], self.in_flight[request.host])
            self.counters[request.path] += 1

    def _finish(self, request: Request) -> None:
        with self._lock:
            if request.finished:
                return
            request.finished = True
            request.ended = time.monotonic()
            self.in_flight[request.host] -= 1

    def _route(self, path: str) -> Handler | None:
        if path in self.routes:
            return self.routes[path]
        best = ""
        for key in self.routes:
            if key.endswith("*") and path.startswith(key[:-1]) and len(key) > len(best):
                best = key
        return self.routes.get(best) if best else None


# -- the fault site -----------------------------------------------------------------------------------------

FAULT_LINKS = (
    "/ok",
    "/redirect-ok",
    "/timeout",
    "/error500",
    "/flaky",
    "/ratelimited",
    "/ratelimited-once",
    "/reset",
    "/drip",
    "/loop-a",
    "/huge",
    "/bomb",
    "/binary",
    "/bad-utf8",
    "/missing",
    "/doc.pdf",
    "/slow",
    "/infinite/1",
    "/calendar/{year}/{month:02d}",
    "/private/secret",
    "/admin",
    "/out/page",
)
# The check each faulty address must produce, and nothing else; addresses not listed must produce nothing.
EXPECTED_FINDINGS = {
    "/timeout": "CRL002",
    "/error500": "CRL003",
    "/ratelimited": "CRL005",
    "/reset": "CRL001",
    "/drip": "CRL002",
    "/loop-a": "CRL006",
    "/huge": "CRL007",
    "/bomb": "CRL007",
    "/binary": "CRL009",
    "/bad-utf8": "CRL010",
    "/missing": "CRL004",
    "/doc.pdf": "CRL008",
    "/slow": "CRL013",
    "/private/secret": "CRL011",
    "/admin": "CRL011",
}
CLEAN_PATHS = ("/", "/ok", "/redirect-ok", "/flaky", "/ratelimited-once", "/orphan")
ROBOTS_DISALLOWED = ("/private/", "/admin")


def _page(*links: str, title: str = "Page") -> bytes:
    anchors = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return html(f"<h1>{title}</h1><p>Scalp micropigmentation clinic.</p><ul>{anchors}</ul>", title)


_HTML = {"Content-Type": "text/html; charset=utf-8"}


async def _robots(s: FaultServer, r: Request, w: Conn) -> bool:
    text = (
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: ClinicContentAuditor\nDisallow: /private/\nDisallow: /admin\n"
        f"Crawl-delay: {CRAWL_DELAY}\n\n"
        f"Sitemap: {s.base}/sitemap.xml\n"
    )
    return await send(w, 200, text.encode(), {"Content-Type": "text/plain"})


async def _sitemap_index(s: FaultServer, r: Request, w: Conn) -> bool:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{s.base}/sitemaps/pages.xml.gz</loc></sitemap></sitemapindex>"
    )
    return await send(w, 200, body.encode(), {"Content-Type": "application/xml"})


async def _sitemap_pages(s: FaultServer, r: Request, w: Conn) -> bool:
    urls = "".join(f"<url><loc>{s.base}{p}</loc></url>" for p in ("/", "/ok", "/orphan", "/private/secret"))
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()
    comp = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    gz = comp.compress(body) + comp.flush()
    return await send(w, 200, gz, {"Content-Type": "application/x-gzip"})


async def _home(s: FaultServer, r: Request, w: Conn) -> bool:
    today = dt.date.today()
    links = [p.format(year=today.year, month=today.month) for p in FAULT_LINKS]
    links += ["http://example.invalid/elsewhere", "mailto:info@example.invalid", "#top"]
    return await send(w, 200, _page(*links, title="Home"), _HTML)


async def _ok(s: FaultServer, r: Request, w: Conn) -> bool:
    return await send(w, 200, _page("/", title="OK"), _HTML)


def _redirect(target: str, status: int = 302) -> Handler:
    async def handler(s: FaultServer, r: Request, w: Conn) -> bool:
        return await send(w, status, b"", {"Location": target})

    return handler


async def _timeout(s: FaultServer, r: Request, w: Conn) -> bool:
    await w.sleep(30)
    return await send(w, 200, _page(title="Too late"), _HTML)


async def _error500(s: FaultServer, r: Request, w: Conn) -> bool:
    return await send(w, 500, html("<h1>Internal Server Error</h1>"), _HTML)


async def _flaky(s: FaultServer, r: Request, w: Conn) -> bool:
    if s.counters[r.path] == 1:
        return await send(w, 503, html("<h1>Busy</h1>"), _HTML)
    return await send(w, 200, _page(title="Flaky but fine"), _HTML)


async def _ratelimited(s: FaultServer, r: Request, w: Conn) -> bool:
    return await send(w, 429, html("<h1>Slow down</h1>"), {**_HTML, "Retry-After": "1"})


async def _ratelimited_once(s: FaultServer, r: Request, w: Conn) -> bool:
    if s.counters[r.path] == 1:
        return await send(w, 429, html("<h1>Slow down</h1>"), {**_HTML, "Retry-After": "1"})
    return await send(w, 200, _page(title="Patience rewarded"), _HTML)


async def _reset(s: FaultServer, r: Request, w: Conn) -> bool:
    w.abort(reset=True)
    return False


async def _drip(s: FaultServer, r: Request, w: Conn) -> bool:
    await w.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 100000\r\n\r\n"
    )
    for _ in range(500):
        await w.write(b"<")
        await w.sleep(0.2)
    return False


async def _huge(s: FaultServer, r: Request, w: Conn) -> bool:
    await w.write(
        f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {HUGE_BYTES}"
        "\r\n\r\n".encode()
    )
    chunk = b"<p>" + b"x" * 65_529 + b"</p>"
    sent = 0
    while sent < HUGE_BYTES:
        await w.write(chunk[: HUGE_BYTES - sent])
        sent += len(chunk)
    return True


async def _bomb(s: FaultServer, r: Request, w: Conn) -> bool:
    return await send(w, 200, gzip_bomb(), {**_HTML, "Content-Encoding": "gzip"})


async def _binary(s: FaultServer, r: Request, w: Conn) -> bool:
    body = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
    return await send(w, 200, body, _HTML)


async def _bad_utf8(s: FaultServer, r: Request, w: Conn) -> bool:
    body = html("<p>CAFE prices from POUND99</p>").replace(b"CAFE", b"Caf\xe9").replace(b"POUND", b"\xa3")
    return await send(w, 200, body, _HTML)


async def _pdf(s: FaultServer, r: Request, w: Conn) -> bool:
    return await send(w, 200, b"%PDF-1.4\n% brochure\n", {"Content-Type": "application/pdf"})


async def _slow(s: FaultServer, r: Request, w: Conn) -> bool:
    await w.sleep(1.0)
    return await send(w, 200, _page(title="Slow"), _HTML)


async def _infinite(s: FaultServer, r: Request, w: Conn) -> bool:
    tail = r.path.split("?", 1)[0].rsplit("/", 1)[-1]
    n = int(tail) if tail.isdigit() else 1
    links = [f"/infinite/{n + 1}", *(f"/infinite/{n}?sort={k}" for k in range(1, 7))]
    return await send(w, 200, _page(*links, title=f"Endless {n}"), _HTML)


async def _calendar(s: FaultServer, r: Request, w: Conn) -> bool:
    parts = r.path.split("?", 1)[0].strip("/").split("/")
    try:
        year, month = int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        return await send(w, 404, html("no such month"), _HTML)
    nxt = (year + (month == 12), month % 12 + 1)
    prv = (year - (month == 1), (month - 2) % 12 + 1)
    links = [f"/calendar/{nxt[0]}/{nxt[1]:02d}", f"/calendar/{prv[0]}/{prv[1]:02d}"]
    return await send(w, 200, _page(*links, title=f"Events {year}-{month:02d}"), _HTML)


async def _forbidden_area(s: FaultServer, r: Request, w: Conn) -> bool:
    return await send(w, 200, _page(title="Should never be fetched"), _HTML)


def fault_routes() -> dict[str, Handler]:
    return {
        "/robots.txt": _robots,
        "/sitemap.xml": _sitemap_index,
        "/sitemaps/pages.xml.gz": _sitemap_pages,
        "/": _home,
        "/ok": _ok,
        "/orphan": _ok,
        "/redirect-ok": _redirect("/ok", 301),
        "/timeout": _timeout,
        "/error500": _error500,
        "/flaky": _flaky,
        "/ratelimited": _ratelimited,
        "/ratelimited-once": _ratelimited_once,
        "/reset": _reset,
        "/drip": _drip,
        "/loop-a": _redirect("/loop-b"),
        "/loop-b": _redirect("/loop-a"),
        "/huge": _huge,
        "/bomb": _bomb,
        "/binary": _binary,
        "/bad-utf8": _bad_utf8,
        "/doc.pdf": _pdf,
        "/slow": _slow,
        "/infinite/*": _infinite,
        "/calendar/*": _calendar,
        "/private/*": _forbidden_area,
        "/admin": _forbidden_area,
        "/out/*": _ok,
    }


def fault_server() -> FaultServer:
    gzip_bomb()  # built before serving: compressing 100 MB inside the loop would stall every other response
    return FaultServer(routes=fault_routes())
