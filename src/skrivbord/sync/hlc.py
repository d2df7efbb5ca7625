"""Hybrid logical clocks (Kulkarni et al., 2014), packed in one integer.

The high bits are milliseconds since the epoch, the low 16 bits a counter that orders events
within the same millisecond (or while the wall clock stands still or goes backwards). Used to
order edits for the *newest wins* policy; never to decide concurrency (the version vectors do
that).
"""

from __future__ import annotations

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1


def pack(milliseconds: int, counter: int) -> int:
    return (milliseconds << COUNTER_BITS) | min(counter, COUNTER_MASK)


def unpack(value: int) -> tuple[int, int]:
    return value >> COUNTER_BITS, value & COUNTER_MASK


def tick(last: int, now_ms: int) -> int:
    """The clock for a local event (an edit) at wall time now_ms."""
    last_ms, counter = unpack(last)
    if now_ms > last_ms:
        return pack(now_ms, 0)
    return pack(last_ms, counter + 1)


def receive(last: int, remote: int, now_ms: int) -> int:
    """The clock after receiving an event stamped `remote`."""
    last_ms, last_counter = unpack(last)
    remote_ms, remote_counter = unpack(remote)
    top = max(last_ms, remote_ms, now_ms)
    if top == last_ms == remote_ms:
        counter = max(last_counter, remote_counter) + 1
    elif top == last_ms:
        counter = last_counter + 1
    elif top == remote_ms:
        counter = remote_counter + 1
    else:
        counter = 0
    return pack(top, counter)


def milliseconds(value: int) -> int:
    return unpack(value)[0]
