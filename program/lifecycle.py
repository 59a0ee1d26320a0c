"""The life cycles of a project (과제) and a proposal (사업계획서) as state machines: pure rules.

A status changes only through a named transition: an official's action (close the call,
re-announce, cancel, start quality verification, mark the data opened, withdraw a proposal)
or an automatic step taken by the service that owns it (a panel is set, a selection is
confirmed, the agreement is signed). Each transition lists the states it may start from;
its guard takes plain facts and returns the reasons it may not happen (empty = allowed).
No session, no clock: the services load the facts, call `check_*`, write and audit.

Project life cycle (2021 call)::

    open ──close_call / panel──► under_evaluation ──confirm_selection──► awarded
      │  ▲                          │                                       │ sign_agreement (award)
      │  └──── (new proposals) ─ reannounced ◄──reannounce──┘               ▼
      │                             │                                    building
      └──────── cancel ─────────────┴──► cancelled                          │ start_quality_verification
                                                                             ▼
                                                          opened ◄──mark_opened── quality_verification
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.bounded import Reason, RequestModel
from program.models import ProjectStatus, ProposalStatus

P = ProjectStatus
Q = ProposalStatus


class ProjectAction(StrEnum):
    """Transitions of a project; the first six are officials' actions (POST …/actions/{action})."""

    close_call = "close-call"  # 접수 마감: no more proposals, evaluation starts
    reannounce = "reannounce"  # 재공고: the call is announced again and accepts new proposals
    cancel = "cancel"  # 취소
    start_quality_verification = "start-quality-verification"  # 품질검증 착수
    mark_opened = "mark-opened"  # 개방 완료
    # automatic transitions, taken by the service that owns the step
    panel = "panel"  # scoring.set_panel: setting a panel closes the call
    confirm_selection = "confirm-selection"  # scoring.confirm_selection
    sign_agreement = "sign-agreement"  # budgeting.create_award: 협약 체결, construction starts


class OfficialAction(StrEnum):
    """The project actions an official asks for by name (the others are steps of other use cases)."""

    close_call = ProjectAction.close_call.value
    reannounce = ProjectAction.reannounce.value
    cancel = ProjectAction.cancel.value
    start_quality_verification = ProjectAction.start_quality_verification.value
    mark_opened = ProjectAction.mark_opened.value


OFFICIAL_ACTIONS: tuple[ProjectAction, ...] = tuple(ProjectAction(a.value) for a in OfficialAction)

#: action → (states it may start from, state it leads to)
PROJECT_TRANSITIONS: dict[ProjectAction, tuple[frozenset[ProjectStatus], ProjectStatus]] = {
    ProjectAction.close_call: (frozenset({P.open, P.reannounced}), P.under_evaluation),
    ProjectAction.panel: (frozenset({P.open, P.reannounced, P.under_evaluation}), P.under_evaluation),
    ProjectAction.reannounce: (frozenset({P.open, P.under_evaluation}), P.reannounced),
    ProjectAction.cancel: (frozenset({P.open, P.reannounced, P.under_evaluation}), P.cancelled),
    ProjectAction.confirm_selection: (frozenset({P.under_evaluation}), P.awarded),
    ProjectAction.sign_agreement: (frozenset({P.awarded}), P.building),
    ProjectAction.start_quality_verification: (frozenset({P.building}), P.quality_verification),
    ProjectAction.mark_opened: (frozenset({P.quality_verification}), P.opened),
}

#: Statuses in which a project's call accepts proposals (접수 중).
CALL_OPEN: frozenset[ProjectStatus] = frozenset({P.open, P.reannounced})
#: Statuses after which nothing happens any more.
TERMINAL: frozenset[ProjectStatus] = frozenset({P.cancelled, P.opened})

#: Proposals still in the running (a re-announcement or cancellation closes them as not selected).
PROPOSAL_ACTIVE: frozenset[ProposalStatus] = frozenset({Q.submitted, Q.eligible, Q.ineligible, Q.under_review})
#: Proposals that screening (or an official's override) may move between eligible and ineligible.
PROPOSAL_SCREENABLE: frozenset[ProposalStatus] = frozenset({Q.submitted, Q.eligible, Q.ineligible})
#: Fields of a proposal that are what is evaluated: frozen once it is submitted (every stored proposal is).
PROPOSAL_FROZEN_FIELDS: tuple[str, ...] = (
    "requested_grant_krw", "private_matching_krw", "planned_direct_hires", "planned_crowd_payment_krw",
    "planned_crowd_workers", "planned_training_hours", "planned_volume", "vulnerable_hiring_plan",
)


@dataclass(frozen=True)
class ProjectFacts:
    """What the guards of a project's transitions look at (the service loads them)."""

    status: ProjectStatus
    active_proposals: int = 0  # proposals of the current round still in the running
    data_types: int = 0
    built_items: int = 0  # items built so far over all data types
    data_types_opened: int = 0  # data types with an opening on the data hub
    reason: str | None = None  # the official's written reason, where one is needed


def project_transition_problems(action: ProjectAction, facts: ProjectFacts) -> list[str]:
    """Why `action` may not happen now (empty list: it may). The first entry is the state check."""
    sources, target = PROJECT_TRANSITIONS[action]
    if facts.status not in sources:
        allowed = ", ".join(sorted(s.value for s in sources))
        return [f"a project in status '{facts.status.value}' cannot {action.value.replace('-', ' ')} "
                f"(allowed from: {allowed})"]
    problems: list[str] = []
    if action in (ProjectAction.reannounce, ProjectAction.cancel) and not (facts.reason or "").strip():
        problems.append(f"{action.value} needs a written reason")
    if action == ProjectAction.close_call and facts.active_proposals == 0:
        problems.append("no proposal has been received: re-announce or cancel the project instead")
    if action == ProjectAction.start_quality_verification and facts.built_items <= 0:
        problems.append("no built items are recorded for this project's data types yet")
    if action == ProjectAction.mark_opened:
        if facts.data_types == 0:
            problems.append("the project has no data type to open")
        elif facts.data_types_opened < facts.data_types:
            problems.append(f"{facts.data_types - facts.data_types_opened} of {facts.data_types} data type(s) "
                            "have no opening recorded yet")
    return problems


def project_target(action: ProjectAction) -> ProjectStatus:
    return PROJECT_TRANSITIONS[action][1]


def state_problem(action: ProjectAction, status: ProjectStatus) -> str | None:
    """Only the state check of `action` (for automatic transitions whose other rules live elsewhere)."""
    sources, _ = PROJECT_TRANSITIONS[action]
    if status in sources:
        return None
    allowed = ", ".join(sorted(s.value for s in sources))
    return (f"a project in status '{status.value}' cannot {action.value.replace('-', ' ')} "
            f"(allowed from: {allowed})")


def accepts_proposals(status: ProjectStatus) -> bool:
    """A project takes new proposals only while its call is open (open or re-announced)."""
    return status in CALL_OPEN


def withdraw_problem(proposal_status: ProposalStatus, project_status: ProjectStatus) -> str | None:
    """A proposal may be withdrawn while it is in the running and its project's call is still open."""
    if proposal_status not in PROPOSAL_ACTIVE:
        return f"a proposal in status '{proposal_status.value}' cannot be withdrawn"
    if project_status not in CALL_OPEN:
        return (f"the project's call is closed (status '{project_status.value}'); "
                "a proposal can be withdrawn only while the call is open")
    return None


def frozen_changes(current: dict[str, object], changes: dict[str, object]) -> list[str]:
    """The frozen fields of a submitted proposal that `changes` would alter (same value: no change)."""
    return [k for k in PROPOSAL_FROZEN_FIELDS if k in changes and changes[k] is not None
            and changes[k] != current.get(k)]


def ceiling_floor_problem(new_ceiling_krw: int, floor_krw: int, what: str) -> str | None:
    """A ceiling never goes below what is already awarded or recommended for the project."""
    if new_ceiling_krw < floor_krw:
        return (f"ceiling {new_ceiling_krw:,} KRW is below the {what} of {floor_krw:,} KRW "
                f"by {floor_krw - new_ceiling_krw:,} KRW")
    return None


class ActionIn(RequestModel):
    """The body of an official's action: the written reason (required to re-announce or cancel)."""

    reason: Reason | None = None


class WithdrawIn(RequestModel):
    reason: Reason
