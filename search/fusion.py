"""Rank fusion: small pure functions over ranked id lists."""
from __future__ import annotations


def rrf(rankings: list[list[int]], weights: list[float], k: int = 60) -> dict[int, float]:
    """Weighted reciprocal rank fusion: Σ w / (k + rank) over the lists an id appears in."""
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, vid in enumerate(ranking, 1):
            fused[vid] = fused.get(vid, 0.0) + weight / (k + rank)
    return fused


def convex(dense: dict[int, float], lexical: dict[int, float], alpha: float) -> dict[int, float]:
    """Weighted sum of min-max normalised dense similarities and max-normalised BM25 scores.
    ``dense`` must score every candidate (a lexical-only candidate gets its true similarity);
    a candidate missing from ``lexical`` has no BM25 score (0)."""
    if not dense:
        return {}
    lo, hi = min(dense.values()), max(dense.values())
    top = max(lexical.values(), default=0.0) or 1.0
    span = (hi - lo) or 1.0
    return {v: (1 - alpha) * (d - lo) / span + alpha * lexical.get(v, 0.0) / top for v, d in dense.items()}
