"""Prometheus metrics (prometheus-client): what this process answered, and, read
from the database at scrape time, what every process and job did.

With several worker processes (``dnc serve --workers N``) the counters live in
PROMETHEUS_MULTIPROC_DIR (``dnc serve`` makes one) and a scrape of any worker
reports the sum over all of them.
"""

from __future__ import annotations

import logging
import os
from collections import Counter as TallyCounter
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

import dnc

log = logging.getLogger("dnc.api")

LATENCY_BUCKETS = (
    0.0002,
    0.0005,
    0.001,
    0.002,
    0.003,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    1.0,
)


class StoreCollector(Collector):
    """Read at scrape time: registry ages and job runs, the same for every process."""

    def __init__(self, service: dnc.Service) -> None:
        self._service = service

    def collect(self) -> Iterator[Metric]:
        try:
            statuses = self._service.registry_status()
            runs = self._service.job_run_counts()
        except Exception as exc:  # noqa: BLE001 - a scrape must answer; /readyz says why
            log.warning("metrics: cannot read the store: %s", exc)
            up = GaugeMetricFamily("dnc_store_up", "Whether the store could be read.")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("dnc_store_up", "Whether the store could be read.")
        up.add_metric([], 1)
        yield up
        age = GaugeMetricFamily(
            "dnc_registry_age_days",
            "Age of each registry's snapshot in days (absent: no snapshot).",
            labels=["registry", "required"],
        )
        for s in statuses:
            if s.freshness.age_days is not None:
                age.add_metric(
                    [s.definition.name, str(s.definition.required).lower()], s.freshness.age_days
                )
        yield age
        jobs = GaugeMetricFamily(
            "dnc_job_runs", "Recorded job runs by job and how they ended.", labels=["job", "status"]
        )
        for (job, status), count in sorted(runs.items()):
            jobs.add_metric([job, status], count)
        yield jobs
        scrub_runs = GaugeMetricFamily("dnc_scrub_runs", "Recorded scrub job runs (any outcome).")
        scrub_runs.add_metric([], sum(n for (job, _), n in runs.items() if "scrub" in job))
        yield scrub_runs
        scrub_failed = GaugeMetricFamily(
            "dnc_scrub_failures", "Recorded scrub job runs that failed."
        )
        scrub_failed.add_metric(
            [], sum(n for (job, st), n in runs.items() if "scrub" in job and st == "failed")
        )
        yield scrub_failed


class Metrics:
    """This process's counters, and the registry a scrape renders."""

    def __init__(self, service: dnc.Service) -> None:
        self._multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        # Own registries, never the global one: a test process builds many apps.
        own = CollectorRegistry(auto_describe=True)
        self.verdicts = Counter(
            "dnc_verdicts",
            "Verdicts answered, by result.",
            ["result"],
            registry=own,
        )
        self.reasons = Counter(
            "dnc_verdict_reasons",
            "Reasons given in refusing verdicts, by reason code.",
            ["code"],
            registry=own,
        )
        self.latency = Histogram(
            "dnc_verdict_seconds",
            "Time to answer a verdict request, by endpoint.",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=own,
        )
        self.opt_outs = Counter(
            "dnc_opt_outs", "Opt-outs accepted over HTTP, by channel.", ["channel"], registry=own
        )
        # Children looked up once: labels() is a dict lookup under a lock.
        self.single = self.latency.labels("single")
        self.batch = self.latency.labels("batch")
        self._results = {r: self.verdicts.labels(r) for r in ("allowed", "refused")}
        self._codes: dict[str, Any] = {}
        if self._multiprocess:
            self.registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(self.registry)  # type: ignore[no-untyped-call]
        else:
            self.registry = own
        self.registry.register(StoreCollector(service))

    def count(self, verdicts: Iterable[dnc.Verdict]) -> None:
        if isinstance(verdicts, tuple) and len(verdicts) == 1:
            verdict = verdicts[0]
            self._results["allowed" if verdict.allowed else "refused"].inc()
            for reason in verdict.reasons:
                self._code(reason.code.value).inc()
            return
        # Tallied first: a 10 000-number batch is a few increments, not 10 000.
        results: TallyCounter[str] = TallyCounter()
        codes: TallyCounter[str] = TallyCounter()
        for verdict in verdicts:
            results["allowed" if verdict.allowed else "refused"] += 1
            codes.update(reason.code.value for reason in verdict.reasons)
        for result, n in results.items():
            self._results[result].inc(n)
        for code, n in codes.items():
            self._code(code).inc(n)

    def _code(self, code: str) -> Any:
        child = self._codes.get(code)
        if child is None:
            child = self._codes[code] = self.reasons.labels(code)
        return child

    def render(self) -> bytes:
        return generate_latest(self.registry)
