"""Prometheus metrics of the back office: upload slots and refusals, the password pool, private
files left open.

Read at scrape time from the :class:`~metaexpo.http.office.BackOffice`
(nothing while it starts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from metaexpo.http.office import BackOffice

#: Reasons an upload is refused before its check, as counted by the upload slots.
REFUSAL_REASONS = ("busy", "account", "too_slow")


class OfficeCollector(Collector):
    """Collects the back office's upload and file-mode figures."""

    def __init__(self, office: Callable[[], BackOffice | None]) -> None:
        self._office = office

    def collect(self) -> Iterator[Metric]:
        office = self._office()
        if office is None:
            return
        slots = office.uploads.slots
        in_use = GaugeMetricFamily(
            "metaexpo_upload_slots_in_use", "Uploads being received or checked now", labels=[]
        )
        in_use.add_metric([], slots.in_use)
        refused = CounterMetricFamily(
            "metaexpo_uploads_refused",
            "Uploads refused before their check: no slot free (busy), the account's share "
            "taken (account), the body slower than the minimum rate (too_slow)",
            labels=["reason"],
        )
        for reason in REFUSAL_REASONS:
            refused.add_metric([reason], slots.refused[reason])
        exposed = GaugeMetricFamily(
            "metaexpo_private_files_exposed",
            "Private files and folders (secret key, database, data folder) other users could "
            "read at start-up; the log says which and the chmod to run",
            labels=[],
        )
        exposed.add_metric([], len(office.exposed))
        yield from (in_use, refused, exposed)
        yield from password_pool_metrics(office)


def password_pool_metrics(office: BackOffice) -> Iterator[Metric]:
    """The sign-in hashing pool: what runs and waits now, its high-water marks, its refusals
    (docs/security.md, "Hashing in a bounded pool")."""
    pool = office.passwords
    for name, text, value in (
        ("running", "Password checks running now", pool.running),
        ("held", "Password checks running or waiting now", pool.held),
        ("peak_running", "The most password checks ever running at once", pool.peak_running),
        ("peak_held", "The most password checks ever running or waiting at once", pool.peak_held),
        ("workers", "Threads of the password pool (--password-workers)", pool.workers),
        ("capacity", "Checks it runs or queues at once (workers + queue)", pool.capacity),
    ):
        gauge = GaugeMetricFamily(f"metaexpo_password_pool_{name}", text, labels=[])
        gauge.add_metric([], value)
        yield gauge
    for name, text, value in (
        ("done", "Password checks run to their end", pool.done),
        ("refused", "Sign-ins answered 429 because the pool and its queue were full", pool.refused),
    ):
        counter = CounterMetricFamily(f"metaexpo_password_pool_{name}", text, labels=[])
        counter.add_metric([], value)
        yield counter
