"""Case files: attach files to a case, list them, issue an official document."""

from __future__ import annotations

import json
from pathlib import Path

import click

from engine.cli.common import fail, handles_errors, open_engine
from engine.files import pdf
from engine.files.attachments import Upload
from engine.time.calendar import TZ


@click.command()
@click.argument("instance_id", type=int)
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "user", required=True, help="Who attaches them.")
@handles_errors
def attach(instance_id: int, files: tuple[Path, ...], user: str) -> None:
    """Attach FILES to a case (附件, outside any form); prints each file's sha256 and name."""
    uploads = [Upload(None, p.name, p.read_bytes()) for p in files]
    for view in open_engine().dossier.attach(instance_id, uploads, user):
        click.echo(f"{view.sha256}  {view.name}")


@click.command()
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@handles_errors
def attachments(instance_id: int, as_json: bool) -> None:
    """A case's files: from forms, attached to the case, and its documents."""
    views = open_engine().dossier.files(instance_id)
    if as_json:
        click.echo(json.dumps([v.as_json() for v in views], ensure_ascii=False, indent=2))
        return
    for v in views:
        where = v.doc_no or v.field or "附件"
        click.echo(f"{v.sha256[:12]}  {v.size:>9}  {v.media_type:<24.24}  {where}  {v.name}  "
                   f"{v.uploaded_by or '-'} {v.uploaded_at.astimezone(TZ).isoformat()}")


@click.command()
@click.argument("instance_id", type=int)
@click.argument("template")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it: .docx, or .pdf (needs LibreOffice).")
@click.option("--as", "user", required=True, help="Who issues it.")
@handles_errors
def document(instance_id: int, template: str, out: Path, user: str) -> None:
    """Issue the document TEMPLATE for a case (the engine numbers it) and write it to --out."""
    as_pdf = out.suffix.lower() == ".pdf"
    if as_pdf and not pdf.available():
        fail(pdf.MISSING.english)
    if out.suffix.lower() not in (".pdf", ".docx"):
        fail("--out must end in .docx or .pdf")
    engine = open_engine()
    view = engine.dossier.issue(instance_id, template, user)
    content = engine.dossier.content(view)
    out.write_bytes(engine.dossier.pdf(view) if as_pdf else content)
    click.echo(f"{view.doc_no}  {out}")


COMMANDS = (attach, attachments, document)
