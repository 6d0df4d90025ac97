"""Sending a case's file: always as a download (``Content-Disposition: attachment`` with the
UTF-8 name per RFC 6266/5987), with the type its content was checked to be, never sniffed by
the browser (``nosniff``) and never rendered as a page (a sandboxing CSP), streamed one stored
chunk at a time."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

from werkzeug.wrappers import Response

from engine import AttachmentView

# Only the types the allow-list admits are ever named; anything else is plain bytes.
SAFE_TYPES = frozenset({
    "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp",
    "application/zip", "application/msword", "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
})
_NOT_TOKEN = re.compile(r'[^A-Za-z0-9!#$&+.^_`|~-]')


def content_disposition(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = _NOT_TOKEN.sub("_", ascii_name).strip("._") or "file"
    if "." in name and "." not in fallback:
        fallback += "." + name.rsplit(".", 1)[-1].encode("ascii", "ignore").decode()
    return f'attachment; filename="{fallback}"; filename*=UTF-8\'\'{quote(name, safe="")}'


def send(view: AttachmentView, chunks: Iterator[bytes]) -> Response:
    return _attachment(view.name, view.media_type, view.size, chunks)


def send_pdf(view: AttachmentView, content: bytes) -> Response:
    """A document converted to PDF, named like the .docx it was made from."""
    name = view.name.rsplit(".", 1)[0] + ".pdf"
    return _attachment(name, "application/pdf", len(content), iter([content]))


def _attachment(name: str, media_type: str, size: int, chunks: Iterator[bytes]) -> Response:
    kind = media_type if media_type in SAFE_TYPES else "application/octet-stream"
    response = Response(chunks, mimetype=kind, direct_passthrough=True)
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Content-Length"] = str(size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
