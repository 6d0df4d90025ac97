"""The content-addressed blob store, in the database (SQLite or PostgreSQL alike, so several
web processes on several machines share it): a file is stored once under its SHA-256, in
chunks of ``CHUNK`` bytes, and read back one chunk at a time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.messages import Msg, msg
from engine.storage.schema import BLOB_CHUNKS, Blob, BlobChunk

CHUNK = 512 * 1024



def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def store(session: Session, content: bytes, now: datetime) -> str:
    """Store ``content`` unless a blob with its hash is there already; its SHA-256."""
    digest = sha256_of(content)
    if session.get(Blob, digest) is not None:
        return digest
    pieces = [content[i:i + CHUNK] for i in range(0, len(content), CHUNK)] or [b""]
    session.add(Blob(sha256=digest, size=len(content), chunks=len(pieces), created_at=now))
    session.flush()
    session.connection().execute(insert(BLOB_CHUNKS), [
        {"sha256": digest, "seq": n, "data": piece} for n, piece in enumerate(pieces)])
    return digest


def chunk(session: Session, digest: str, seq: int) -> bytes | None:
    return session.execute(select(BlobChunk.data).where(
        BlobChunk.sha256 == digest, BlobChunk.seq == seq)).scalar_one_or_none()


def read_all(session: Session, digest: str) -> bytes:
    """A whole blob (documents and bundles; downloads stream with :func:`stream`)."""
    rows = session.execute(select(BlobChunk.data).where(BlobChunk.sha256 == digest)
                           .order_by(BlobChunk.seq)).scalars()
    return b"".join(rows)


def stream(read: Callable[[int], bytes | None], chunks: int) -> Iterator[bytes]:
    """The blob's chunks in order, each read by ``read(seq)`` (its own short read-only
    transaction: blobs never change, so the pieces belong together)."""
    for seq in range(chunks):
        piece = read(seq)
        if piece is None:
            return
        yield piece


def problem(session: Session, digest: str, size: int | None = None) -> Msg | None:
    """What is wrong with a stored blob (missing, or its content no longer gives its hash),
    or None. Reads it chunk by chunk."""
    blob = session.get(Blob, digest)
    if blob is None:
        return msg("blob.missing")
    hasher, total, count = hashlib.sha256(), 0, 0
    for piece in session.execute(select(BlobChunk.data).where(BlobChunk.sha256 == digest)
                                 .order_by(BlobChunk.seq)).scalars():
        hasher.update(piece)
        total += len(piece)
        count += 1
    if count != blob.chunks or hasher.hexdigest() != digest:
        return msg("blob.changed")
    if size is not None and total != size:
        return msg("blob.size_differs", total=total, size=size)
    return None
