"""Names a person reads for the programme's records (project code and title, organisation, proposal lead).

Read for other domains' messages (the compliance findings): one SELECT each, plain tuples.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from program.models import Consortium, DataType, Organization, Project, Proposal


def project_names_for_checks(session: Session, program_id: int) -> dict[int, tuple[str, str, str]]:
    """Project id → (code, Korean title, English title) of a programme's projects."""
    rows = session.exec(select(Project.id, Project.code, Project.title_ko, Project.title_en)
                        .where(Project.program_id == program_id)).all()
    return {i: (c, tk, te or tk) for i, c, tk, te in rows if i is not None}


def projects_of_data_types_for_checks(session: Session, data_type_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Data type id → (programme id, project id)."""
    ids = sorted(set(data_type_ids))
    if not ids:
        return {}
    rows = session.exec(select(DataType.id, Project.program_id, Project.id)
                        .join(Project, col(Project.id) == col(DataType.project_id))
                        .where(col(DataType.id).in_(ids))).all()
    return {d: (p, j) for d, p, j in rows if d is not None and j is not None}


def programs_of_projects_for_checks(session: Session, project_ids: Iterable[int]) -> dict[int, int]:
    """Project id → programme id."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    return {i: p for i, p in session.exec(select(Project.id, Project.program_id)
                                          .where(col(Project.id).in_(ids))).all() if i is not None}


def proposal_leads_for_checks(session: Session, proposal_ids: Iterable[int]) -> dict[int, str]:
    """Proposal id → the name of its consortium's lead organisation."""
    ids = sorted(set(proposal_ids))
    if not ids:
        return {}
    rows = session.exec(select(Proposal.id, Organization.name)
                        .join(Consortium, col(Consortium.id) == col(Proposal.consortium_id))
                        .join(Organization, col(Organization.id) == col(Consortium.lead_org_id))
                        .where(col(Proposal.id).in_(ids))).all()
    return {i: n for i, n in rows if i is not None}


def organization_names_for_checks(session: Session, org_ids: Iterable[int]) -> dict[int, str]:
    """Organisation id → name."""
    ids = sorted(set(org_ids))
    if not ids:
        return {}
    return {i: n for i, n in session.exec(select(Organization.id, Organization.name)
                                          .where(col(Organization.id).in_(ids))).all() if i is not None}
