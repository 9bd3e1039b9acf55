"""Another process's memory, from Linux's /proc: resident size now and its peak since a reset.

The peak (``VmHWM``) is the kernel's own high-water mark, so a short spike
between two samples is never missed; writing ``5`` to ``clear_refs``
restarts it from the current size (Linux 4.0+, same user).
"""

from __future__ import annotations

from pathlib import Path

MB = 1024 * 1024


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"/proc/{pid}/status has no {field} line: these tests need Linux")


def rss(pid: int) -> int:
    """Resident memory of ``pid`` now, in bytes."""
    return _status(pid, "VmRSS")


def peak_rss(pid: int) -> int:
    """Highest resident memory of ``pid`` since :func:`reset_peak` (or its start), in bytes."""
    return _status(pid, "VmHWM")


def reset_peak(pid: int) -> int:
    """Restart the peak of ``pid`` from its current resident size; returns that size."""
    clear_refs = Path(f"/proc/{pid}/clear_refs")
    try:
        clear_refs.write_text("5")
    except OSError as exc:
        raise AssertionError(
            f"cannot reset the memory peak of process {pid} ({exc}): these tests need Linux 4.0+ "
            "and the same user as the server"
        ) from None
    return rss(pid)
