"""Batch scanning of many works into a resumable, crash-safe JSONL journal."""

from forewarn.batch.journal import Journal, latest_records, read_records
from forewarn.batch.runner import Summary, run_batch

__all__ = ["Journal", "Summary", "latest_records", "read_records", "run_batch"]
