"""Italian formatting of dates, amounts and deadlines; partners.toml loading and its errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from matcher.errors import ConfigError
from matcher.italian import (
    days_left_text,
    deadline_text,
    format_amount,
    format_date,
    format_number,
)
from matcher.partners import load_partners, partners_path

THEMES = ("energy", "communication", "tourism")


def test_amounts_are_written_the_italian_way_and_the_english_way():
    assert [format_amount(1_500_000), format_amount(1234.5), format_amount(None)] == [
        "1.500.000 €", "1.234,50 €", ""]  # fmt: skip
    assert format_amount(1_500_000, "en") == "€1,500,000"
    assert format_number(72.456, 1) == "72,5"


def test_a_deadline_with_only_a_date_says_its_time_is_not_given():
    assert deadline_text("2026-11-29T23:00:00+00:00", False, "Europe/Rome") == (
        "30/11/2026 (ora non indicata)"
    )
    assert deadline_text("2026-11-30T16:00:00+00:00", True, "Europe/Brussels") == "30/11/2026 17:00"
    assert deadline_text("2026-11-29T23:00:00+00:00", False, "Europe/Rome", "en") == (
        "30/11/2026 (time not given)"
    )
    assert deadline_text(None, True, "Europe/Rome") == ""


def test_dates_and_days_left_read_in_italian():
    assert format_date(datetime(2026, 11, 29, 23, 30, tzinfo=UTC)) == "30/11/2026"
    assert [days_left_text(d) for d in (0, 1, 12, None)] == ["oggi", "domani", "tra 12 giorni", ""]


def test_the_bundled_example_partners_load_with_example_addresses():
    partners = load_partners(THEMES)
    assert partners.rejected == []
    assert [p.name for p in partners.partners.values()] == [
        "Comune di Piacenza", "Provincia di Piacenza", "Camera di Commercio dell'Emilia", "ART-ER"]  # fmt: skip
    assert all(e.endswith("example.org") for p in partners.partners.values() for e in p.emails)
    assert [p.key for p in partners.following("communication")] == [
        "comune_piacenza", "camera_commercio_emilia", "art_er"]  # fmt: skip


def edited(tmp_path, old: str, new: str):
    path = tmp_path / "partners.toml"
    text = partners_path().read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_a_wrong_partner_is_rejected_with_file_line_and_reason_and_the_others_load(tmp_path):
    path = edited(tmp_path, 'emails = ["progetti@provincia-piacenza.example.org"]',
                  'emails = ["progetti at provincia"]')  # fmt: skip
    partners = load_partners(THEMES, path)
    line = line_of(path, "progetti at provincia")
    assert partners.rejected == [
        f"{path}:{line}: [partners.provincia_piacenza] field 'emails' has 'progetti at "
        "provincia', which is not an e-mail address"
    ]
    assert list(partners.partners) == ["comune_piacenza", "camera_commercio_emilia", "art_er"]


def test_an_unknown_theme_or_language_names_the_field(tmp_path):
    path = edited(tmp_path, 'language = "en"', 'language = "fr"')
    line = line_of(path, '"fr"')
    assert load_partners(THEMES, path).rejected == [
        f"{path}:{line}: [partners.art_er] field 'language' 'fr' is not one of: it, en"
    ]
    path = edited(tmp_path, 'themes = ["energy", "tourism"]', 'themes = ["energia"]')
    line = line_of(path, '["energia"]')
    assert load_partners(THEMES, path).rejected == [
        f"{path}:{line}: [partners.provincia_piacenza] field 'themes' has "
        "'energia', which is not a theme (known: energy, communication, tourism)"
    ]


def test_a_partners_file_that_is_not_toml_is_one_clear_error(tmp_path):
    path = tmp_path / "partners.toml"
    path.write_text("[partners.x\nname = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_partners(THEMES, path)
    assert str(error.value).startswith(f"{path}: ")
