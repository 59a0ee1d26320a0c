"""Identifiers of the open-data exports: publisher prefixes, organisation ids, region codes.

The two publisher prefixes are PLACEHOLDERS until the ministry registers its own:

- 360Giving grant ids start with a registered 360Giving prefix ("360G-…", registered with
  360Giving); `OPEN_DATA_GRANT_PREFIX` sets it (default ``360G-msit``, not registered).
- OCDS ids (ocid) start with a registered OCDS prefix ("ocds-" and six characters, registered
  with the Open Contracting Partnership); `OPEN_DATA_OCID_PREFIX` sets it (default
  ``ocds-xxxxxx``, not registered).

Organisations are identified per org-id.guide with the list ``KR-BRN`` (국세청 사업자등록번호,
National Tax Service Business Registration Number; listed and confirmed on org-id.guide):
``KR-BRN-`` followed by the ten digits without hyphens. The ministry's own registration
number is not held by this system: `OPEN_DATA_FUNDER_ID` sets it; until then the funder is
identified under the publisher's 360Giving prefix (``<prefix>-MSIT``), as 360Giving advises for
an organisation whose official identifier is not known.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

ORG_SCHEME = "KR-BRN"  # org-id.guide list: National Tax Service Business Registration Number
FUNDER_NAME_KO = "과학기술정보통신부"
FUNDER_NAME_EN = "Ministry of Science and ICT"
COUNTRY = "KR"
COUNTRY_NAME_KO = "대한민국"

# ISO 3166-2:KR codes of the regions a regional project names (program.models.REGIONS).
REGION_CODES: dict[str, str] = {
    "서울": "KR-11", "부산": "KR-26", "대구": "KR-27", "인천": "KR-28", "광주": "KR-29", "대전": "KR-30",
    "울산": "KR-31", "세종": "KR-50", "경기": "KR-41", "강원": "KR-42", "충북": "KR-43", "충남": "KR-44",
    "전북": "KR-45", "전남": "KR-46", "경북": "KR-47", "경남": "KR-48", "제주": "KR-49",
}

ORG_KIND_KO: dict[str, str] = {
    "large": "대기업", "sme": "중소기업", "startup": "스타트업", "university": "대학(산학협력단)",
    "hospital": "병원", "public": "공공기관", "crowd_platform": "크라우드소싱 플랫폼",
}
MEMBER_ROLE_KO: dict[str, str] = {
    "lead": "주관기관", "participant": "참여기관", "crowd_platform": "크라우드소싱 플랫폼", "quality": "품질관리기관",
}
MEMBER_ROLE_ORDER: dict[str, int] = {"lead": 0, "participant": 1, "crowd_platform": 2, "quality": 3}


class OpenDataSettings(BaseSettings):
    """Publisher settings of the exports (environment variables OPEN_DATA_*)."""

    model_config = SettingsConfigDict(env_prefix="OPEN_DATA_", env_file=".env", extra="ignore")

    grant_prefix: str = "360G-msit"  # PLACEHOLDER: the 360Giving prefix the ministry registers
    ocid_prefix: str = "ocds-xxxxxx"  # PLACEHOLDER: the OCDS prefix the ministry registers
    funder_id: str = ""  # the ministry's org-id (e.g. KR-BRN-…); empty: <grant_prefix>-MSIT
    base_url: str = "http://127.0.0.1:8000"  # where the public API is reached (the CLI's dataSource)
    license_url: str = "https://creativecommons.org/licenses/by/4.0/"

    def funder(self) -> str:
        return self.funder_id or f"{self.grant_prefix}-MSIT"


@lru_cache
def get_open_data_settings() -> OpenDataSettings:
    return OpenDataSettings()


def org_identifier(business_number: str) -> str:
    """The org-id.guide identifier of a Korean organisation: KR-BRN- and its ten digits."""
    return f"{ORG_SCHEME}-{compact_business_number(business_number)}"


def compact_business_number(business_number: str) -> str:
    return "".join(ch for ch in business_number if ch.isascii() and ch.isdigit())


def safe_part(text: str) -> str:
    """An internal id fit for an identifier: letters, digits and hyphens; anything else '_' (360Giving advice)."""
    return "".join(ch if (ch.isascii() and ch.isalnum()) or ch == "-" else "_" for ch in text)
