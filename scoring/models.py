"""Tables and schemas of the evaluation domain."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Column, Numeric
from sqlmodel import Field, SQLModel


class Selection(SQLModel, table=True):
    """A confirmed selection (선정): the proposal that won a project and its recommended grant.

    This is the hand-over to budgeting: an award (협약) is created from a selection.
    """

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True, unique=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, unique=True)
    final_score: Decimal = Field(sa_column=Column(Numeric(9, 4), nullable=False))
    recommended_grant_krw: int = Field(sa_column=Column(BigInteger, nullable=False))
    confirmed_by_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    confirmed_by: str = Field(max_length=64)
    confirmed_at: datetime
    override_reason: str | None = None  # set when the selection departs from the ranking
