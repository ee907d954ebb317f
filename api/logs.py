"""Structured logs: one JSON object per line (or readable text), level and format from the
environment. Events carry their fields in ``extra={"fields": {...}}``; a question's text is only
ever put in a DEBUG event (questions can hold personal data)."""
from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import time

LOG_ENVIRONMENT = {
    "CATALYSE_LOG_LEVEL": "DEBUG, INFO, WARNING or ERROR (default INFO); questions' text is logged at DEBUG only",
    "CATALYSE_LOG_FORMAT": "json (one object per line, default) or text",
}
LOG_FORMATS = ("json", "text")

# the id of the request being answered (the middleware sets it; jobs record the one that made them)
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
                "level": record.levelname, "logger": record.name}
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        if fields:
            record.msg, record.args = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None), ()
        return super().format(record)


def configure(level: str | None = None, fmt: str | None = None, stream=None) -> logging.Handler:
    """Send the ``catalyse`` loggers to stderr (or ``stream``) at the level and in the format the
    environment asks for; a wrong value is an error, not a silent default."""
    level = (level or os.environ.get("CATALYSE_LOG_LEVEL") or "INFO").upper()
    fmt = (fmt or os.environ.get("CATALYSE_LOG_FORMAT") or "json").lower()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError(f"CATALYSE_LOG_LEVEL : niveau inconnu {level!r} (DEBUG, INFO, WARNING, ERROR)")
    if fmt not in LOG_FORMATS:
        raise ValueError(f"CATALYSE_LOG_FORMAT : format inconnu {fmt!r} (json ou text)")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logger = logging.getLogger("catalyse")
    for old in [h for h in logger.handlers if getattr(h, "catalyse", False)]:
        logger.removeHandler(old)
    handler.catalyse = True
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return handler


def event(logger: logging.Logger, level: int, fields: dict) -> None:
    """One structured line (fields with a None value are left out)."""
    if logger.isEnabledFor(level):
        logger.log(level, fields.get("event", ""), extra={"fields": {k: v for k, v in fields.items()
                                                                      if v is not None}})
