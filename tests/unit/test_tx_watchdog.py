"""The one deadline thread of a process (antrian.storage.store_common._Watchdog): a transaction
past its deadline has its socket shut down; one that ended in time is left alone."""

from __future__ import annotations

import socket

from antrian.storage.store_common import _Watchdog


def test_a_deadline_past_shuts_the_socket_down_and_a_removed_one_never_fires():
    dog = _Watchdog()
    late_a, late_b = socket.socketpair()
    done_a, done_b = socket.socketpair()
    try:
        dog.add(late_a.fileno(), 1.5)
        dog.remove(dog.add(done_a.fileno(), 1.0))  # its transaction ended in time: removed
        late_b.settimeout(30)
        assert late_b.recv(1) == b""  # shut down: the peer sees the end of the stream
        # the thread went past both deadlines; the removed one is still a working socket
        done_a.sendall(b"x")
        done_b.settimeout(30)
        assert done_b.recv(1) == b"x"
        assert not dog._entries
    finally:
        for s in (late_a, late_b, done_a, done_b):
            s.close()
