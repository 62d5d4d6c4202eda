"""In-memory fakes of every port, for unit and component tests."""

from shared.core.testing.fakes import (
    FakeCursorStore,
    FakeLeaseStore,
    FakeProcessedLedger,
    RecordingPublisher,
)

__all__ = ["FakeCursorStore", "FakeLeaseStore", "FakeProcessedLedger", "RecordingPublisher"]
