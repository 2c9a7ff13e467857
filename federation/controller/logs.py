"""Structured logs for controller mode: one JSON object a line (time, level, logger, message and
the record's fields), with every registered secret value (tokens, keys) replaced by
`[redacted]` before a line is written, wherever it came from."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import threading
from typing import Any, TextIO

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class Redactor:
    """Values that must never be printed."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def register(self, *values: str) -> None:
        with self._lock:
            self._values.update(v for v in values if v and len(v) >= 8)

    def scrub(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for v in values:
            if v in text:
                text = text.replace(v, "[redacted]")
        return text


REDACTOR = Redactor()


class JsonFormatter(logging.Formatter):
    def __init__(self, identity: str = "") -> None:
        super().__init__()
        self.identity = identity

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if self.identity:
            doc["replica"] = self.identity
        for k, v in vars(record).items():
            if k not in _STANDARD and not k.startswith("_"):
                doc[k] = v
        if record.exc_info:
            doc["error"] = self.formatException(record.exc_info)
        return REDACTOR.scrub(json.dumps(doc, default=str))


def configure(level: str = "info", identity: str = "", stream: TextIO | None = None) -> None:
    """JSON lines on stderr for kfed's loggers and the client's leader election."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(identity))
    for name in ("kfed", "leaderelection"):
        lg = logging.getLogger(name)
        lg.handlers[:] = [handler]
        lg.setLevel(level.upper())
        lg.propagate = False
