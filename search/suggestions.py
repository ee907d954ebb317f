"""What to offer a reader when nothing relevant was found: the question with its spelling
corrected (when the corpus knows better words) and example questions the corpus answers."""
from __future__ import annotations

import re

from .lexical import Spelling

# Questions the bundled corpus answers; the home page shows them too.
EXAMPLE_QUESTIONS = ["Quels sont les 4 métiers de la catalyse territoriale ?",
                     "Comment La Poste coopère-t-elle avec l'économie sociale et solidaire ?",
                     "tiers-lieu autogéré par des jeunes à Orléans",
                     "What is the digital fragility index?",
                     "mesurer l'impact des alliances"]


def corrected(spelling: Spelling) -> str | None:
    """The question with each corrected word replaced, or None when nothing was corrected."""
    text = spelling.query
    for wrong, right in spelling.corrections.items():
        text = re.sub(rf"\b{re.escape(wrong)}\b", right, text, flags=re.IGNORECASE)
    return text if text != spelling.query else None


def absent_names(spelling: Spelling) -> str | None:
    """« Aucune publication ne mentionne « Rennes » », the notice of names the corpus never holds."""
    if not spelling.absent:
        return None
    listed = " ni ".join(f"« {name} »" for name in spelling.absent)
    return f"Aucune publication ne mentionne {listed}"


def nothing_found(spelling: Spelling) -> dict:
    """The French message and suggestions of an answer without any relevant passage."""
    message = f"Aucun passage pertinent pour « {spelling.query} » dans les publications."
    if spelling.absent:
        message += f" {absent_names(spelling)}."
    return {"message": message,
            "suggestions": {"corrected": corrected(spelling), "examples": EXAMPLE_QUESTIONS[:3]}}
