"""partners.toml's digest settings: each partner's minimum relevance, the sender and the
operators, and the entries a digest cannot go to (duplicate address, unknown level)."""

from __future__ import annotations

from matcher.partners import RELEVANCE, load_partners
from matcher.ranking.scoring import LEVELS

THEMES = ("energy", "communication", "tourism")

TWO = """
[digest]
sender = "Bandi <bandi@comune.example.org>"
operators = ["ops@comune.example.org"]
first_digest_per_theme = 3

[partners.comune]
name = "Comune"
type = "comune"
emails = ["a@comune.example.org"]
themes = ["energy"]
language = "it"
min_relevance = "alta"

[partners.provincia]
name = "Provincia"
type = "provincia"
emails = ["b@provincia.example.org"]
themes = ["tourism"]
language = "en"
"""


def write(tmp_path, text: str):
    path = tmp_path / "partners.toml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path, needle: str, occurrence: int = 1) -> int:
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def test_the_digest_settings_and_each_partners_minimum_relevance_load(tmp_path):
    partners = load_partners(THEMES, write(tmp_path, TWO))
    assert (partners.rejected, partners.sender, partners.operators,
            partners.first_digest_per_theme) == (
        [], "Bandi <bandi@comune.example.org>", ("ops@comune.example.org",), 3)  # fmt: skip
    assert [(p.key, p.min_relevance) for p in partners.partners.values()] == [
        ("comune", "alta"), ("provincia", "media")]  # fmt: skip


def test_a_partner_hears_of_calls_at_its_minimum_relevance_or_above(tmp_path):
    comune, provincia = load_partners(THEMES, write(tmp_path, TWO)).partners.values()
    assert [comune.wants(level) for level in ("alta", "media", "bassa")] == [True, False, False]
    assert [provincia.wants(level) for level in ("alta", "media", "bassa")] == [True, True, False]


def test_the_relevance_levels_are_the_rankings_own():
    assert RELEVANCE == LEVELS


def test_an_address_of_two_partners_rejects_the_second_with_its_line(tmp_path):
    path = write(tmp_path, TWO.replace("b@provincia.example.org", "A@comune.example.org"))
    partners = load_partners(THEMES, path)
    line = line_of(path, "A@comune.example.org")
    assert partners.rejected == [
        f"{path}:{line}: [partners.provincia] field 'emails' has 'A@comune.example.org', which "
        "is already an address of [partners.comune]"
    ]
    assert list(partners.partners) == ["comune"]


def test_an_unknown_relevance_a_bad_operator_and_a_bad_sender_are_each_named(tmp_path):
    path = write(
        tmp_path,
        TWO.replace('min_relevance = "alta"', 'min_relevance = "altissima"')
        .replace('["ops@comune.example.org"]', '["ops at comune"]')
        .replace('"Bandi <bandi@comune.example.org>"', '"Bandi"'),
    )
    partners = load_partners(THEMES, path)
    assert partners.rejected == [
        f"{path}:{line_of(path, 'altissima')}: [partners.comune] field 'min_relevance' "
        "'altissima' is not a relevance level (known: alta, media, bassa)",
        f"{path}:{line_of(path, 'sender')}: [digest] field 'sender' must be an address, e.g. "
        "\"Territorio Smart Matcher <bandi@comune.example.org>\", not 'Bandi'",
        f"{path}:{line_of(path, 'operators')}: [digest] field 'operators' has 'ops at comune', "
        "which is not an e-mail address",
    ]
    assert (list(partners.partners), partners.sender, partners.operators) == (["provincia"], "", ())
