"""A case's files through the engine (``Engine.dossier``): attach, list, find and read them,
issue documents by hand, and read a document back for printing. Reading needs the right to
read the case (the engine's case-read check); adding needs a part in the case
(engine/runtime/case_files.py). Each method is one transaction; a download reads each chunk
in a short read-only transaction of its own, so a slow client holds no lock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.errors import Conflict, EngineError, NotFound, PermissionDenied
from engine.files import blobs, documents, docx_text, pdf
from engine.files.attachments import Upload
from engine.files.documents import CaseFacts
from engine.messages import msg
from engine.org import directory, users
from engine.org.users import Who
from engine.runtime import case_files
from engine.storage.schema import Attachment, Blob, ProcessInstance
from engine.views import AttachmentView, TemplateView

if TYPE_CHECKING:
    from engine.api import Engine


def attachment_view(row: Attachment) -> AttachmentView:
    return AttachmentView(row.id, row.instance_id, row.seq, row.sha256, row.name, row.size,
                          row.media_type, row.field, row.task_id, row.document, row.doc_no,
                          row.uploaded_by, row.uploaded_at)


def is_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


class Dossier:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _case(self, session: Session, instance_id: int) -> ProcessInstance:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(msg("instance.not_found", instance_id=instance_id))
        return row

    def attach(self, instance_id: int, uploads: Sequence[Upload], user: Who,
               revision: int | None = None) -> list[AttachmentView]:
        """Files for the case itself (附件, outside any form): one ``attached`` event."""
        eng = self.engine
        with eng.transaction() as session:
            actor = users.resolve(session, user)
            row = eng.runtime.add_to_case(session, instance_id, revision, lambda row, now:
                                          case_files.attach(session, row, actor, uploads,
                                                            eng.runtime.file_limits, now))
            return self._of_event(session, instance_id, row.event_count)

    def issue(self, instance_id: int, template: str, user: Who,
              revision: int | None = None) -> AttachmentView:
        """Issue a document by hand: filled from the case as ``user`` may see it."""
        eng = self.engine
        with eng.transaction() as session:
            actor = users.resolve(session, user)
            found = documents.template(template)
            row = self._case(session, instance_id)
            view = eng.visible_instance(session, row, actor)
            if not found.applies_to(row.process_key):
                raise NotFound(msg("document.not_for_process", title=found.title))
            if found.per_item:  # filled with one item, which only its step knows
                raise Conflict(msg("document.per_item_only", title=found.title))
            if not found.issuable_by(actor.roles):
                raise PermissionDenied(msg("document.role_may_not_issue", title=found.title))

            def apply(row: ProcessInstance, now: datetime) -> None:
                case_files.check_may_add(session, row, actor)
                # the system acts for the engine, whose own steps issue without waiting
                data, working = row.data or {}, case_files.units_at_work(session, row.id)
                if actor.username != users.SYSTEM.username and not found.ready(data, working):
                    raise Conflict(msg("document.not_yet", title=found.title,
                                       when=found.when_text or found.when))
                due = working.get(found.addressee(data)) if found.to_at_work \
                    else case_files.soonest_due(session, row.id)
                facts = CaseFacts(row.id, row.process_key, self._process_name(session, row),
                                  row.business_key, view.data, row.created_at, due,
                                  row.started_by, eng.runtime.calendar(session))
                case_files.issue(session, row, found, facts, actor.username, now,
                                 chain.digest_of_row(row))

            row = eng.runtime.add_to_case(session, instance_id, revision, apply)
            [issued] = self._of_event(session, instance_id, row.event_count)
            return issued

    def may_add(self, instance_id: int, user: Who) -> bool:
        """Whether ``user`` may attach files and issue documents to the case now."""
        with self.engine.transaction(read_only=True) as session:
            try:
                case_files.check_may_add(session, self._case(session, instance_id),
                                         users.resolve(session, user))
            except (PermissionDenied, Conflict):
                return False
            return True

    def _process_name(self, session: Session, row: ProcessInstance) -> str:
        return self.engine.versions.get(session, row.version_id).name

    def _of_event(self, session: Session, instance_id: int, seq: int) -> list[AttachmentView]:
        rows = session.execute(select(Attachment).where(
            Attachment.instance_id == instance_id, Attachment.seq == seq)
            .order_by(Attachment.id)).scalars()
        return [attachment_view(r) for r in rows]

    def files(self, instance_id: int, user: Who | None = None) -> list[AttachmentView]:
        eng = self.engine
        with eng.transaction(read_only=True) as session:
            row = self._case(session, instance_id)
            if user is not None:
                eng.visible_instance(session, row, user)  # the case-read check
            rows = session.execute(select(Attachment).where(
                Attachment.instance_id == instance_id).order_by(Attachment.id)).scalars()
            return [attachment_view(r) for r in rows]

    def find(self, sha256: str, user: Who | None, instance_id: int | None = None
             ) -> AttachmentView:
        """The file as attached to a case ``user`` may read (``instance_id``: that case).
        A file of no such case is not found, whoever else has it."""
        if not is_sha256(sha256):
            raise NotFound(msg("file.not_found"))
        eng = self.engine
        with eng.transaction(read_only=True) as session:
            query = select(Attachment).where(Attachment.sha256 == sha256)
            if instance_id is not None:
                query = query.where(Attachment.instance_id == instance_id)
            for found in session.execute(query.order_by(Attachment.id)).scalars():
                try:
                    if user is not None:
                        eng.visible_instance(session, self._case(session, found.instance_id),
                                             user)
                except PermissionDenied:  # not this case: the file's next one, if any
                    continue
                return attachment_view(found)
            raise NotFound(msg("file.not_readable"))

    def chunks(self, view: AttachmentView) -> Iterator[bytes]:
        """The file's content, one chunk at a time."""
        eng = self.engine
        with eng.transaction(read_only=True) as session:
            blob = session.get(Blob, view.sha256)
            count = blob.chunks if blob is not None else 0

        def read(seq: int) -> bytes | None:
            with eng.transaction(read_only=True) as session:
                return blobs.chunk(session, view.sha256, seq)

        return blobs.stream(read, count)

    def content(self, view: AttachmentView) -> bytes:
        return b"".join(self.chunks(view))

    def templates(self, instance_id: int, user: Who | None = None) -> list[TemplateView]:
        """The templates this case may issue by hand, each saying whether the case has
        reached the point of issuing it."""
        eng = self.engine
        with eng.transaction(read_only=True) as session:
            row = self._case(session, instance_id)
            roles: tuple[str, ...] | None = None
            if user is not None:
                reader = users.resolve(session, user)
                eng.visible_instance(session, row, reader)
                roles = reader.roles
            key, data, units = row.process_key, dict(row.data or {}), directory.load(session)
            by = reader.username if user is not None else users.SYSTEM.username
            working = case_files.units_at_work(session, instance_id)
            issued: dict[str | None, list[str]] = {}
            for template, doc_no in session.execute(select(
                    Attachment.document, Attachment.doc_no).where(
                    Attachment.instance_id == instance_id, Attachment.document.is_not(None))
                    .order_by(Attachment.id)):
                issued.setdefault(template, []).append(doc_no or "")
            return [TemplateView(t.key, t.title, _prefix(session, t, data, units, by),
                                 t.description, t.ready(data, working), t.when_text or t.when,
                                 tuple(issued.get(t.key, ())))
                    for t in documents.templates().values()
                    if t.applies_to(key) and not t.per_item
                    and (roles is None or t.issuable_by(roles))]

    @staticmethod
    def receipt(files: Sequence[AttachmentView]) -> AttachmentView | None:
        """The case's 受理回执 among its ``files`` (as :meth:`files` lists them): the last
        one issued, None when the case has none."""
        keys = documents.receipt_keys()
        return next((f for f in reversed(files) if f.document in keys), None)

    def printable(self, view: AttachmentView) -> list[docx_text.Block]:
        """An issued document read back for the print view."""
        if view.media_type != documents.DOCX:
            raise NotFound(msg("file.no_print_view"))
        return docx_text.blocks(self.content(view))

    @property
    def pdf_available(self) -> bool:
        return pdf.available()

    def pdf(self, view: AttachmentView) -> bytes:
        """The document as PDF (LibreOffice; EngineError naming what to install without)."""
        if view.media_type != documents.DOCX:
            raise NotFound(msg("file.no_pdf"))
        return pdf.to_pdf(self.content(view))



def _prefix(session: Session, found: documents.Template, data: dict[str, Any],
            units: directory.Directory, user: str) -> str:
    """The 文号 prefix this case's document would take when ``user`` issues it (a county's
    own: 浮纪交)."""
    try:
        return case_files.issuer_for(session, found, data, units, user).prefix
    except EngineError:  # a county unit without a 发文代字: issuing it says so
        return found.prefix
