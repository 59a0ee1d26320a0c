"""Tables owned by core: users and the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import Field as PydanticField
from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from core.bounded import MONEY_MAX, RequestModel, Secret, bounded_text
from core.timeutil import utcnow


class Role(StrEnum):
    admin = "admin"
    official = "official"
    evaluator = "evaluator"
    auditor = "auditor"


class User(SQLModel, table=True):
    """An account. Table name avoids the reserved word `user`.

    `token_version` is part of every token: bumping it (logout, password change or reset,
    role change, deactivation) revokes every token and dashboard cookie of the account at once.
    Ids are never reused (AUTOINCREMENT on SQLite; sequences on PostgreSQL), so a token of a
    deleted account can never name a newer one.
    """

    __tablename__ = "app_user"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    full_name: str = Field(default="", max_length=128)
    role: Role = Field(index=True)
    password_hash: str = Field(max_length=256)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    token_version: int = Field(default=0)
    last_login_at: datetime | None = Field(default=None)
    password_changed_at: datetime | None = Field(default=None)
    # 전결 한도: the largest transfer (won) this official approves alone; above it a second approver is
    # needed. None: no limit set (an approval is final, as before limits existed). Set by an admin.
    approval_limit_krw: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class LoginAttempt(SQLModel, table=True):
    """One login attempt in the throttling window, shared by every worker through the database.

    A row is written before the password is checked (so concurrent guesses all count), kept when
    the attempt fails, and deleted with the account's other rows when a login succeeds. Rows older
    than the window are purged by later attempts. `username` is None when the submitted name was
    not even a valid username (it then counts for the client address only).
    """

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str | None = Field(default=None, max_length=64, index=True)
    client: str = Field(max_length=64, index=True)
    occurred_at: datetime = Field(index=True)


class UserRead(SQLModel):
    id: int
    username: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime | None = None
    last_login_at: datetime | None = None
    approval_limit_krw: int | None = None


if TYPE_CHECKING:  # the bounded types are built at run time; to mypy they are plain strings
    UserName = str
    FullName = str
else:
    UserName = Annotated[bounded_text(64, min_length=3), PydanticField(pattern=r"^[A-Za-z0-9_.\-]+$")]
    """A username: letters, digits, `_`, `.` and `-`."""
    FullName = bounded_text(128)


class UserCreate(RequestModel):
    username: UserName
    full_name: FullName = ""
    role: Role
    password: Secret


class PasswordReset(RequestModel):
    """An admin sets a new password for an account (its sessions are revoked)."""

    new_password: Secret


class PasswordChange(RequestModel):
    """A user changes their own password; the current one is required."""

    current_password: Secret
    new_password: Secret


class RoleChange(RequestModel):
    role: Role


class ApprovalLimitIn(RequestModel):
    """An admin sets an official's approval limit in won (None: no limit)."""

    approval_limit_krw: Annotated[int, PydanticField(ge=0, le=MONEY_MAX)] | None


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


class AuditRow(SQLModel, table=True):
    """The digest of a guarded row as one covering event recorded it (see core.audit, core.digest).

    One row per (guarded row, covering event): the newest entry of a row is what its current
    content must match; every entry of an event reproduces the Merkle root that the event
    carries in the hash chain, so this store cannot be edited without breaking the chain.
    `digest` is empty for a row deleted through the application. `fields` holds four hex
    characters per column (in the order the event lists the table's columns) to name the
    column that changed. Clustered by (table_name, row_id, event_id): verification reads it
    in that order, one pass per table.
    """

    __tablename__ = "audit_row"
    __table_args__ = {"sqlite_with_rowid": False}

    table_name: str = Field(primary_key=True, max_length=64)
    row_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    event_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    digest: str = Field(max_length=64)
    fields: str = Field(default="", sa_column=Column(Text, nullable=False))
