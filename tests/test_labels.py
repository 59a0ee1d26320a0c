"""Every status, outcome and kind a person sees has a Korean label (with Hangul) and an English one."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from enum import Enum
from pathlib import Path

import pytest

import schema  # noqa: F401 - every domain's models, hence every labels.py
from budgeting.approvals import DecisionOutcome, TransferKind
from budgeting.models import AwardStatus, CostCategory, EmploymentType, TransferStatus
from core import i18n
from core.models import Role
from program.delivery_models import QualityResult, RemediationStatus
from program.delivery_rules import FunnelInput, funnel
from program.lifecycle import ProjectAction
from program.models import CallTypeCode, MemberRole, OrgKind, ProgramStatus, ProjectStatus, ProposalStatus
from scoring.models import BonusCode, ConflictKind, Outcome, SheetStatus

HANGUL = re.compile("[\uac00-\ud7a3]")
SEED = Path(__file__).resolve().parents[1] / "seed_data" / "program_2021.json"

ENUMS: list[tuple[str, type[Enum]]] = [
    ("call_type", CallTypeCode), ("project_status", ProjectStatus), ("proposal_status", ProposalStatus),
    ("program_status", ProgramStatus), ("org_kind", OrgKind), ("member_role", MemberRole),
    ("project_action", ProjectAction), ("quality_result", QualityResult), ("remediation_status", RemediationStatus),
    ("sheet_status", SheetStatus), ("conflict_kind", ConflictKind), ("outcome", Outcome), ("bonus_code", BonusCode),
    ("cost_category", CostCategory), ("award_status", AwardStatus), ("transfer_status", TransferStatus),
    ("transfer_kind", TransferKind), ("decision_outcome", DecisionOutcome), ("employment_type", EmploymentType),
    ("role", Role),
]


@pytest.mark.parametrize("group,enum", ENUMS, ids=[g for g, _ in ENUMS])
def test_every_enum_value_has_a_korean_and_an_english_label(group, enum):
    for member in enum:
        ko, en = i18n.code_label(group, member, "ko"), i18n.code_label(group, member, "en")
        assert HANGUL.search(ko), (group, member.value, ko)
        assert member.value in i18n.code_groups()[group] and en.strip(), (group, member.value, en)
        assert not re.search("[A-Za-z]{3,}", ko.replace("SW", "")), (group, member.value, ko)


def test_the_seed_cost_categories_call_types_and_stages_have_the_seeds_words():
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    for row in seed["cost_categories"]:
        assert i18n.code_label("cost_category", row["code"], "ko") == row["name_ko"]
        assert i18n.code_label("cost_category", row["code"], "en") == row["name_en"]
    for row in seed["call_types"]:
        assert i18n.code_label("call_type", row["code"], "ko") == row["name_ko"]
    rows = [FunnelInput(contracted=10, built=10, quality_state="pass", opened=True)]
    stages = [stage for stage, _, _ in funnel(rows, min_ratio=Decimal("0.9"))]
    assert stages == ["contracted", "built", "verified", "opened"]
    assert [i18n.code_label("delivery_stage", s, "ko") for s in stages] == ["계약", "구축", "품질검증 통과", "개방"]


def test_an_unknown_code_is_never_shown_raw_in_korean():
    assert i18n.code_label("proposal_status", "no-such-status", "ko") == i18n.UNKNOWN[0]
    assert i18n.code_label("outcome", "re-announce", "ko") == "재공고"
