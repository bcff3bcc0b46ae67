"""config.listener_lock: one `webhooks listen` per instance on this machine."""

from __future__ import annotations

import pytest

from greencli.config.listener_lock import ListenerLock, ListenerRunning, lock_path


def test_a_second_listener_lock_is_refused_and_names_the_pid(tmp_path, monkeypatch) -> None:
    import os

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    path = lock_path("https://api.green-api.com", "1101000001")
    assert path.parent == tmp_path / "greencli"
    first = ListenerLock(path).acquire()
    with pytest.raises(ListenerRunning) as running:
        ListenerLock(path).acquire()
    assert running.value.pid == os.getpid()
    first.release()
    ListenerLock(path).acquire().release()  # free again once released
    # Another host or instance is another lock.
    assert lock_path("http://127.0.0.1:8080", "1101000001") != path
