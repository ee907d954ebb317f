"""What readers asked and did not find: the question log, kept on the server for the editors.

Each entry is the question (case-folded, spaces collapsed), the day it was asked and whether any
passage was relevant — no time of day, no address, no identifier, nothing that links two
questions to one reader. Entries older than the retention period are deleted (at start-up and
then hourly); with the log switched off nothing is written."""
from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger("catalyse.questions")
FILE = "questions.sqlite"
PURGE_EVERY_S = 3600
TREND_DAYS = 7          # this week against the week before
QUESTIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (day TEXT NOT NULL, question TEXT NOT NULL, answered INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS questions_day ON questions(day);
"""


def normalised(question: str) -> str:
    return " ".join(question.split()).casefold()


def trend(recent: int, before: int) -> str:
    if not before:
        return "nouvelle" if recent else "stable"
    return "hausse" if recent > before else "baisse" if recent < before else "stable"


class QuestionLog:
    """``path`` None: switched off (records nothing, reports nothing)."""

    def __init__(self, path: Path | None, retention_days: int = 90):
        self.path, self.retention_days = path, retention_days
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._purged = 0.0
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(QUESTIONS_SCHEMA)
            self.purge()

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def record(self, question: str, answered: bool, day: dt.date | None = None) -> None:
        if self._db is None or not question.strip():
            return
        try:
            with self._lock:
                self._db.execute("INSERT INTO questions VALUES (?, ?, ?)",
                                 ((day or dt.date.today()).isoformat(), normalised(question), int(answered)))
        except sqlite3.Error as exc:      # a full disk must not fail the reader's search
            log.error("question log not written: %s", exc)
            return
        if time.monotonic() - self._purged > PURGE_EVERY_S:
            self.purge()

    def purge(self, today: dt.date | None = None) -> int:
        """Delete the entries older than the retention period; the number deleted."""
        if self._db is None:
            return 0
        oldest = (today or dt.date.today()) - dt.timedelta(days=self.retention_days)
        with self._lock:
            deleted = self._db.execute("DELETE FROM questions WHERE day < ?", (oldest.isoformat(),)).rowcount
        self._purged = time.monotonic()
        return deleted

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def summary(self, top: int = 20, today: dt.date | None = None) -> dict:
        """The most frequent questions; the unanswered ones — whose last asking found no relevant
        passage, so a question leaves the list once a publication answers it — with their trend
        (the last 7 days against the 7 before); the weeks' counts."""
        if self._db is None:
            return {"enabled": False, "retention_days": self.retention_days}
        today = today or dt.date.today()
        recent = (today - dt.timedelta(days=TREND_DAYS - 1)).isoformat()
        before = (today - dt.timedelta(days=2 * TREND_DAYS - 1)).isoformat()
        groups = self._rows("""SELECT question, COUNT(*), SUM(day >= ?), SUM(day >= ? AND day < ?), MAX(day),
                                      MAX(rowid) FROM questions GROUP BY question""", (recent, before, recent))
        answered = dict(self._rows("""SELECT rowid, answered FROM questions
                                      WHERE rowid IN (SELECT MAX(rowid) FROM questions GROUP BY question)"""))
        entries = sorted(({"question": q, "count": n, "answered": bool(answered.get(last)), "last_7_days": r,
                           "previous_7_days": b, "trend": trend(r, b), "last_asked": day}
                          for q, n, r, b, day, last in groups), key=lambda e: e["last_asked"], reverse=True)
        entries.sort(key=lambda e: -e["count"])          # most asked first, then most recently asked
        weeks = [{"week": w, "questions": n, "unanswered": n - a} for w, n, a in self._rows(
            "SELECT strftime('%Y-W%W', day), COUNT(*), SUM(answered) FROM questions GROUP BY 1 ORDER BY 1 DESC")]
        return {"enabled": True, "retention_days": self.retention_days, "questions": sum(e["count"] for e in entries),
                "frequent": entries[:top], "unanswered": [e for e in entries if not e["answered"]][:top],
                "weeks": weeks}

    def csv(self) -> str:
        """Every distinct question with its counts, most frequent first (for a spreadsheet)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["question", "fois", "sans_reponse", "premier_jour", "dernier_jour"])
        if self._db is not None:
            writer.writerows(self._rows("""SELECT question, COUNT(*), COUNT(*) - SUM(answered), MIN(day), MAX(day)
                                           FROM questions GROUP BY question ORDER BY COUNT(*) DESC, question"""))
        return out.getvalue()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
