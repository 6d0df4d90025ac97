"""Small real files for the attachment tests (no test here): a PNG photo, a PDF, an OOXML
document, a zip, and hostile look-alikes."""

from __future__ import annotations

import io
import os
import shutil
import struct
import zipfile
import zlib

import pytest


def png(width: int = 4, height: int = 3, seed: int = 0) -> bytes:
    """A real RGB PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes((x * 40 + seed) % 256 for x in range(width * 3))
                    for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def pdf(text: str = "evidence") -> bytes:
    """A one-page PDF."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (n, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def xlsx() -> bytes:
    """An OOXML spreadsheet's skeleton (what the sniffer looks at)."""
    return zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


HTML = b"<!doctype html><script>alert(1)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00" + b"\x00" * 60


def require_pdf_tools() -> None:
    """LibreOffice (to make PDFs) and pdftotext (to read them back): skipped with the reason
    where missing, unless KUAIBAN_REQUIRE_PDF=1 (CI), where it fails instead."""
    missing = [tool for tool in ("soffice", "pdftotext") if shutil.which(tool) is None]
    if not missing:
        return
    reason = (f"{', '.join(missing)} not installed (Debian: libreoffice-writer-nogui, "
              "poppler-utils)")
    if os.environ.get("KUAIBAN_REQUIRE_PDF") == "1":
        pytest.fail(reason + " (KUAIBAN_REQUIRE_PDF=1)")
    pytest.skip(reason)
