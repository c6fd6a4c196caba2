"""Extra service processes for tests that need one configured differently
from the suite `./microchat test` started (another issuer, a small queue, a
dead upstream): a free port, the binary from MICROCHAT_TEST_BIN, a log in the
stack's logs folder, and a wait for /readyz."""
import os
import socket
import subprocess
import time

import requests


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url_file(service):
    """The secret file ./microchat wrote for a service's database role (user_service, chat_service)."""
    return os.path.join(os.environ["MICROCHAT_TEST_DATA"], "secrets", f"{service}.database-url")


def is_ready(base):
    try:
        return requests.get(base + "/readyz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


class ServiceProcess:
    """One service binary on 127.0.0.1, started with `settings` on top of the test's environment."""

    def __init__(self, binary, name, port=None, timeout=60, **settings):
        self.name = name
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, HOST="127.0.0.1", PORT=str(self.port), LOG_LEVEL="info",
                   **{key: str(value) for key, value in settings.items()})
        log = open(os.path.join(os.environ["MICROCHAT_TEST_DATA"], "logs", f"{name}.log"), "ab")
        self.process = subprocess.Popen([os.path.join(os.environ["MICROCHAT_TEST_BIN"], binary)], env=env,
                                        stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not is_ready(self.base):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"{name} did not become ready (see logs/{name}.log)")
            time.sleep(0.2)

    @property
    def pid(self):
        return self.process.pid

    def stop(self, timeout=15):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
