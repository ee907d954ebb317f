"""Keep a result list varied: no near-duplicate twice, no section filling the top."""
from __future__ import annotations

import re

_WORD = re.compile(r"\w+")


def shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


def jaccard(a: set, b: set) -> float:
    if not (a or b):
        return 1.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def diversify(items: list, signature_of, section_of, k: int, per_section: int = 3,
              duplicate: float = 0.6) -> list:
    """The first ``k`` of ``items`` (best first) skipping near-duplicates of a kept item (by
    ``signature_of``: the ``shingles`` of its text) and items whose section already has
    ``per_section`` kept; skipped items fill up the end if fewer than ``k`` remain."""
    kept, spare, seen, per = [], [], [], {}
    for item in items:
        sig = signature_of(item)
        if any(jaccard(sig, other) >= duplicate for other in seen):
            continue
        section = section_of(item)
        if per.get(section, 0) >= per_section:
            spare.append(item)
            continue
        kept.append(item)
        seen.append(sig)
        per[section] = per.get(section, 0) + 1
        if len(kept) == k:
            return kept
    return (kept + spare)[:k]
