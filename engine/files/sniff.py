"""What a file is, judged by its content (magic bytes), never by its name or the type a
browser claims. The allow-list: PDF, PNG/JPEG/GIF/WebP images, Office documents (OOXML,
which is a zip with ``[Content_Types].xml``, and legacy OLE compound files with an Office
or WPS extension) and zip archives. Everything else (HTML, SVG, scripts, executables) is
refused."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection
from dataclasses import dataclass

from engine.messages import Msg, msg

KINDS = ("pdf", "image", "office", "zip")
KIND_TITLES = {"pdf": "PDF", "image": "图片", "office": "Office 文档", "zip": "压缩包"}
# the kind a file name claims by its extension, among the kinds the allow-list has
_NAMED_KINDS = {"pdf": "pdf", "zip": "zip",
                **dict.fromkeys(("png", "jpg", "jpeg", "gif", "webp"), "image"),
                **dict.fromkeys(("doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et",
                                 "dps"), "office")}


@dataclass(frozen=True)
class Sniffed:
    kind: str  # one of KINDS
    media_type: str
    extensions: tuple[str, ...]  # the first is used when a name lacks a fitting one


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_TYPES = {
    "doc": "application/msword", "wps": "application/msword",
    "xls": "application/vnd.ms-excel", "et": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint", "dps": "application/vnd.ms-powerpoint",
}
_OOXML = {
    "word/": Sniffed("office", "application/vnd.openxmlformats-officedocument."
                               "wordprocessingml.document", ("docx",)),
    "xl/": Sniffed("office", "application/vnd.openxmlformats-officedocument."
                             "spreadsheetml.sheet", ("xlsx",)),
    "ppt/": Sniffed("office", "application/vnd.openxmlformats-officedocument."
                              "presentationml.presentation", ("pptx",)),
}
_MAGIC = (
    (b"%PDF-", Sniffed("pdf", "application/pdf", ("pdf",))),
    (b"\x89PNG\r\n\x1a\n", Sniffed("image", "image/png", ("png",))),
    (b"\xff\xd8\xff", Sniffed("image", "image/jpeg", ("jpg", "jpeg"))),
    (b"GIF87a", Sniffed("image", "image/gif", ("gif",))),
    (b"GIF89a", Sniffed("image", "image/gif", ("gif",))),
)
ZIP = Sniffed("zip", "application/zip", ("zip",))


def sniff(content: bytes, name: str = "") -> Sniffed | None:
    """The file's kind and media type, or None when it is not on the allow-list. ``name``
    only tells the legacy Office formats apart (they share one container format)."""
    for magic, found in _MAGIC:
        if content.startswith(magic):
            return found
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return Sniffed("image", "image/webp", ("webp",))
    if content.startswith(_OLE):
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        media_type = _OLE_TYPES.get(extension)
        return Sniffed("office", media_type, (extension,)) if media_type else None
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(content)
    return None


def _zip_kind(content: bytes) -> Sniffed | None:
    """An OOXML document (a zip with ``[Content_Types].xml`` and its part folder) counts as
    Office; any other readable zip is a zip. The archive is listed, never extracted."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" in names:
        for folder, found in _OOXML.items():
            if any(n.startswith(folder) for n in names):
                return found
    return ZIP


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name.strip(" .") else ""


def refusal(name: str, shown: str, found: Sniffed | None, accept: Collection[str]
            ) -> Msg | None:
    """Why an upload named ``name`` (``shown`` as it would be stored) whose content is
    ``found`` is refused where ``accept`` kinds are, or None. A content that is not what its
    allowed name says is told so, not called a type not allowed; a content of another kind
    of the allow-list than its name says (a GIF named 核查报告.docx) is refused: the wrong
    file was most likely chosen. A name with no extension, or one off the allow-list, gets
    the content's (engine/files/names.py)."""
    claimed = _NAMED_KINDS.get(extension_of(name))
    if found is None and claimed in accept:
        return msg("upload.content_not_as_named", name=shown, kind=msg(f"upload.kind.{claimed}"))
    if found is None or found.kind not in accept:
        return msg("upload.type_not_allowed", name=shown,
                   allowed=[msg(f"upload.kind.{k}") for k in accept])
    if claimed is not None and claimed != found.kind:
        return msg("upload.content_differs", name=shown, extension=extension_of(name),
                   named=msg(f"upload.kind.{claimed}"), kind=msg(f"upload.kind.{found.kind}"),
                   format=found.extensions[0].upper())
    return None
