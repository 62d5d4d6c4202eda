"""The process supervisor tells its own children's liveness by their exit status, not their cmdline."""

from pathlib import Path

from infra.processes import ServiceSpec, Supervisor


def test_an_own_child_is_alive_until_it_exits_whatever_its_cmdline_says(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    pid = supervisor.start(ServiceSpec(name="sleeper", module="tests.support.sleeper"), timeout=None)
    try:
        # Between fork and exec a child's /proc cmdline is still its parent's, without the module.
        assert supervisor._alive(pid, "a.module.its.cmdline.does.not.name")
        assert supervisor.pid("sleeper") == pid
    finally:
        supervisor.kill("sleeper")
    assert supervisor.pid("sleeper") is None
