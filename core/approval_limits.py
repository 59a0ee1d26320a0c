"""Officials' approval limits (전결 한도): set by an admin, read by budgeting.approvals."""

from __future__ import annotations

from sqlmodel import Session

from core import audit
from core.audit import Actor
from core.db import lock_limit
from core.errors import NotFound, RuleViolation
from core.i18n import register_messages
from core.models import Role, User

register_messages({
    "approval_limit.not_official": ("승인 한도는 담당자(공무원) 계정에만 정할 수 있습니다.",
                                    "an approval limit is set on an official's account only"),
    "approval_limit.no_user": ("사용자 {user_id}이(가) 없습니다.", "user {user_id} does not exist"),
})


def set_approval_limit(session: Session, actor: Actor, user_id: int, limit_krw: int | None) -> User:
    """Set (or clear, None) an official's approval limit in won; audited with the previous value."""
    user = lock_limit(session, User, user_id)
    if user is None:
        raise NotFound("approval_limit.no_user", user_id=user_id)
    if Role(user.role) != Role.official:
        raise RuleViolation("approval_limit.not_official", field="approval_limit_krw")
    before = {"approval_limit_krw": user.approval_limit_krw}
    user.approval_limit_krw = limit_krw
    session.add(user)
    audit.record(session, actor, "user.approval_limit", "app_user", user.id, before=before,
                 after={"approval_limit_krw": limit_krw})
    session.commit()
    return user
