"""Reads a response body under a hard cap on decompressed bytes: neither a huge page nor a gzip bomb gets in.

httpx's own decoders inflate a whole network chunk at once (a 64 KB chunk of a gzip bomb is 64 MB), so we read
the raw bytes and inflate them with zlib's `max_length`, which never produces more than we asked for.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import httpx


class UnsupportedEncoding(Exception):
    """The server compressed the body with something we did not offer in Accept-Encoding."""


class BoundedDecoder:
    """Inflates gzip or deflate (zlib-wrapped or raw) chunk by chunk, never past a given length per call."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        if encoding in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif encoding == "deflate":
            self._wbits = zlib.MAX_WBITS  # switched to raw deflate below if the zlib header is missing
        else:
            raise UnsupportedEncoding(encoding)
        self._obj = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        """Up to `limit` bytes of output for this input; input not yet inflated is kept for the next call."""
        if not self._started and self.encoding == "deflate" and data:
            self._started = True
            try:
                return self._inflate(data, limit)
            except zlib.error:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        self._started = True
        return self._inflate(data, limit)

    def _inflate(self, data: bytes, limit: int) -> bytes:
        out = bytearray()
        pending = data
        while len(out) < limit:
            out += self._obj.decompress(pending, limit - len(out))
            pending = self._obj.unconsumed_tail
            if self._obj.eof and self._obj.unused_data:  # concatenated gzip members
                pending = self._obj.unused_data
                self._obj = zlib.decompressobj(self._wbits)
            if not pending:
                break
        return bytes(out)

    def has_pending(self) -> bool:
        return bool(self._obj.unconsumed_tail)


@dataclass(frozen=True)
class Body:
    data: bytes
    truncated: bool
    raw_bytes: int  # bytes received on the wire


def content_encoding(response: httpx.Response) -> str:
    value = response.headers.get("content-encoding", "")
    codings = [c.strip().lower() for c in value.split(",") if c.strip() and c.strip().lower() != "identity"]
    if len(codings) > 1:
        raise UnsupportedEncoding(value)
    return codings[0] if codings else ""


async def read_capped(response: httpx.Response, cap: int) -> Body:
    """The decoded body, stopping (and saying so) at `cap` bytes; the rest is never read from the network."""
    encoding = content_encoding(response)
    decoder = BoundedDecoder(encoding) if encoding else None
    out = bytearray()
    raw_total = 0
    async for raw in response.aiter_raw():
        raw_total += len(raw)
        room = cap - len(out)
        if decoder is None:
            out += raw[: room + 1]
        else:
            out += decoder.feed(raw, room + 1)
        if len(out) > cap:
            del out[cap:]
            return Body(bytes(out), True, raw_total)
    if decoder is not None:
        try:
            tail = decoder.feed(b"", cap - len(out) + 1)
        except zlib.error:
            tail = b""
        out += tail
        if len(out) > cap or decoder.has_pending():
            del out[cap:]
            return Body(bytes(out), True, raw_total)
    return Body(bytes(out), False, raw_total)
