"""A TCP proxy on a free loopback port that a test can cut and restore (a database "going away")."""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading

logger = logging.getLogger(__name__)

BUFFER_SIZE = 65536


class TCPProxy:
    """Forwards connections from 127.0.0.1:<port> to `target`.

    `cut()` closes every open tunnel and answers new connections by closing them at once (clients see
    "server closed the connection unexpectedly" rather than a hang); `restore()` forwards again. The
    listening port stays the same, so URLs that point at the proxy stay valid.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._cut = False
        self._tunnels: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)

    def start(self) -> TCPProxy:
        self._thread.start()
        return self

    @property
    def is_cut(self) -> bool:
        return self._cut

    def cut(self) -> None:
        """Drop every open connection and refuse new ones until `restore()`."""
        with self._lock:
            self._cut = True
            tunnels, self._tunnels = self._tunnels, set()
        for sock in tunnels:
            _close(sock)

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def stop(self) -> None:
        self._stopping.set()
        self.cut()
        _close(self._listener)
        self._thread.join(timeout=5)

    def _accept_loop(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._cut:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                logger.warning("proxy target %s:%s unreachable", *self.target)
                _close(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._tunnels.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        """Copy bytes both ways until either side closes (or the proxy is cut)."""
        peers = {client: upstream, upstream: client}
        selector = selectors.DefaultSelector()
        try:
            for sock in peers:
                selector.register(sock, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select(timeout=0.5):
                    data = key.fileobj.recv(BUFFER_SIZE)
                    if not data:
                        return
                    peers[key.fileobj].sendall(data)
                if self._stopping.is_set() or client.fileno() < 0 or upstream.fileno() < 0:
                    return
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            with self._lock:
                self._tunnels.difference_update((client, upstream))
            _close(client)
            _close(upstream)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
