"""A logger that imports structlog only when a line is emitted at an enabled level.

structlog pulls in asyncio and more (~40 ms); a quiet `mine` emits nothing and should not pay for
it. `configure(level)` records the level (the CLI calls it); the first line at or above it imports
and configures structlog (stderr only: in stdio mode stdout is the MCP protocol channel). Without
`configure` (a library caller, the tests) every line goes to structlog as configured elsewhere.
"""

from __future__ import annotations

import sys
from typing import Any

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "exception": 40, "critical": 50}
_state: dict[str, Any] = {"level": None, "pending": None}


def configure(level: str = "warning") -> None:
    _state["level"] = LEVELS.get(level.lower(), 30)
    _state["pending"] = level


def _configure_structlog(level: str) -> None:
    import logging

    import structlog

    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.dev.ConsoleRenderer(colors=False) if sys.stderr.isatty() else structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper(), logging.WARNING)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


class LazyLogger:
    def __init__(self, name: str):
        self.name = name

    def _emit(self, method: str, event: str, **kw: Any) -> Any:
        level = _state["level"]
        if level is not None and LEVELS[method] < level:
            return None
        import structlog

        if _state["pending"] is not None:
            _configure_structlog(_state["pending"])
            _state["pending"] = None
        return getattr(structlog.get_logger(self.name), method)(event, **kw)

    def debug(self, event: str, **kw: Any) -> Any:
        return self._emit("debug", event, **kw)

    def info(self, event: str, **kw: Any) -> Any:
        return self._emit("info", event, **kw)

    def warning(self, event: str, **kw: Any) -> Any:
        return self._emit("warning", event, **kw)

    def error(self, event: str, **kw: Any) -> Any:
        return self._emit("error", event, **kw)

    def exception(self, event: str, **kw: Any) -> Any:
        return self._emit("exception", event, **kw)


def get_logger(name: str = "training_data_miner") -> LazyLogger:
    return LazyLogger(name)
