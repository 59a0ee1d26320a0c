"""Tables owned by core: users and the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from core.timeutil import utcnow


class Role(StrEnum):
    admin = "admin"
    official = "official"
    evaluator = "evaluator"
    auditor = "auditor"


class User(SQLModel, table=True):
    """An account. Table name avoids the reserved word `user`."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    full_name: str = Field(default="", max_length=128)
    role: Role = Field(index=True)
    password_hash: str = Field(max_length=256)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class UserRead(SQLModel):
    id: int
    username: str
    full_name: str
    role: Role
    is_active: bool


class UserCreate(SQLModel):
    username: str = Field(min_length=3, max_length=64, regex=r"^[A-Za-z0-9_.\-]+$")
    full_name: str = Field(default="", max_length=128)
    role: Role
    password: str = Field(min_length=10, max_length=256)


class AuditEvent(SQLModel, table=True):
    """One change, chained to the previous one by hash. Append-only."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(index=True)
    actor: str = Field(max_length=64, index=True)
    action: str = Field(max_length=64, index=True)
    entity_type: str = Field(max_length=64, index=True)
    entity_id: str = Field(max_length=64, index=True)
    before_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditHead(SQLModel, table=True):
    """The tip of the chain, updated in the same transaction as each event.

    Deleting the newest events leaves the chain itself consistent; the head row is what
    reveals it (and serialises concurrent writers on PostgreSQL via a row lock).
    """

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    last_event_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_hash: str = Field(max_length=64)
    event_count: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class AuditEventRead(SQLModel):
    id: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before_json: str | None
    after_json: str | None
    reason: str | None
    hash: str
