"""What the tick remembers between its own runs; nothing but :func:`run_tick` uses it."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


@dataclass(slots=True)
class TickMemory:
    """Per fan-out phase: what its cells saw and how many frames it sent; unsent poses."""

    #: Per fan-out phase: sorted (cell << 24 | avatar id) pairs its cells saw last time.
    prev_pairs: list[npt.NDArray[np.int64]]
    #: Per fan-out phase: frames sent so far (periodic keyframes and crowd count these).
    phase_frames: list[int]
    #: Rows applied in each of the last steps, until every fan-out phase has sent them.
    applied_unsent: deque[npt.NDArray[np.intp]] = field(default_factory=deque)

    @classmethod
    def for_phases(cls, phases: int) -> TickMemory:
        """A fresh memory for a loop of ``phases`` fan-out phases."""
        return cls([np.zeros(0, np.int64) for _ in range(phases)], [0] * phases)
