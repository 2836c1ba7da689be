"""Each fault, on each portal it applies to: `matcher scrape` of a filled store against the
recorded portals with the fault switched on, then off again.

For every fault: the run is recorded with the expected status and exit code, one error line
names the portal, the time spent is bounded, and every stored call's row is exactly as it was;
switched off, the next run is a normal complete one. Faults that only change what a row says
(hostile text, absurd dates) are stored as the store's door makes them safe.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from faults import faults as f
from faults.formats import UNREADABLE_DATE, absurd_dates, hostile, unreadable_dates, wrong_types
from faults.run import calls, error_lines, last_run, rows, scrape
from faults.server import PORTALS, SINGLE_ENDPOINT, Fault, RecordedPortals

JSON = ("eu_ftop", "emilia_romagna", "incentivi_gov", "wordpress")  # each states a total
CSV = ("padigitale", "italiadomani")


@dataclass
class Case:
    """A fault, the portals it applies to, and what the product must do about it."""

    fault: Callable[[str], Fault]
    portals: tuple[str, ...] = PORTALS
    status: str = "failed"  # the portal's run; "ok" for recoverable faults
    message: str = ""  # in the one error line
    by_portal: dict[str, tuple[str, str]] = field(default_factory=dict)  # exceptions
    env: dict[str, str] = field(default_factory=dict)
    seconds: float = 8.0  # the fault run ends within this

    def expected(self, portal: str) -> tuple[str, str]:
        return self.by_portal.get(portal, (self.status, self.message))


def tenth(rows: list) -> list:
    return rows[: max(1, len(rows) // 10)]


def most(rows: list) -> list:
    """Seven rows in ten: more than half, so the store's suspect-listing guard lets it pass."""
    return rows[: len(rows) * 7 // 10]


SHORT = {"MATCHER_HTTP_REQUEST_DEADLINE": "0.5"}
INCOMPLETE_CSV = ("incomplete", "not of the shape")
CASES: dict[str, Case] = {
    "429 with a short Retry-After": Case(  # honoured: a second, so two portals are enough
        lambda p: f.retry_after(1),
        ("eu_ftop", "wordpress"),
        status="ok",
        env={"MATCHER_HTTP_REQUEST_DEADLINE": "5"},
    ),
    "429 with a Retry-After of a day": Case(  # reported at once, not waited for
        lambda p: f.retry_after(86400, times=10**6), message="asks to wait 86400 s", seconds=3
    ),
    "a burst of 503": Case(lambda p: f.server_errors(2), status="ok"),
    "503 for ever": Case(lambda p: f.server_errors(10**6), message="HTTP 503"),
    "a stalled body": Case(lambda p: f.stalled, message="request deadline of 0.5 s", env=SHORT),
    "a trickling body": Case(lambda p: f.trickling, message="request deadline of 0.5 s", env=SHORT),
    "a connection cut mid-body": Case(lambda p: f.cut_off, message="peer closed connection"),
    "a truncated document": Case(
        lambda p: f.truncated,
        message="invalid JSON",
        by_portal={
            "padigitale": INCOMPLETE_CSV,
            "italiadomani": INCOMPLETE_CSV,
            "feeds": ("incomplete", "did not parse whole"),
        },
    ),
    "invalid JSON": Case(lambda p: f.invalid_json, JSON, message="invalid JSON"),
    "an HTML page instead of data": Case(lambda p: f.html_page, message="a web page"),
    "the wrong envelope": Case(lambda p: f.wrong_envelope, JSON, message="unexpected"),
    "wrong field types in some rows": Case(
        lambda p: f.rows_edited(p, wrong_types, slice(1, 3)),
        JSON + CSV,
        status="incomplete",
        message="not of the shape",
    ),
    "an empty listing": Case(
        lambda p: f.listing(p, lambda rows: []),
        by_portal={"emilia_romagna": ("suspect", "0 items where 15 calls are stored")},
    ),
    "a tenth of the listing": Case(
        lambda p: f.listing(p, tenth), status="suspect", message="suspect listing"
    ),
    "a short listing without a next link": Case(
        lambda p: f.listing(p, most, total="keep"),
        JSON,
        status="incomplete",
        message="incomplete",
    ),
    "a pagination loop": Case(
        lambda p: f.pagination_loop(p), JSON, status="incomplete", message="repeats"
    ),
    "a redirect loop": Case(lambda p: f.redirect_loop, message="maximum allowed redirects"),
    "an oversized body": Case(lambda p: f.oversized, message="exceeds 2000000 bytes"),
    "an oversized announced length": Case(
        lambda p: f.announced_oversized, message="announces 10000000000 bytes"
    ),
    "a wrong charset in the header": Case(lambda p: f.charset_header, status="ok"),
    "a body in another charset": Case(
        lambda p: f.charset_body,
        message="not UTF-8",
        # Two of the four WordPress sites are plain ASCII; a feed declares its own encoding.
        by_portal={"wordpress": ("incomplete", "not UTF-8"), "feeds": ("ok", "")},
    ),
}


def run_fault(portals: RecordedPortals, sources: Path, store: Path, portal: str, case: Case):
    """`matcher scrape` of one portal with the case's fault on; the result and seconds taken."""
    portals.fault(portal, case.fault(portal))
    args = ["--portal", portal]
    if portal in SINGLE_ENDPOINT:
        args += ["--base-url", portals.url(portal)]
    started = time.monotonic()
    result = scrape(store, sources, *args, env=case.env)
    elapsed = time.monotonic() - started
    portals.servers[portal].fault = None  # its requests stay for the test to count
    return result, elapsed


@pytest.mark.parametrize(
    ("name", "portal"), [(name, p) for name, case in CASES.items() for p in case.portals]
)
def test_a_fault_changes_no_stored_call_and_the_next_run_is_complete(
    portals, sources, filled, name, portal
):
    case, store = CASES[name], filled(portal)
    status, message = case.expected(portal)
    before = rows(store)
    result, elapsed = run_fault(portals, sources, store, portal, case)
    run = last_run(store, portal)
    assert (run["status"], result.exit_code) == (status, 0 if status == "ok" else 1), result.output
    assert elapsed < case.seconds
    assert "Traceback" not in result.output
    if status != "ok":
        assert error_lines(result) == [error_lines(result)[0]]
        assert error_lines(result)[0].startswith(f"Error: {portal}: ")
        assert message in error_lines(result)[0] + run["errors"], result.output
    assert rows(store) == before  # not one stored call lost, changed or marked vanished
    again = scrape(store, sources, "--portal", portal)
    assert (again.exit_code, last_run(store, portal)["status"]) == (0, "ok"), again.output
    assert rows(store) == before


def test_retries_are_bounded(portals, sources, filled):
    store = filled("eu_ftop")
    result, _ = run_fault(portals, sources, store, "eu_ftop", CASES["503 for ever"])
    assert result.exit_code == 1
    assert len(portals.servers["eu_ftop"].requests) <= 3  # the first try and two retries


@pytest.mark.parametrize("portal", ["eu_ftop", "emilia_romagna", "incentivi_gov", "wordpress",
                                    "padigitale", "italiadomani", "feeds"])  # fmt: skip
def test_hostile_titles_and_links_are_stored_harmless(portals, sources, filled, portal):
    store = filled(portal)
    case = Case(lambda p: f.rows_edited(p, hostile, slice(None)), status="ok")
    result, _ = run_fault(portals, sources, store, portal, case)
    assert (result.exit_code, last_run(store, portal)["status"]) == (0, "ok"), result.output
    edited = [c for c in calls(store, portal).values() if c["title"].endswith("ostile")]
    assert len(edited) == last_run(store, portal)["fetched"]
    for call in edited:
        assert call["title"] in ("Bando [2J]8;;https://evil.example ostile", "Bando otsilo ostile")
        assert "javascript:" not in call["url"] + call["links"]
    assert "\x1b" not in result.output


@pytest.mark.parametrize("portal", ["eu_ftop", "emilia_romagna", "incentivi_gov", "padigitale",
                                    "italiadomani"])  # fmt: skip
def test_absurd_dates_are_flagged_and_the_run_stays_ok(portals, sources, filled, portal):
    store = filled(portal)
    case = Case(lambda p: f.rows_edited(p, absurd_dates, slice(None)), status="ok")
    result, _ = run_fault(portals, sources, store, portal, case)
    run = last_run(store, portal)
    assert (result.exit_code, run["status"]) == (0, "ok"), result.output
    flagged = [c for c in calls(store, portal).values() if c["date_issues"] != "[]"]
    assert len(flagged) == run["fetched"] - run["new"] > 0  # the stored calls, now flagged
    assert f"{portal}: {run['fetched']} calls with implausible or unreadable dates" in result.output


@pytest.mark.parametrize("portal", ["eu_ftop", "emilia_romagna", "incentivi_gov", "padigitale",
                                    "italiadomani"])  # fmt: skip
def test_a_deadline_that_cannot_be_read_leaves_the_stored_one_and_is_flagged(
    portals, sources, filled, portal
):
    store = filled(portal)
    before = {i: c["deadlines"] for i, c in calls(store, portal).items()}
    case = Case(lambda p: f.rows_edited(p, unreadable_dates, slice(None)), status="ok")
    result, _ = run_fault(portals, sources, store, portal, case)
    run = last_run(store, portal)
    assert (result.exit_code, run["status"]) == (0, "ok"), result.output
    after = calls(store, portal)
    assert {i: after[i]["deadlines"] for i in before} == before
    flagged = [
        c
        for c in after.values()
        if f"scadenza «{UNREADABLE_DATE}» non leggibile" in c["date_issues"]
    ]
    assert len(flagged) == run["fetched"] > 0


def test_a_server_failing_in_every_way_changes_no_stored_call(portals, sources, filled):
    """The acceptance run: every fault in turn on every portal at once, one scrape each,
    against one store; then the faults off."""
    store = filled("all")
    before = rows(store)
    for name, case in CASES.items():
        for portal in case.portals:
            portals.fault(portal, case.fault(portal))
        result = scrape(store, sources, env={**SHORT, **case.env})
        portals.clear()
        statuses = {p: last_run(store, p)["status"] for p in case.portals}
        assert statuses == {p: case.expected(p)[0] for p in case.portals}, name
        assert result.exit_code == (0 if set(statuses.values()) == {"ok"} else 1), name
        assert rows(store) == before, name  # only run rows changed
    again = scrape(store, sources)
    assert again.exit_code == 0, again.output
    assert rows(store) == before


@pytest.mark.parametrize(("name", "portal"), [("a stalled body", "eu_ftop"),
                                              ("503 for ever", "incentivi_gov"),
                                              ("a short listing without a next link",
                                               "emilia_romagna")])  # fmt: skip
def test_a_failing_portal_does_not_stop_the_others(portals, sources, filled, name, portal):
    store = filled("all")
    before = rows(store)
    portals.fault(portal, CASES[name].fault(portal))
    result = scrape(store, sources, env=SHORT)
    statuses = {p: last_run(store, p)["status"] for p in PORTALS}
    assert statuses == {p: CASES[name].expected(portal)[0] if p == portal else "ok"
                        for p in PORTALS}  # fmt: skip
    assert result.exit_code == 1
    assert [line.split(":")[1].strip() for line in error_lines(result)] == [portal]
    assert rows(store) == before
