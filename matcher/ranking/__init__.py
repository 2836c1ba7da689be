"""Ranking: themes, embeddings, passages, vectors, lexical and dense features, scoring,
feedback from decisions, ranking runs and their evaluation."""
