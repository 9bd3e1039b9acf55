"""The upload worker pool: jobs run in a real spawned worker process, and a worker that dies
under a job costs that job a clear 503, not every later upload."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor

import pytest

from metaexpo.booths.workers import UploadWorkers
from metaexpo.errors import Busy


def worker_pid() -> int:
    return os.getpid()


def die() -> None:
    os._exit(3)  # as if killed for its memory


def _pool() -> Executor:
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))


@pytest.fixture
def workers() -> Iterator[UploadWorkers]:
    pool = UploadWorkers(_pool)
    yield pool
    pool.close()


async def test_jobs_run_in_a_worker_process(workers: UploadWorkers) -> None:
    assert await workers.run(worker_pid) != os.getpid()


async def test_a_worker_dying_under_a_job_answers_busy_and_the_next_job_gets_a_new_pool(
    workers: UploadWorkers,
) -> None:
    first = await workers.run(worker_pid)
    with pytest.raises(Busy) as refused:
        await workers.run(die)
    assert "try again" in refused.value.message
    assert await workers.run(worker_pid) not in (first, os.getpid())


async def test_without_a_pool_jobs_run_in_a_thread_of_this_process() -> None:
    assert await UploadWorkers(None).run(worker_pid) == os.getpid()
