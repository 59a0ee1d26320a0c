"""`national_frames` (every programme at once) equals `load_frames` programme by programme,
at each programme's reporting date and at a given date that cuts a month in the middle."""

from datetime import date

import pandas as pd
from sqlmodel import Session

from budgeting import analytics


def _same(eng, as_of):
    with Session(eng) as s:
        national = analytics.national_frames(s, as_of)
        assert national, "the seed has programmes"
        for pid, frames in national.items():
            one = analytics.load_frames(s, pid, as_of)
            assert frames.as_of == one.as_of and frames.program_id == pid
            pd.testing.assert_frame_equal(frames.awards, one.awards, check_dtype=False)
            pd.testing.assert_frame_equal(frames.monthly, one.monthly, check_dtype=False)
            pd.testing.assert_frame_equal(analytics.execution_by(frames.awards, frames.monthly, "month"),
                                          analytics.execution_by(one.awards, one.monthly, "month"))
    return national


def test_national_frames_equal_per_programme_frames(seeded_engine):
    national = _same(seeded_engine, None)
    assert any(len(f.monthly) > 0 for f in national.values())


def test_national_frames_cut_at_a_given_date(seeded_engine):
    mid = _same(seeded_engine, date(2021, 9, 15))
    full = _same(seeded_engine, None)
    pid = next(p for p, f in full.items() if len(f.monthly))
    assert mid[pid].monthly["month"].max() <= "2021-09"
    assert mid[pid].monthly["spent_krw"].sum() <= full[pid].monthly["spent_krw"].sum()
