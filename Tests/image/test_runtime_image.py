"""What proves an image would run, without a container engine: the Dockerfile's
runtime stage is rebuilt as a root file system from the Debian packages it
names (debootstrap from Debian's archive, then the stage's own RUN instruction
in a chroot), the release binaries and resources are copied in as its COPY
instructions say, and each service is started there the way a restricted pod
runs it — as the image's USER, with a read-only root, an empty /tmp, the
kubelet's /etc/hosts and resolv.conf and its secrets mounted — and must answer.

Run by `./microchat lint --image` (root, network to Debian's archive, a
release build made with the Dockerfile's flags, PostgreSQL and Redis started
by ./microchat)."""
import hashlib
import json
import os
import pathlib
import re
import shlex
import shutil
import socket
import subprocess
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
CACHE = pathlib.Path(os.environ.get("MICROCHAT_TOOLS", pathlib.Path.home() / ".cache/microchat-tools")) / "image-rootfs"


def env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run this through ./microchat lint --image")
    return value


# ---------------------------------------------------------------- reading the Dockerfile

def instructions():
    """(instruction, argument text) in order, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        if not current and (raw.lstrip().startswith("#") or not raw.strip()):
            continue
        current += raw.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        lines.append(current.strip())
        current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def stages():
    """Stage name → {base, instructions}, with ARG defaults before the first FROM substituted."""
    args, found, current = {}, {}, None
    for instruction, text in instructions():
        if instruction == "ARG" and current is None:
            name, _, default = text.partition("=")
            args[name] = default
            continue
        if instruction == "FROM":
            text = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), ""), text)
            base, _, name = text.partition(" AS ")
            current = name.strip()
            found[current] = {"base": base.strip(), "steps": []}
            continue
        found[current]["steps"].append((instruction, text))
    return found


def image_of(service):
    """What the service's image is made of: the chain of stages from Debian up."""
    all_stages = stages()
    chain, name = [], service
    while name in all_stages:
        chain.insert(0, all_stages[name])
        name = all_stages[name]["base"]
    base = name  # e.g. debian:bookworm-slim
    image = {"base": base, "run": [], "copy": [], "env": {}, "user": None, "workdir": "/", "entrypoint": None}
    for stage in chain:
        for instruction, text in stage["steps"]:
            if instruction == "RUN":
                image["run"].append(text)
            elif instruction == "COPY":
                image["copy"].append(text)
            elif instruction == "ENV":
                image["env"].update(dict(pair.split("=", 1) for pair in shlex.split(text)))
            elif instruction == "USER":
                image["user"] = text
            elif instruction == "WORKDIR":
                image["workdir"] = text
            elif instruction == "ENTRYPOINT":
                image["entrypoint"] = json.loads(text)
    return image


def apt_packages(run):
    match = re.search(r"apt-get install (.*?)(?:&&|$)", run)
    return [word for word in match.group(1).split() if not word.startswith("-")] if match else []


def debian_mirror():
    for file in [pathlib.Path("/etc/apt/sources.list"), *sorted(pathlib.Path("/etc/apt/sources.list.d").glob("*"))]:
        if file.is_file():
            for url in re.findall(r"(?:^URIs:\s*|^deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", file.read_text(), re.M):
                if not url.rstrip("/").endswith("-security"):
                    return url
    return "http://deb.debian.org/debian"


# ---------------------------------------------------------------- building the root file system

def base_rootfs(image):
    """debootstrap of the base's suite with the stage's packages, then the stage's RUN
    instructions inside it (cached by their text: they are the image's layers)."""
    suite = image["base"].split(":")[1].split("-")[0]  # debian:bookworm-slim → bookworm
    packages = sorted({p for run in image["run"] for p in apt_packages(run)})
    key = hashlib.sha256(json.dumps([suite, packages, image["run"]]).encode()).hexdigest()[:16]
    target = CACHE / f"{suite}-{key}"
    if (target / ".complete").is_file():
        return target
    partial = CACHE / f"{suite}-{key}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(packages)}", suite, str(partial), debian_mirror()],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"debootstrap failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    shutil.copy("/etc/resolv.conf", partial / "etc/resolv.conf")
    for run in image["run"]:
        result = subprocess.run(["chroot", str(partial), "/bin/sh", "-c", run], capture_output=True, text=True, timeout=1800,
                                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive", "HOME": "/root"})
        assert result.returncode == 0, f"the runtime stage's RUN failed in the root file system:\n{run}\n{result.stderr[-3000:]}"
    (partial / ".complete").write_text("ok\n")
    partial.rename(target)
    return target


def rootfs_for(service, tmp_path):
    """The service's image as a directory: the cached base, copied, plus its COPY --from=build files."""
    image = image_of(service)
    root = tmp_path / f"{service}-rootfs"
    subprocess.run(["cp", "-a", str(base_rootfs(image)), str(root)], check=True)
    staging = pathlib.Path(env("MICROCHAT_IMAGE_BIN"))  # the build stage's /staging is the release build folder
    (root / image["workdir"].lstrip("/")).mkdir(parents=True, exist_ok=True)
    for copy in image["copy"]:
        words = shlex.split(copy)
        options = dict(w[2:].split("=", 1) for w in words if w.startswith("--"))
        source, destination = [w for w in words if not w.startswith("--")]
        assert options.get("from") == "build" and source.startswith("/staging/"), f"unexpected COPY {copy}"
        origin = staging / source.removeprefix("/staging/")
        assert origin.exists(), f"the build produced no {origin.name} (COPY {copy})"
        target = root / destination.lstrip("/")
        if origin.is_dir():
            shutil.copytree(origin, target)
        else:
            shutil.copy2(origin, target)
        if "chown" in options:
            subprocess.run(["chown", "-R", options["chown"], str(target)], check=True)
        if "chmod" in options:
            subprocess.run(["chmod", "-R", options["chmod"], str(target)], check=True)
    for mount_point in ("etc/microchat", "proc", "dev", "tmp"):
        (root / mount_point).mkdir(parents=True, exist_ok=True)
    for file in ("etc/hosts", "etc/resolv.conf", "etc/hostname"):
        (root / file).touch()
    return root, image


# ---------------------------------------------------------------- running a service as a pod would

LAUNCH = r"""
set -e
root=$1; secrets=$2; user=$3; shift 3
mount --bind "$root" "$root"
mount -o remount,bind,ro "$root"
mount -t tmpfs -o mode=1777,size=64m tmpfs "$root/tmp"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
for file in hosts resolv.conf hostname; do mount --bind -o ro "/etc/$file" "$root/etc/$file"; done
mount --bind -o ro "$secrets" "$root/etc/microchat"
exec chroot --userspec="$user" "$root" "$@"
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def secrets_for(tmp_path, service, role):
    """What the pod mounts under /etc/microchat: its database URL and the database's CA."""
    folder = tmp_path / f"{service}-secrets"
    if role:
        data = pathlib.Path(env("MICROCHAT_TEST_DATA"))
        (folder / "database").mkdir(parents=True)
        (folder / "database-ca").mkdir()
        shutil.copy(data / "tls/ca.crt", folder / "database-ca/ca.crt")
        url = (data / f"secrets/{role}.database-url").read_text().strip()
        url = re.sub(r"sslrootcert=[^&]+", "sslrootcert=/etc/microchat/database-ca/ca.crt", url)
        (folder / "database/database-url").write_text(url + "\n")
    else:
        folder.mkdir()
    subprocess.run(["chmod", "-R", "a+rX", str(folder)], check=True)
    return folder


def start(service, tmp_path, settings, role=None, port=None):
    root, image = rootfs_for(service, tmp_path)
    port = port or free_port()
    variables = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", **image["env"], "PORT": str(port), **settings}
    if role:
        variables["DATABASE_URL_FILE"] = "/etc/microchat/database/database-url"
    log = open(tmp_path / f"{service}.log", "w")
    process = subprocess.Popen(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", LAUNCH, "launch", str(root),
         str(secrets_for(tmp_path, service, role)), image["user"], "/usr/bin/env", "-i",
         *[f"{k}={v}" for k, v in variables.items()], *image["entrypoint"]],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{service} exited with {process.returncode} in its image:\n{(tmp_path / f'{service}.log').read_text()[-3000:]}")
        try:
            if requests.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url, image
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.terminate()
    pytest.fail(f"{service} did not become ready in its image:\n{(tmp_path / f'{service}.log').read_text()[-3000:]}")


def process_ids(pid):
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    uid = status.split("Uid:")[1].split()[:4]
    gid = status.split("Gid:")[1].split()[:4]
    return set(uid), set(gid)


def root_is_read_only(pid):
    for line in pathlib.Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
        fields = line.split()
        if fields[4] == "/":
            return "ro" in fields[5].split(",")
    return False


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.fail("the image check needs root (debootstrap, chroot, mounts)")
    for command in ("debootstrap", "unshare", "chroot"):
        if not shutil.which(command):
            pytest.fail(f"{command} is missing: ./microchat lint --image installs debootstrap")
    tmp_path = tmp_path_factory.mktemp("image")
    redis = env("MICROCHAT_TEST_REDIS_URL")
    running = []
    try:
        user_port = free_port()
        issuer = f"http://127.0.0.1:{user_port}"  # tokens name it, chat-service fetches its keys there
        user = start("user-service", tmp_path, {"ISSUER_URL": issuer, "REDIS_URL": redis}, role="user_service", port=user_port)
        running.append(user)
        chat = start("chat-service", tmp_path, {"REDIS_URL": redis, "AUTH_ISSUER": user[1], "USER_SERVICE_URL": user[1],
                                                "REPLICA_ID": "image-check"}, role="chat_service")
        running.append(chat)
        ui = start("ui-service", tmp_path, {"USER_SERVICE_URL": user[1], "CHAT_SERVICE_URLS": chat[1]})
        running.append(ui)
        yield {"user-service": user, "chat-service": chat, "ui-service": ui}
    finally:
        for process, _, _ in running:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.mark.parametrize("service", ["user-service", "chat-service", "ui-service"])
def test_each_service_runs_in_its_image_as_a_restricted_pod_would(services, service):
    process, url, image = services[service]
    uid, gid = process_ids(process.pid)
    user, group = image["user"].split(":")
    assert uid == {user} and gid == {group}, f"{service} runs as uid {uid} gid {gid}, not the image's USER {image['user']}"
    assert user != "0"
    assert root_is_read_only(process.pid), f"{service}'s root file system is writable"
    health = requests.get(f"{url}/healthz", timeout=5)
    assert health.status_code == 200
    assert requests.get(f"{url}/readyz", timeout=5).status_code == 200  # its dependencies answer (TLS to PostgreSQL, Redis)


def test_the_web_front_is_served_from_the_image(services):
    _, url, _ = services["ui-service"]
    page = requests.get(f"{url}/", timeout=5)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page.text)
    styles = re.findall(r'<link[^>]+href="([^"]+\.css)"', page.text)
    assert scripts and styles, page.text[:500]
    for asset in scripts + styles:
        response = requests.get(f"{url}/{asset.lstrip('/')}", timeout=5)
        assert response.status_code == 200 and response.content, asset


def test_an_account_can_be_made_through_the_image(services):
    """The image's libpq speaks TLS to PostgreSQL and its scrypt and signing work: a real registration and a token chat-service accepts."""
    _, user_url, _ = services["user-service"]
    _, chat_url, _ = services["chat-service"]
    name = f"img{int(time.time() * 1000) % 10**9}"
    response = requests.post(f"{user_url}/api/auth/register", timeout=30, json={
        "username": name, "email": f"{name}@example.com", "password": "image-check-password-1", "displayName": "Image check"})
    assert response.status_code == 201, response.text
    token = response.json()["accessToken"]
    rooms = requests.get(f"{chat_url}/api/rooms", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert rooms.status_code == 200 and rooms.json() == {"rooms": []}
