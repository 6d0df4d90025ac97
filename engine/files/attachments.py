"""Files coming into a case with a command: checked (allow-list by content, size limits,
the field's ``accept`` and ``max_files``), named safely, stored once by SHA-256, and
described for the event that records them. The event's payload carries
``"files": [{"sha256", "name", "size", "media_type", "field"}]`` (the uploader is the event's
user), so `kuaiban verify` can check every file, replay needs no content and bundles can carry
the files; the ``attachments`` table lists a case's files for reading."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.files import blobs, names
from engine.files.fields import FileField, file_fields
from engine.files.sniff import KIND_TITLES, refusal, sniff
from engine.messages import Msg, msg
from engine.storage.schema import ATTACHMENTS, Attachment, Blob

MB = 1024 * 1024

CASE_FIELD = "_files"  # the error key of files sent to the case itself (no form field)


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the form field it was sent in (None: to the case itself), the name
    the sender gave it, and its bytes."""

    field: str | None
    name: str
    content: bytes


@dataclass(frozen=True)
class Limits:
    """Size limits (settings: docs/operations.md)."""

    file_bytes: int = 20 * MB
    case_bytes: int = 200 * MB
    request_bytes: int = 100 * MB  # one upload request (several files) to the web app

    @classmethod
    def from_env(cls) -> Limits:
        return cls(_mb("KUAIBAN_FILE_MAX_MB", 20), _mb("KUAIBAN_CASE_FILES_MAX_MB", 200),
                   _mb("KUAIBAN_UPLOAD_MAX_MB", 100))


def _mb(name: str, default: float) -> int:
    text = os.environ.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        value = default
    return int((value if value > 0 else default) * MB)


def _size_text(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB / 10 else f"{max(1, size // 1024)} KB"


def take(session: Session, instance_id: int | None, uploads: Sequence[Upload],
         fields: Mapping[str, FileField] | None, limits: Limits, now: datetime
         ) -> list[dict[str, Any]]:
    """Check and store ``uploads``; the file records for the event, in upload order. ``fields``:
    the form's file fields (None: files for the case itself). Every problem is reported at
    once, keyed by field, and nothing is kept (the command's transaction rolls back)."""
    errors: dict[str, Msg | str] = {}
    records: list[dict[str, Any]] = []
    for upload in uploads:
        key = upload.field or CASE_FIELD
        spec = None if fields is None else fields.get(upload.field or "")
        if fields is not None and spec is None:
            errors.setdefault(key, "此字段不接受文件")
            continue
        limit = min(limits.file_bytes, spec.max_bytes or limits.file_bytes) if spec \
            else limits.file_bytes
        shown = names.clean(upload.name)
        if len(upload.content) > limit:
            errors.setdefault(key, f"文件“{shown}”超过大小限制（每个文件不超过 "
                                   f"{_size_text(limit)}）")
            continue
        if not upload.content:
            errors.setdefault(key, f"文件“{shown}”是空文件")
            continue
        found = sniff(upload.content, upload.name)
        refused = refusal(upload.name, shown, found, spec.accept if spec else KIND_TITLES)
        if refused is not None or found is None:
            errors.setdefault(key, refused or msg("upload.files_refused"))
            continue
        digest = blobs.store(session, upload.content, now)
        records.append({"sha256": digest, "name": names.clean(upload.name, found),
                        "size": len(upload.content), "media_type": found.media_type,
                        "field": upload.field})
    if not errors:
        _check_case_total(session, instance_id, records, limits, errors)
    if errors:
        raise InvalidData(errors, msg("upload.files_refused"))
    return records


def _check_case_total(session: Session, instance_id: int | None,
                      records: list[dict[str, Any]], limits: Limits,
                      errors: dict[str, Msg | str]) -> None:
    have = set(case_files(session, instance_id)) if instance_id is not None else set()
    used = 0
    if have:
        used = session.execute(select(func.coalesce(func.sum(Blob.size), 0))
                               .where(Blob.sha256.in_(have))).scalar_one()
    new = {r["sha256"]: r["size"] for r in records if r["sha256"] not in have}
    if used + sum(new.values()) > limits.case_bytes:
        key = records[0]["field"] or CASE_FIELD if records else CASE_FIELD
        errors[key] = (f"本案件的附件总大小将超过限制（{_size_text(limits.case_bytes)}，"
                       f"已用 {_size_text(int(used))}）")


def case_files(session: Session, instance_id: int) -> list[str]:
    """The SHA-256s of the files a case has."""
    return list(session.execute(select(Attachment.sha256).where(
        Attachment.instance_id == instance_id).distinct()).scalars())


def fill_fields(session: Session, instance_id: int | None, schema: Mapping[str, Any] | None,
                data: Mapping[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    """The submitted data with each file field listing its files: those the data names (files
    the case has already) followed by those just uploaded in it. A file field may only name
    files of this case or of this submission, so nobody can reach another case's file by
    quoting its hash."""
    fields = file_fields(schema)
    out = dict(data)
    errors: dict[str, Msg | str] = {}
    known = set(case_files(session, instance_id)) if instance_id is not None else set()
    for name in fields:
        named = out.get(name, [])
        if name not in out and not any(r["field"] == name for r in records):
            continue
        if not isinstance(named, list) or not all(isinstance(v, str) for v in named):
            errors[name] = "应为文件的 sha256 列表"
            continue
        new = [r["sha256"] for r in records if r["field"] == name]
        if any(v not in known for v in named):
            errors[name] = "引用了不属于本案件的文件"
            continue
        out[name] = list(dict.fromkeys([*named, *new]))
        if len(out[name]) > fields[name].max_files:
            errors[name] = f"最多上传 {fields[name].max_files} 个文件"
    if errors:
        raise InvalidData(errors, msg("upload.files_refused"))
    return out


def record(session: Session, instance_id: int, seq: int, records: Sequence[Mapping[str, Any]],
           user: str | None, now: datetime, task_id: str | None = None,
           document: str | None = None, doc_no: str | None = None) -> None:
    """List the files the event ``seq`` recorded among the case's files."""
    if not records:
        return
    session.connection().execute(insert(ATTACHMENTS), [{
        "instance_id": instance_id, "seq": seq, "sha256": r["sha256"], "name": r["name"],
        "size": r["size"], "media_type": r["media_type"], "field": r.get("field"),
        "task_id": task_id, "document": document, "doc_no": doc_no, "uploaded_by": user,
        "uploaded_at": now} for r in records])


def recorded_files(payload: Any) -> list[dict[str, Any]]:
    """The file records an event's payload carries (none for most events)."""
    files = payload.get("files") if isinstance(payload, dict) else None
    return [f for f in files or [] if isinstance(f, dict) and "sha256" in f]
