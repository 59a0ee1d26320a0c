"""Proposal documents (사업계획서 PDF): officials upload them; who may read them is decided by the caller.

Stored in the database (one row per upload, the newest shown) so that a document and its audit event
are one transaction and the history stays. Only PDFs are taken: the content must start with the PDF
magic bytes (`%PDF-`), whatever the name or the declared type says.
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session, select

from core import audit
from core.audit import Actor
from core.errors import NotFound, RuleViolation
from core.uploads import Upload
from program.models import ProposalDocument, ProposalDocumentRead
from program.service import get_proposal

MAX_DOCUMENT_BYTES = 20 * 2**20
PDF_MAGIC = b"%PDF-"


def is_pdf(content: bytes) -> bool:
    """The content is a PDF by its magic bytes (a PDF may carry up to 1 KiB before the header)."""
    return PDF_MAGIC in content[:1024]


def upload_document(session: Session, actor: Actor, proposal_id: int, upload: Upload, *,
                    max_bytes: int = MAX_DOCUMENT_BYTES) -> ProposalDocument:
    """Attach a PDF to a proposal (size-capped, magic bytes checked); audited with its digest."""
    get_proposal(session, proposal_id)
    if not upload.content:
        raise RuleViolation("document.empty", field="file")
    if len(upload.content) > max_bytes:
        raise RuleViolation("document.too_large", field="file", limit=max_bytes)
    if not is_pdf(upload.content):
        raise RuleViolation("document.not_pdf", field="file")
    name = (upload.filename or "document.pdf").replace("\\", "/").rsplit("/", 1)[-1][:255] or "document.pdf"
    doc = ProposalDocument(proposal_id=proposal_id, filename=name, size_bytes=len(upload.content),
                           sha256=hashlib.sha256(upload.content).hexdigest(), content=upload.content,
                           uploaded_by=actor.username)
    session.add(doc)
    session.flush()
    audit.record(session, actor, "proposal.document", "proposal_document", doc.id,
                 after={"proposal_id": proposal_id, "filename": name, "size_bytes": doc.size_bytes,
                        "sha256": doc.sha256})
    session.commit()
    return doc


def latest_document(session: Session, proposal_id: int) -> ProposalDocument:
    """The newest document of a proposal (404 when it has none)."""
    get_proposal(session, proposal_id)
    doc = session.exec(select(ProposalDocument).where(ProposalDocument.proposal_id == proposal_id)
                       .order_by(ProposalDocument.id.desc())).first()  # type: ignore[union-attr]
    if doc is None:
        raise NotFound("document.none", field="proposal_id")
    return doc


def document_read(doc: ProposalDocument) -> ProposalDocumentRead:
    assert doc.id is not None
    return ProposalDocumentRead(id=doc.id, proposal_id=doc.proposal_id, filename=doc.filename,
                                size_bytes=doc.size_bytes, sha256=doc.sha256, uploaded_by=doc.uploaded_by,
                                uploaded_at=doc.uploaded_at)


def has_document(session: Session, proposal_id: int) -> bool:
    return session.exec(select(ProposalDocument.id).where(ProposalDocument.proposal_id == proposal_id)).first() \
        is not None
