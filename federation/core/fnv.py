"""FNV-1 and FNV-1a 32-bit hashes, written out by hand so tie-breaks are stable across processes.

Python's builtin ``hash()`` of a string is salted per process, so it must never decide a
placement. These two functions match Go's ``hash/fnv`` ``New32()`` (FNV-1: multiply, then XOR)
and ``New32a()`` (FNV-1a: XOR, then multiply) byte for byte; strings are hashed as UTF-8, as
Go's ``[]byte(s)`` does.
"""

from __future__ import annotations

__all__ = ["FNV32_OFFSET_BASIS", "FNV32_PRIME", "fnv1_32", "fnv1a_32"]

FNV32_OFFSET_BASIS = 0x811C9DC5
FNV32_PRIME = 0x01000193
_MASK32 = 0xFFFFFFFF


def _as_bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def fnv1_32(data: str | bytes) -> int:
    """FNV-1 32-bit hash (Go ``fnv.New32``): for each byte multiply by the prime, then XOR."""
    h = FNV32_OFFSET_BASIS
    for byte in _as_bytes(data):
        h = (h * FNV32_PRIME) & _MASK32
        h ^= byte
    return h


def fnv1a_32(data: str | bytes) -> int:
    """FNV-1a 32-bit hash (Go ``fnv.New32a``): for each byte XOR, then multiply by the prime."""
    h = FNV32_OFFSET_BASIS
    for byte in _as_bytes(data):
        h ^= byte
        h = (h * FNV32_PRIME) & _MASK32
    return h
