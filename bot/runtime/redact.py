"""Secrets out of every message and log line: the one masking function (`redact`), and a logging
filter that applies it to whatever a library logs.

A URL's password (`scheme://user:password@host`, whatever the scheme, even a misspelt one) and the
values of secret-looking query keys (`?password=`, `sslpassword=`, `token=`…) become `***`; so do
`password=…` pairs in a libpq connection string. Everything else is left as it is, so that the
message still says which setting, which host and which database are wrong."""

from __future__ import annotations

import logging
import re

MASK = "***"
SECRET_KEYS = r"password|passwd|pass|pwd|sslpassword|secret|client_secret|token|access_token|api_key|apikey"

# scheme://user:password@ — the user part may be empty (`redis://:password@host`); the password runs
# to the last @ before the host (a password may contain an unencoded @ or :).
_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:'\"<>]*:)(?P<secret>[^\s/?#'\"<>]*)(?=@)")
# key=value in a query string or a connection string: ?password=…, &token=…, " password=…" (a
# sentence's colon or full stop after it is not part of the value)
_VALUE = r"[^\s&;#'\"<>),]*[^\s&;#'\"<>),:.]"
_PAIR = re.compile(rf"(?P<head>(?:^|[?&;\s,(]|\b)(?:{SECRET_KEYS})=)(?P<secret>{_VALUE})", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with every password and secret query value masked (idempotent)."""
    if "=" not in text and "@" not in text:
        return text
    text = _USERINFO.sub(lambda m: m["head"] + MASK, text)
    return _PAIR.sub(lambda m: m["head"] + MASK, text)


class RedactingFilter(logging.Filter):
    """A handler's safety net: the record's message and traceback, masked before any formatter sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as it would
            return True
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of `logger` (the root logger: where every library's records end)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
