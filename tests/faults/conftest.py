"""The fault-injection fixtures: the recorded portals on 127.0.0.1 and stores filled from them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from faults.run import QUICK, rows, scrape
from faults.server import RecordedPortals, recorded_portals


@pytest.fixture(scope="session")
def portals() -> Iterator[RecordedPortals]:
    """Every portal's recorded answers, each on its own port; faults off between tests."""
    with recorded_portals() as running:
        yield running


@pytest.fixture(autouse=True)
def faults_off(portals: RecordedPortals, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in QUICK.items():
        monkeypatch.setenv(name, value)
    portals.clear()
    yield
    portals.clear()


@pytest.fixture(scope="session")
def sources(portals: RecordedPortals, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sources.toml pointing every portal and site at the recorded portals."""
    return portals.write_sources(tmp_path_factory.mktemp("sources") / "sources.toml")


@pytest.fixture(scope="session")
def baselines(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Stores after one good scrape, by portal ("all": every portal), made when first asked."""
    made: dict[str, Path] = {}

    class Baselines(dict[str, Path]):
        def __missing__(self, portal: str) -> Path:
            db = tmp_path_factory.mktemp(f"baseline-{portal}") / "matcher.db"
            with pytest.MonkeyPatch.context() as patch:
                for name, value in QUICK.items():
                    patch.setenv(name, value)
                result = scrape(db, sources, *([] if portal == "all" else ["--portal", portal]))
            assert result.exit_code == 0, result.output
            assert rows(db)
            self[portal] = db
            return db

    return Baselines(made)


@pytest.fixture
def filled(baselines: dict[str, Path], tmp_path: Path) -> Callable[[str], Path]:
    """filled(portal) -> a new store holding a good scrape of that portal ("all": of all)."""

    def copy(portal: str) -> Path:
        db = tmp_path / f"{portal}.db"
        with sqlite3.connect(baselines[portal]) as source, sqlite3.connect(db) as target:
            source.backup(target)  # the store is in WAL mode: a file copy could miss pages
        return db

    return copy
