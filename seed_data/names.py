"""Plausible, invented Korean organisation names and valid-format business numbers."""

from __future__ import annotations

import random

from program.rules import business_number_check_digit, format_business_number

_STEMS = [
    "한빛", "누리", "미래", "가온", "다온", "새롬", "하늘", "바름", "온새", "해솔", "라온", "도담",
    "아름", "별빛", "푸른", "청솔", "한울", "늘봄", "세움", "이음", "나래", "보람", "슬기", "참빛",
    "큰솔", "고운", "단비", "두리", "마루", "빛나", "소망", "여울", "은빛", "지음", "초록", "한결",
    "해든", "휴먼", "알파", "넥스", "코어", "브레인", "스마트", "딥", "비전", "데이터", "메타", "인사이트",
]
_EN = {
    "한빛": "Hanbit", "누리": "Nuri", "미래": "Mirae", "가온": "Gaon", "다온": "Daon", "새롬": "Saerom",
    "하늘": "Haneul", "바름": "Bareum", "온새": "Onsae", "해솔": "Haesol", "라온": "Raon", "도담": "Dodam",
}
_COMPANY_SUFFIX = ["데이터", "AI", "테크", "랩스", "솔루션", "시스템", "인텔리전스", "소프트", "정보통신", "이노베이션"]
_PLATFORM_SUFFIX = ["웍스", "크라우드", "라벨링", "워커스", "큐레이션"]
_PUBLIC_SUFFIX = ["연구원", "진흥원", "정보원", "센터"]


def org_name(rng: random.Random, kind: str, region: str, taken: set[str]) -> tuple[str, str]:
    """A unique Korean name (and a romanised one) for an organisation of `kind`."""
    for attempt in range(1000):
        stem = rng.choice(_STEMS)
        stem2 = rng.choice(_STEMS)
        if kind in ("sme", "startup", "large"):
            name = f"(주){stem}{rng.choice(_COMPANY_SUFFIX)}"
            if kind == "large":
                name = f"{stem}{stem2}그룹 {rng.choice(['정보기술', 'ICT', '시스템즈'])}"
        elif kind == "university":
            name = f"{stem}대학교 산학협력단" if attempt % 2 == 0 else f"{region}{stem}대학교 산학협력단"
        elif kind == "hospital":
            name = f"{stem}{rng.choice(['병원', '의료원', '메디컬센터'])}"
        elif kind == "public":
            name = f"{region}{stem}{rng.choice(_PUBLIC_SUFFIX)}"
        else:  # crowdsourcing platform
            name = f"(주){stem}{rng.choice(_PLATFORM_SUFFIX)}"
        if attempt > 50:
            name = f"{name} {attempt}"
        if name not in taken:
            taken.add(name)
            return name, f"{_EN.get(stem, 'Org')} {kind.replace('_', ' ').title()} {len(taken)}"
    raise RuntimeError("ran out of organisation names")


def business_number(rng: random.Random, taken: set[str]) -> str:
    """A unique 000-00-00000 number with a correct check digit (invented, not a real company)."""
    while True:
        first = f"{rng.randint(101, 899)}{rng.randint(81, 88)}{rng.randint(0, 9999):04d}"
        digits = first + str(business_number_check_digit(first))
        formatted = format_business_number(digits)
        if formatted not in taken:
            taken.add(formatted)
            return formatted
