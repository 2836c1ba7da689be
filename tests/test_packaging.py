"""The package as pip builds it: every subpackage listed, the data a wheel must carry."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_every_python_package_is_listed_for_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])  # fmt: skip
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for folder in ("matcher", "scrapers")
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert found <= listed
