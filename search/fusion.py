"""Rank fusion: small pure functions over ranked id lists."""
from __future__ import annotations


def rrf(rankings: list[list[int]], weights: list[float], k: int = 60) -> dict[int, float]:
    """Weighted reciprocal rank fusion: Σ w / (k + rank) over the lists an id appears in."""
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, vid in enumerate(ranking, 1):
            fused[vid] = fused.get(vid, 0.0) + weight / (k + rank)
    return fused
