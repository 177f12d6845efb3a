"""Compliance reports: a pure model built from stored facts, and its renderings."""

from dnc.reports.model import (
    LEGAL_LIMIT,
    Arrival,
    DayCounts,
    EntryTotals,
    JobFailure,
    ReceiptToEffect,
    RegistryAge,
    Report,
    ScrubSummary,
    Split,
    build,
    period,
)

__all__ = [
    "LEGAL_LIMIT",
    "Arrival",
    "DayCounts",
    "JobFailure",
    "ReceiptToEffect",
    "RegistryAge",
    "Report",
    "EntryTotals",
    "ScrubSummary",
    "Split",
    "build",
    "period",
]
