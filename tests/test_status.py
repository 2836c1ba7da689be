from datetime import UTC, date, datetime

from conftest import make_call

from matcher.normalize.timezones import local_midnight
from matcher.status import compute_status, days_to_deadline, next_deadline, parse_now

UTC = UTC


def test_date_only_deadline_is_open_until_end_of_day_in_brussels():
    call = make_call(
        deadlines=[local_midnight(date(2026, 9, 15), "Europe/Brussels")],
        deadline_time_known=False,
        tz="Europe/Brussels",
    )
    assert compute_status(call, datetime(2026, 9, 15, 21, 59, tzinfo=UTC)) == "open"
    assert compute_status(call, datetime(2026, 9, 15, 22, 0, tzinfo=UTC)) == "closed"


def test_timed_deadline_closes_at_its_instant():
    call = make_call(deadlines=[datetime(2026, 5, 20, 14, 0, tzinfo=UTC)], tz="Europe/Rome")
    assert compute_status(call, datetime(2026, 5, 20, 13, 59, tzinfo=UTC)) == "open"
    assert compute_status(call, datetime(2026, 5, 20, 14, 0, tzinfo=UTC)) == "closed"


def test_two_stage_call_is_open_until_its_last_deadline_and_points_to_the_next():
    first = local_midnight(date(2027, 4, 8), "Europe/Brussels")
    second = local_midnight(date(2027, 9, 14), "Europe/Brussels")
    call = make_call(deadlines=[first, second], deadline_time_known=False)
    now = datetime(2027, 5, 1, tzinfo=UTC)
    assert (compute_status(call, now), next_deadline(call, now)) == ("open", second)


def test_future_opening_makes_a_call_forthcoming():
    call = make_call(opening=datetime(2026, 12, 15, tzinfo=UTC))
    assert compute_status(call, datetime(2026, 12, 1, tzinfo=UTC)) == "forthcoming"


def test_source_saying_closed_speaks_only_for_a_call_without_dates():
    assert (
        compute_status(make_call(status_hint="closed"), datetime(2026, 1, 1, tzinfo=UTC)) == "open"
    )
    undated = make_call(status_hint="closed", deadlines=[])
    assert compute_status(undated, datetime(2026, 1, 1, tzinfo=UTC)) == "closed"


def test_call_without_deadline_is_open_ended_only_when_the_source_says_so():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert compute_status(make_call(deadlines=[], status_hint="open_ended"), now) == "open_ended"
    assert compute_status(make_call(deadlines=[]), now) == "unknown"


def test_days_to_deadline_counts_whole_days_left():
    call = make_call(
        deadlines=[local_midnight(date(2026, 9, 15), "Europe/Brussels")],
        deadline_time_known=False,
    )
    assert days_to_deadline(call, datetime(2026, 9, 15, 8, 0, tzinfo=UTC)) == 0
    assert days_to_deadline(call, datetime(2026, 9, 5, 8, 0, tzinfo=UTC)) == 10
    assert days_to_deadline(call, datetime(2026, 9, 16, 8, 0, tzinfo=UTC)) is None


def test_now_option_accepts_naive_and_offset_iso():
    assert parse_now("2026-08-22T06:00:00") == datetime(2026, 8, 22, 6, 0, tzinfo=UTC)
    assert parse_now("2026-08-22T08:00:00+02:00") == datetime(2026, 8, 22, 6, 0, tzinfo=UTC)


def test_days_to_deadline_counts_calendar_days_in_the_source_zone():
    timed = make_call(deadlines=[datetime(2026, 5, 2, 11, 0, tzinfo=UTC)], tz="Europe/Rome")
    assert days_to_deadline(timed, datetime(2026, 5, 1, 12, 0, tzinfo=UTC)) == 1  # tomorrow
    # across the end of summer time (25 Oct 2026 in Rome), 00:30 local on the day itself
    day_only = make_call(deadlines=[local_midnight(date(2026, 10, 25), "Europe/Rome")],
                         deadline_time_known=False, tz="Europe/Rome")  # fmt: skip
    assert days_to_deadline(day_only, datetime(2026, 10, 24, 22, 30, tzinfo=UTC)) == 0
