"""Object keys: generated, never taken from user-supplied file names."""

from __future__ import annotations

import re
import secrets

from xqr.storage.base import InvalidKey

MAX_KEY_LENGTH = 512
# A segment may not start with a dot: that rules out "." and ".." and keeps
# the local backend's own ".tmp" folder out of the key space. 255 is the
# longest file name most filesystems take.
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}")


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or ".." in key:
        raise InvalidKey(f"invalid object key: {key!r}")
    if not all(_SEGMENT.fullmatch(segment) for segment in key.split("/")):
        raise InvalidKey(f"invalid object key: {key!r}")
    return key


def new_key(prefix: str) -> str:
    token = secrets.token_urlsafe(24)
    return check_key(f"{prefix}/{token}" if prefix else token)


_CONTENT_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(;[ -~]*)?")


def check_content_type(content_type: str) -> str:
    # Printable ASCII on one line: it becomes an HTTP header and, locally, a header line.
    if len(content_type) > 255 or not _CONTENT_TYPE.fullmatch(content_type):
        raise ValueError(f"invalid content type: {content_type!r}")
    return content_type
