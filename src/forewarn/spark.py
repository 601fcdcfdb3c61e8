"""``forewarn.spark``, the public name of the Spark batch engine (``forewarn.batch.spark``)."""

from forewarn.batch.spark import (
    INPUT_COLUMNS,
    SparkEngine,
    record_from_result,
    result_ddl,
    scan_dataframe,
    session,
)

__all__ = [
    "INPUT_COLUMNS",
    "SparkEngine",
    "record_from_result",
    "result_ddl",
    "scan_dataframe",
    "session",
]
