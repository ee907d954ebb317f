"""French text analysis for the lexical index: elisions, case, stop words, Snowball stems,
accent folding. Used alike for passages (at indexing) and questions (at search)."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’]", re.IGNORECASE)
TOKEN = re.compile(r"\w+")
LETTERS_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")  # "ODD17" → "ODD 17"

STOPWORDS = frozenset("""
a à afin ai aie aient aies ait alors as au aucun aucune aupres auquel aussi autre autres aux auxquelles
auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant c ça car ce ceci cela celle
celles celui cependant ces cet cette ceux chacun chacune chaque chez ci comme comment d dans de des
desquelles desquels deux dont du donc dès elle elles en encore entre es est et étaient étais était
étant été être eu eue eues eurent eus eut eux fait faites font fut furent il ils j je jusqu l la là
laquelle le lequel les lesquelles lesquels leur leurs lors lorsque lui m ma mais me même mêmes mes moi
mon n ne ni nos notre nous on ont or ou où par parce pas pendant peu peut peuvent plus plusieurs pour
pourquoi puis qu quand que quel quelle quelles quels qui quoi s sa sans se sera seront ses si sien
soi soit sommes son sont sous suis sur t ta te tes toi ton tous tout toute toutes très tu un une unes uns
vers voici voilà vos votre vous y ème eme er ère
the of and or to in on for is are was were be been what which who whom how why when where does do did
can could should would a an it its this that these those with by from as at into about
""".split())

# Numbers written out match their digits ("quatre métiers" ↔ "4 métiers"); "un" stays an article.
NUMBERS = {w: str(n) for n, w in enumerate("zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize "
                                          "quatorze quinze seize".split()) if n > 1}
NUMBERS.update({"vingt": "20", "trente": "30", "quarante": "40", "cinquante": "50", "soixante": "60", "cent": "100",
                "mille": "1000", "deuxième": "2", "troisième": "3", "quatrième": "4", "cinquième": "5"})

_stemmer = Stemmer.Stemmer("french")


def strip_accents(text: str) -> str:
    """Without combining accents, case kept (ingest.taxonomy.fold also lower-cases and straightens
    apostrophes, for the tagger's lexicon)."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return strip_accents(_stemmer.stemWord(word))


# A numbered reference — a target « 17.17 », « 1.a », an article « L.2121-29 » — is a term of its own
# as well as its parts, so « la cible 17.17 » finds 17.17 rather than every passage with two 17s.
DOTTED = re.compile(r"(?<![\w.])\d+(?:\.(?:\d+|[a-z])\b)+")


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` without elisions or stop words (not stemmed), plus its dotted
    numbers (« 17.17 ») whole."""
    text = unicodedata.normalize("NFKC", text).lower()
    dotted = DOTTED.findall(text)
    text = LETTERS_DIGITS.sub(" ", ELISION.sub(" ", text))
    return [w for w in TOKEN.findall(text) if w not in STOPWORDS and w != "_"] + dotted


def analyse(text: str) -> list[str]:
    """The terms the lexical index holds for ``text``."""
    return [NUMBERS.get(w) or stem(w) for w in words(text)]
