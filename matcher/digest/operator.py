"""The working group's operator digest: sources' health, new calls per theme, the decisions taken,
how the partners' digests went, and any e-mail that may have gone out twice. Pure."""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from matcher.digest.build import relevance_level
from matcher.italian import format_date, format_datetime
from matcher.normalize.safety import without_controls

# A source that lists fewer than this share of its usual count is worth a look, even when the
# store did not call it suspect (it compares with the calls it holds, not with past runs).
FEWER_THAN_USUAL = 0.5
USUAL_RUNS = 4  # the usual count: the median of this many earlier complete runs
MATCH_LEVELS = ("alta", "media")  # what counts as a match in the reports
TITLES_PER_THEME = 10  # new calls named per theme; the rest are counted


@dataclass
class OperatorFacts:
    """Everything the operator digest says, read by the caller."""

    now: datetime
    since: datetime
    runs: list[dict[str, Any]]  # recent runs, newest first (store.recent_runs)
    new_per_theme: dict[str, list[str]]  # theme label -> titles of new matching calls
    decisions: list[dict[str, Any]]  # store.reviews.reviews_since
    outcomes: list[Any]  # the partners' digest outcomes of this run
    repeats: list[dict[str, Any]]  # e-mails that may have been delivered twice
    rejected: list[str]  # partners.toml entries no digest could go to
    new_calls: int = 0  # distinct new matching calls (a call may match several themes)
    last_problems: str = ""  # problems_key() of the last operator digest sent


def new_matches(listing: dict[str, list[dict[str, Any]]], new_ids: set[str]) -> dict[str, list]:
    """Per theme, the rows of calls in `new_ids` listed at a matching level (alta or media)."""
    return {
        theme: [row for row in rows if row["id"] in new_ids
                and relevance_level(row) in MATCH_LEVELS]
        for theme, rows in listing.items()
    }  # fmt: skip


def source_health(runs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Per portal, a line on its latest run and, when it is a problem, what the problem is:
    failed, incomplete, suspect, or far fewer calls than its usual (the median of its earlier
    complete runs). The problem leaves out the counts, which change from run to run."""
    by_portal: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_portal.setdefault(run["portal"], []).append(run)
    lines = []
    for portal, history in sorted(by_portal.items()):
        latest, earlier = history[0], history[1:]
        usual_runs = [r["fetched"] for r in earlier if r["status"] == "ok"][:USUAL_RUNS]
        usual = statistics.median(usual_runs) if usual_runs else None
        text = f"{portal}: {latest['status']}, {latest['fetched']} letti, {latest['new']} nuovi, "
        text += f"{latest['changed']} modificati, {latest['vanished']} scomparsi"
        problem = ""
        if latest["status"] != "ok":
            error = without_controls(str((latest["errors"] or [""])[0]))[:300]
            problem = f"{portal}: {latest['status']}" + (f" — {error}" if error else "")
        elif usual and latest["fetched"] < usual * FEWER_THAN_USUAL:
            problem = (
                f"{portal}: molti meno bandi del solito ({latest['fetched']}, di solito {usual:g})"
            )
        lines.append((text, problem))
    return lines


def problems_key(problems: list[str]) -> str:
    """What a list of problems is remembered by: the same problems are not mailed twice in a
    row (cron mails the operator on every non-zero exit anyway)."""
    return hashlib.sha256("\n".join(sorted(problems)).encode()).hexdigest()[:16]


def operator_problems(
    facts: OperatorFacts, health: list[tuple[str, str]] | None = None
) -> list[str]:
    """Every problem the operators should act on, one line each; `health` is
    source_health(facts.runs) when the caller has it already."""
    if health is None:
        health = source_health(facts.runs)
    problems = [problem for _, problem in health if problem]
    problems += [f"digest a {o.name}: non inviato ({o.error})"
                 for o in facts.outcomes if o.state == "failed"]  # fmt: skip
    problems += [f"partners.toml: {line}" for line in facts.rejected]
    problems += [f"digest a {o.name}: indirizzi rifiutati dal server: {', '.join(o.refused)}"
                 for o in facts.outcomes if o.state == "sent" and o.refused]  # fmt: skip
    return problems


def operator_digest(facts: OperatorFacts) -> tuple[str, str] | None:
    """(subject, plain text) of the operator digest; None when there is nothing new to say (no
    new problem, call, decision, digest sent or possible repeat)."""
    health = source_health(facts.runs)
    sent = [o for o in facts.outcomes if o.state == "sent"]
    problems = operator_problems(facts, health)
    fresh_problems = problems and problems_key(problems) != facts.last_problems
    if not (fresh_problems or facts.new_calls or facts.decisions or sent or facts.repeats):
        return None
    lines = [f"Territorio Smart Matcher: rapporto dal {format_datetime(facts.since)} al "
             f"{format_datetime(facts.now)}", ""]  # fmt: skip
    lines += _section("Problemi", problems or ["nessuno"])
    lines += _section("Salute delle fonti (ultima raccolta)", [text for text, _ in health]
                      or ["nessuna raccolta registrata"])  # fmt: skip
    lines += _section("Possibili invii doppi", [_repeat(m) for m in facts.repeats] or ["nessuno"])
    news = [_titles(theme, titles) for theme, titles in facts.new_per_theme.items()]
    lines += _section("Nuovi bandi pertinenti per tema (alta o media pertinenza)", news)
    lines += _section("Decisioni del gruppo di lavoro", [_decision(d) for d in facts.decisions]
                      or ["nessuna"])  # fmt: skip
    lines += _section("Digest ai partner", [_outcome(o) for o in facts.outcomes] or ["nessuno"])
    counts = [_count(len(problems), "problema", "problemi"),
              _count(facts.new_calls, "nuovo bando", "nuovi bandi"),
              _count(len(sent), "digest inviato", "digest inviati")]  # fmt: skip
    subject = f"Territorio Smart Matcher: {', '.join(counts)} ({format_date(facts.now)})"
    return subject, "\n".join(lines) + "\n"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _titles(theme: str, titles: list[str]) -> str:
    named = "".join(f"\n    - {without_controls(t)[:160]}" for t in titles[:TITLES_PER_THEME])
    more = len(titles) - TITLES_PER_THEME
    return f"{theme}: {len(titles)}{named}" + (f"\n    - … e altri {more}" if more > 0 else "")


def _section(title: str, lines: list[str]) -> list[str]:
    return [title.upper(), *[f"  - {line}" for line in lines], ""]


def _repeat(message: dict[str, Any]) -> str:
    return (f"{message['partner']}: «{message['subject']}» {message['message_id']}, tentato il "
            f"{format_datetime(message['attempted_at'])}: l'esito non è noto (interruzione), "
            "inviato di nuovo con lo stesso Message-ID")  # fmt: skip


def _decision(review: dict[str, Any]) -> str:
    title = without_controls(review.get("title") or review["call_id"])[:120]
    note = f" — {without_controls(review['note'])[:160]}" if review.get("note") else ""
    return (f"{format_datetime(review['decided_at'])} {review['reviewer']}: {review['decision']} "
            f"«{title}» ({review['theme']}){note}")  # fmt: skip


def _outcome(outcome: Any) -> str:
    text = f"{outcome.name}: {outcome.state}"
    if outcome.items:
        text += f", {outcome.items} bandi"
    if outcome.withdrawn:
        text += f", {outcome.withdrawn} segnalazioni in attesa ritirate (bando non più pertinente)"
    return text
