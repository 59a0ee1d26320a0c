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
    return {int(i): (c, tk, te or tk) for i, c, tk, te in rows}


def projects_of_data_types_for_checks(session: Session, data_type_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Data type id → (programme id, project id)."""
    ids = sorted(set(data_type_ids))
    if not ids:
        return {}
    rows = session.exec(select(DataType.id, Project.program_id, Project.id)
                        .join(Project, Project.id == DataType.project_id).where(col(DataType.id).in_(ids))).all()
    return {int(d): (int(p), int(j)) for d, p, j in rows}


def programs_of_projects_for_checks(session: Session, project_ids: Iterable[int]) -> dict[int, int]:
    """Project id → programme id."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    return {int(i): int(p) for i, p in session.exec(select(Project.id, Project.program_id)
                                                    .where(col(Project.id).in_(ids))).all()}


def proposal_leads_for_checks(session: Session, proposal_ids: Iterable[int]) -> dict[int, str]:
    """Proposal id → the name of its consortium's lead organisation."""
    ids = sorted(set(proposal_ids))
    if not ids:
        return {}
    rows = session.exec(select(Proposal.id, Organization.name)
                        .join(Consortium, Consortium.id == Proposal.consortium_id)
                        .join(Organization, Organization.id == Consortium.lead_org_id)
                        .where(col(Proposal.id).in_(ids))).all()
    return {int(i): n for i, n in rows}


def organization_names_for_checks(session: Session, org_ids: Iterable[int]) -> dict[int, str]:
    """Organisation id → name."""
    ids = sorted(set(org_ids))
    if not ids:
        return {}
    return {int(i): n for i, n in session.exec(select(Organization.id, Organization.name)
                                               .where(col(Organization.id).in_(ids))).all()}
