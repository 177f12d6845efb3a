"""Compliance reports: a pure model built from stored facts, and its renderings."""

from dnc.reports.model import (
    DayCounts,
    JobFailure,
    RegistryAge,
    Report,
    ScrubSummary,
    Split,
    build,
    period,
)

__all__ = [
    "DayCounts",
    "JobFailure",
    "RegistryAge",
    "Report",
    "ScrubSummary",
    "Split",
    "build",
    "period",
]
