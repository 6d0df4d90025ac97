"""PDF from a DOCX with LibreOffice (``soffice --headless --convert-to pdf``), which lays out
Chinese text with the machine's CJK fonts (Debian: libreoffice-writer-nogui and
fonts-noto-cjk). Optional: without LibreOffice the engine says so, and the browser's print
view (print to PDF) serves instead."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from engine.errors import EngineError
from engine.messages import msg

TIMEOUT = 120  # seconds; the first start of LibreOffice builds its profile
MISSING = msg("pdf.missing")


def converter() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return converter() is not None


def to_pdf(docx: bytes) -> bytes:
    program = converter()
    if program is None:
        raise EngineError(MISSING)
    with tempfile.TemporaryDirectory(prefix="kuaiban-pdf-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(docx)
        profile = (work / "profile").as_uri()  # its own profile: conversions run side by side
        try:
            subprocess.run(
                [program, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                 "pdf", "--outdir", str(work), str(source)],
                check=True, capture_output=True, timeout=TIMEOUT)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise EngineError(msg("pdf.convert_failed", exc=exc)) \
                from exc
        result = work / "document.pdf"
        if not result.is_file():
            raise EngineError(msg("pdf.none_written"))
        return result.read_bytes()
