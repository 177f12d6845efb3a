"""A reply import holds off the cycle collector, and always gives it back."""

from __future__ import annotations

import gc

import pytest

from dnc.app.reply_files import cycle_collection_paused


def test_the_collector_pauses_for_imports_and_resumes_after_the_last() -> None:
    assert gc.isenabled()
    with cycle_collection_paused():
        assert not gc.isenabled()
        with cycle_collection_paused():  # a second import at the same time
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_failed_import_gives_the_collector_back() -> None:
    with pytest.raises(ValueError), cycle_collection_paused():
        raise ValueError("bad line")
    assert gc.isenabled()


def test_a_collector_disabled_by_someone_else_stays_disabled() -> None:
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
