"""data/themes.toml: the bundled themes load; a user's mistake names file, line and field."""

from __future__ import annotations

import pytest

from matcher.errors import ConfigError
from matcher.ranking.themes import load_themes, themes_path


def edited(tmp_path, old: str, new: str):
    path = tmp_path / "themes.toml"
    text = themes_path().read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_bundled_themes_have_the_three_fixed_keys_in_both_languages():
    config = load_themes()
    assert list(config.themes) == ["energy", "communication", "tourism"]
    energy = config.themes["energy"]
    assert "illuminazione pubblica" in energy.keywords_it
    assert "public lighting" in energy.keywords_en
    assert config.applicant.region == "Emilia-Romagna"


def test_a_field_of_the_wrong_type_names_file_line_and_field(tmp_path):
    path = edited(tmp_path, 'label = "Efficienza energetica"', "label = 42")
    with pytest.raises(ConfigError) as error:
        load_themes(path)
    line = line_of(path, "label = 42")
    assert str(error.value) == (
        f"{path}:{line}: [themes.energy] field 'label' must be a non-empty text"
    )


def test_a_missing_field_names_the_theme_table(tmp_path):
    path = edited(tmp_path, 'negative_it = ["aziende agricole", "imprese agricole", "pesca"]\n', "")
    with pytest.raises(
        ConfigError, match=r"themes.toml:\d+: \[themes.tourism\] field 'negative_it'"
    ):
        load_themes(path)


def test_invalid_toml_names_the_line(tmp_path):
    path = edited(tmp_path, 'label = "Efficienza energetica"', 'label = "Efficienza energetica')
    with pytest.raises(ConfigError, match=r"themes.toml: .*line \d+"):
        load_themes(path)


def test_a_misspelt_field_is_reported_not_ignored(tmp_path):
    path = edited(tmp_path, 'negative_en = ["genomics"', 'negativ_en = ["genomics"')
    with pytest.raises(ConfigError, match="field 'negativ_en' is not a theme field"):
        load_themes(path)


def test_users_may_add_a_theme(tmp_path):
    path = tmp_path / "themes.toml"
    path.write_text(
        themes_path().read_text(encoding="utf-8")
        + """
[themes.mobility]
label = "Mobilità sostenibile"
description_it = "Trasporto pubblico locale, ciclabilità, mobilità elettrica."
description_en = "Local public transport, cycling, electric mobility."
keywords_it = ["trasporto pubblico", "piste ciclabili"]
keywords_en = ["public transport", "cycling"]
negative_it = []
negative_en = []
applicants = ["Comune di Piacenza"]
""",
        encoding="utf-8",
    )
    assert list(load_themes(path).themes)[-1] == "mobility"


def test_an_unknown_applicant_region_is_reported(tmp_path):
    path = edited(tmp_path, 'region = "Emilia-Romagna"', 'region = "Piacenza"')
    with pytest.raises(
        ConfigError, match=r"\[applicant\] field 'region' 'Piacenza' is not an Italian region"
    ):
        load_themes(path)


def test_a_keyword_without_letters_is_reported(tmp_path):
    path = edited(tmp_path, 'keywords_en = ["tourism",', 'keywords_en = ["*", "tourism",')
    with pytest.raises(
        ConfigError, match=r"field 'keywords_en' has a keyword with no letters: '\*'"
    ):
        load_themes(path)
