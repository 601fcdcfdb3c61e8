"""Prometheus metrics: requests, latency, scans, words scanned, queue depth, jobs, workers."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from forewarn.server.work import ScanOutcome

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    """One registry per app (so several apps in one process never collide)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "forewarn_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "forewarn_http_request_duration_seconds",
            "Time from request to response, by route template.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.scans = Counter(
            "forewarn_scans",
            "Scans finished by a worker, by outcome status.",
            ["status"],
            registry=r,
        )
        self.scan_seconds = Histogram(
            "forewarn_scan_duration_seconds",
            "Time one scan spent in the pool (waiting included).",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.words = Counter("forewarn_words_scanned", "Words of story text scanned.", registry=r)
        self.queue_depth = Gauge(
            "forewarn_scan_queue_depth", "Scans waiting for a free worker.", registry=r
        )
        self.in_flight = Gauge("forewarn_scans_in_flight", "Scans running or waiting.", registry=r)
        self.workers = Gauge("forewarn_scan_workers", "Worker processes in the pool.", registry=r)
        self.jobs = Gauge("forewarn_jobs", "Background jobs by status.", ["status"], registry=r)
        self.replaced = Counter(
            "forewarn_scan_workers_replaced",
            "Worker processes killed and restarted warm, by reason: crash, deadline (the scan "
            "overran), abandoned (its client left), memory (it grew past the threshold).",
            ["reason"],
            registry=r,
        )

    def scanned(self, outcome: ScanOutcome, seconds: float) -> None:
        """Record one finished scan."""
        self.scans.labels(str(outcome.status)).inc()
        self.scan_seconds.observe(seconds)
        self.words.inc(outcome.words)

    def worker_replaced(self, reason: str) -> None:
        """Record one worker replaced, and why."""
        self.replaced.labels(reason).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
