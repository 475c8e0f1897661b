"""Working time <-> real time on a calendar with a lunch break and nights."""

from __future__ import annotations

from planning_core.scheduling.timeline import WorkingTime

# Monday 08:00-12:00 and 12:30-16:30, Tuesday the same (minutes since Monday 00:00)
DAYS = WorkingTime(((480, 720), (750, 990), (1920, 2160), (2190, 2430)))


def test_working_minutes_before_a_moment_skip_breaks_and_nights() -> None:
    assert DAYS.work_before(0) == 0
    assert DAYS.work_before(600) == 120
    assert DAYS.work_before(735) == 240  # during lunch
    assert DAYS.work_before(1500) == 480  # Monday night
    assert DAYS.work_before(2000) == 560


def test_a_start_at_a_window_boundary_is_the_next_window_but_an_end_stays_in_the_first() -> None:
    assert DAYS.start_at(240) == 750  # the 241st working minute starts after lunch
    assert DAYS.end_at(240) == 720  # 240 minutes are done at noon
    assert DAYS.real_span(0, 480) == (480, 990)


def test_work_across_lunch_and_night_is_cut_into_one_piece_per_window() -> None:
    assert DAYS.pieces(120, 420) == [(600, 720), (750, 990), (1920, 1980)]
    assert DAYS.real_span(120, 420) == (600, 1980)


def test_adjacent_windows_merge_and_a_window_from_zero_is_continuous() -> None:
    assert WorkingTime(((0, 100), (100, 200))).is_continuous
    assert not DAYS.is_continuous
    assert WorkingTime.always(500).real_span(20, 30) == (20, 50)
