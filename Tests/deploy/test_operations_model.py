"""Day two, modelled where it happens: the pipeline's rules as GitLab evaluates
them (which jobs a push and a schedule start, which configuration Ansible reads
in GitLab's world-writable clone), a second Ansible run (what would report a
change again), certificates that expire (Redis's re-read by a real
redis-server, kubeadm's renewed by the script the timer runs, against fakes of
kubeadm, crictl and the kubelet), the default host's certificate issuer and the
credentials ArgoCD clones with."""
import base64
import datetime
import json
import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import time

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import ROOT, merge_values, render, tool

ANSIBLE = ROOT / "ansible"
TERRAFORM = ROOT / "terraform"
PIPELINE = ROOT / ".gitlab-ci.yml"
CONTROL_PLANE = ANSIBLE / "roles/control-plane"
RENEWAL_SCRIPT = CONTROL_PLANE / "files/kubeadm-renew-certificates"


def run(args, cwd=ROOT, env=None, timeout=300, **kwargs):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, **kwargs)


# ================================================================ GitLab's rules, evaluated

_TOKEN = re.compile(r"""\s*(?:(?P<var>\$\{?\w+\}?)|"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<re>/(?:[^/\\]|\\.)*/[im]*)"""
                    r"""|(?P<op>==|!=|=~|!~|&&|\|\||\(|\))|(?P<null>null))""")


def _tokens(expression):
    tokens, at = [], 0
    expression = expression.strip()
    while at < len(expression):
        match = _TOKEN.match(expression, at)
        assert match and match.end() > at, f"cannot read the rule {expression!r} at {expression[at:]!r}"
        at = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        tokens.append((kind, value))
    return tokens


def rule_matches(expression, env):
    """GitLab's `rules:if` for what the pipeline uses: $VAR, "strings", /regex/,
    null, ==, !=, =~, !~, &&, ||, parentheses; an unset variable is null."""
    tokens = _tokens(expression)
    position = [0]

    def peek():
        return tokens[position[0]] if position[0] < len(tokens) else (None, None)

    def take():
        token = peek()
        position[0] += 1
        return token

    def operand():
        kind, value = take()
        if kind == "op" and value == "(":
            result = either()
            assert take() == ("op", ")"), expression
            return ("value", result)
        if kind == "var":
            return ("value", env.get(value.strip("${}")))
        if kind in ("dq", "sq"):
            return ("value", value)
        if kind == "re":
            return ("regex", value)
        if kind == "null":
            return ("value", None)
        raise AssertionError(f"unexpected {value!r} in {expression!r}")

    def comparison():
        left = operand()
        kind, value = peek()
        if kind == "op" and value in ("==", "!=", "=~", "!~"):
            take()
            right = operand()
            if value in ("==", "!="):
                equal = left[1] == right[1]
                return equal if value == "==" else not equal
            body, flags = right[1].rsplit("/", 1)
            found = left[1] is not None and re.search(body[1:], left[1], re.I if "i" in flags else 0) is not None
            return found if value == "=~" else not found
        return bool(left[1])

    def both():
        result = comparison()
        while peek() == ("op", "&&"):
            take()
            result = comparison() and result
        return result

    def either():
        result = both()
        while peek() == ("op", "||"):
            take()
            result = both() or result
        return result

    result = either()
    assert position[0] == len(tokens), f"unread rest of {expression!r}"
    return result


_KEYWORDS = {"default", "variables", "workflow", "stages", "include", "image", "services", "cache", "before_script", "after_script"}


def pipeline_jobs():
    """Every job with its `extends` resolved the way GitLab does (hashes merge deeply, the rest replaces)."""
    pipeline = yaml.safe_load(PIPELINE.read_text())
    raw = {name: job for name, job in pipeline.items() if name not in _KEYWORDS and isinstance(job, dict)}

    def resolve(name):
        job = raw[name]
        parents = job.get("extends") or []
        merged = {}
        for parent in [parents] if isinstance(parents, str) else parents:
            merged = merge_values(merged, resolve(parent))
        return merge_values(merged, {k: v for k, v in job.items() if k != "extends"})

    return pipeline, {name: resolve(name) for name in raw if not name.startswith(".")}


def started_jobs(env):
    """The jobs a pipeline with these predefined variables contains (GitLab's first matching rule decides)."""
    pipeline, jobs = pipeline_jobs()
    workflow = pipeline.get("workflow", {}).get("rules")
    if workflow and not any(rule_matches(r["if"], env) if "if" in r else True for r in workflow if r.get("when") != "never"):
        return {}
    started = {}
    for name, job in jobs.items():
        when = job.get("when", "on_success")
        if "rules" in job:
            when = "never"
            for rule in job["rules"]:
                if "if" not in rule or rule_matches(rule["if"], env):
                    when = rule.get("when", "on_success")
                    break
        if when != "never":
            started[name] = dict(job, when=when)
    return started


PUSH_TO_MAIN = {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main",
                "CI_COMMIT_MESSAGE": "Fix a thing", "CI_PROJECT_DIR": "/builds/team/microchat"}
SCHEDULE_ON_MAIN = dict(PUSH_TO_MAIN, CI_PIPELINE_SOURCE="schedule", CI_COMMIT_MESSAGE="Fix a thing")
MERGE_REQUEST = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_DEFAULT_BRANCH": "main", "CI_MERGE_REQUEST_IID": "7",
                 "CI_COMMIT_MESSAGE": "Try a thing", "CI_PROJECT_DIR": "/builds/team/microchat"}


def test_the_rules_model_reads_gitlab_expressions_as_gitlab_does():
    env = {"CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main", "CI_COMMIT_MESSAGE": "[deploy] images"}
    assert rule_matches('$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', env)
    assert not rule_matches('$CI_COMMIT_TAG', env)
    assert rule_matches('$CI_COMMIT_TAG == null', env)
    assert not rule_matches(r'$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_COMMIT_MESSAGE !~ /\[deploy\]/', env)
    assert rule_matches('$CI_PIPELINE_SOURCE == "schedule" || ($CI_COMMIT_BRANCH == "main" && $X != "1")', env)


def _job_text(job):
    return "\n".join(str(line) for key in ("before_script", "script") for line in job.get(key) or [])


def _expand(value, env):
    return re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), m.group(0)), value)


def test_every_pipeline_job_running_ansible_names_the_repositorys_ansible_cfg():
    """GitLab's Docker executor clones world-writable, and Ansible then ignores
    ansible/ansible.cfg (roles path, SSH options) unless ANSIBLE_CONFIG names it."""
    pipeline, jobs = pipeline_jobs()
    runs_ansible = {name: job for name, job in jobs.items()
                    if re.search(r"(^|[\s;&|(])ansible(-playbook|-lint|-inventory|-config|-galaxy)?(\s|$)", _job_text(job), re.M)}
    assert {"lint:ansible", "configure"} <= set(runs_ansible)
    for name, job in runs_ansible.items():
        variables = merge_values(pipeline.get("variables") or {}, job.get("variables") or {})
        config = variables.get("ANSIBLE_CONFIG")
        assert config, f"{name} runs Ansible without ANSIBLE_CONFIG: in GitLab's world-writable clone ansible.cfg is ignored"
        assert _expand(config, PUSH_TO_MAIN) == PUSH_TO_MAIN["CI_PROJECT_DIR"] + "/ansible/ansible.cfg", f"{name}: {config}"
    assert re.search(r'ANSIBLE_CONFIG="\$ANSIBLE_DIR/ansible.cfg"', (ROOT / "scripts/cloud").read_text()), \
        "just configure should name the configuration too (a clone in a world-writable folder)"


def test_ansible_reads_the_named_cfg_in_a_world_writable_clone(tmp_path):
    """What the pipeline variable buys, shown with Ansible itself: a copy of
    ansible/ in a mode-777 folder (as GitLab's Docker executor leaves it)."""
    clone = tmp_path / "builds"
    shutil.copytree(ANSIBLE, clone / "ansible")
    for folder in (clone, clone / "ansible"):
        folder.chmod(0o777)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["HOME"] = str(tmp_path)

    def roles_path(extra):
        result = run([tool("ansible-config"), "dump", "--only-changed"], cwd=clone / "ansible", env=dict(env, **extra))
        assert result.returncode == 0, result.stderr
        line = next((l for l in result.stdout.splitlines() if l.startswith("DEFAULT_ROLES_PATH")), "")
        return line, result.stderr

    ignored, warning = roles_path({})
    assert str(clone / "ansible/roles") not in ignored and "world writable" in warning.replace("-", " ")
    _, jobs = pipeline_jobs()
    pipeline = yaml.safe_load(PIPELINE.read_text())
    config = _expand((pipeline.get("variables") or {}).get("ANSIBLE_CONFIG", ""), {"CI_PROJECT_DIR": str(clone)})
    named, _ = roles_path({"ANSIBLE_CONFIG": config} if config else {})
    assert str(clone / "ansible/roles") in named, f"with the pipeline's ANSIBLE_CONFIG ({config!r}) Ansible still ignores ansible.cfg"


# Besides the renewal, the weekly schedule runs the restore drill (README, "The restore drill").
SCHEDULED_CHECKS = {"test:restore-drill"}


def test_a_schedule_renews_the_redis_certificate_and_starts_nothing_else():
    scheduled = started_jobs(SCHEDULE_ON_MAIN)
    renewal = [name for name, job in scheduled.items() if "apply" in _job_text(job) and "redis_tls" in _job_text(job)]
    assert renewal, "no scheduled job applies Terraform to renew the Redis certificate (it is renewed only by hand)"
    others = set(scheduled) - set(renewal)
    assert others <= SCHEDULED_CHECKS, f"a scheduled pipeline would also start {sorted(others - SCHEDULED_CHECKS)}"
    for name in others:  # the drill changes no infrastructure: it starts its own stack on the runner
        assert "terraform" not in _job_text(scheduled[name]) and "ansible" not in _job_text(scheduled[name])
    job = scheduled[renewal[0]]
    assert job["when"] == "on_success", "the renewal must run unattended, not wait for a person"
    text = _job_text(job)
    assert re.search(r"terraform\b.*\bapply\b.*-auto-approve", text.replace("\n", " "))
    # Only the certificate's chain up to Secret Manager: an unattended run must not apply anything else.
    assert "-target=google_secret_manager_secret_version.redis_tls" in text
    pushed = started_jobs(PUSH_TO_MAIN)
    assert renewal[0] not in pushed and renewal[0] not in started_jobs(MERGE_REQUEST)
    # It needs what provision needs to plan (the same variables and state bucket).
    provision = pipeline_jobs()[1]["provision"]
    assert set(provision.get("variables", {})) <= set(job.get("variables", {}))
    assert "backend-config" in text and job.get("resource_group") == provision.get("resource_group")
    # In every kind of pipeline, whatever a job needs is in that pipeline (GitLab refuses it otherwise).
    for env in (PUSH_TO_MAIN, SCHEDULE_ON_MAIN, MERGE_REQUEST):
        started = started_jobs(env)
        for name, job in started.items():
            for need in job.get("needs", []):
                need = need["job"] if isinstance(need, dict) else need
                assert need in started, f"{env['CI_PIPELINE_SOURCE']}: {name} needs {need}, which that pipeline lacks"


def test_terraform_renews_the_redis_certificate_early_and_publishes_it():
    text = (TERRAFORM / "redis-tls.tf").read_text()
    cert = re.search(r'resource "tls_locally_signed_cert" "redis" \{(.*?)\n\}', text, re.S).group(1)
    validity = eval(re.search(r"validity_period_hours\s*=\s*([\d *]+)", cert).group(1))  # noqa: S307 - digits and * only
    early = eval(re.search(r"early_renewal_hours\s*=\s*([\d *]+)", cert).group(1))  # noqa: S307
    # A weekly schedule gets at least two tries inside the window.
    assert 24 * 14 <= early < validity
    assert re.search(r'"redis-tls-cert"\s*=\s*tls_locally_signed_cert\.redis\.cert_pem', text)
    version = re.search(r'resource "google_secret_manager_secret_version" "redis_tls" \{(.*?)\n\}', text, re.S).group(1)
    # The new version exists before the old one is destroyed: External Secrets never reads a gap.
    assert re.search(r"create_before_destroy\s*=\s*true", version)


# ================================================================ Redis re-reads its renewed certificate

def _redis_parts():
    objects = render("k8s-manifests/platform/redis")
    deployment = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "redis")
    config = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "redis")
    secrets = [o for o in objects if o["kind"] == "ExternalSecret" and o["spec"]["target"]["name"] == "redis-tls"]
    return deployment["spec"]["template"]["spec"], config["data"], secrets


def _reloads_tls(script):
    return re.search(r"CONFIG SET[\s\\]+tls-cert-file", script) is not None and "tls-key-file" in script


def _duration_seconds(text):
    return sum(int(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in re.findall(r"(\d+)([hms])", text))


def test_redis_has_a_reload_loop_for_renewed_tls_files():
    pod, data, external_secrets = _redis_parts()
    conf = data["redis.conf"]
    cert_file = re.search(r"^tls-cert-file (\S+)", conf, re.M).group(1)
    tls_dir = os.path.dirname(cert_file)
    tls_volume = next(v["name"] for v in pod["volumes"] if v.get("secret", {}).get("secretName") == "redis-tls")
    for container in pod["containers"]:
        version = re.search(r":(\d+)\.(\d+)\.(\d+)", container["image"])
        # Redis re-reads TLS files set again to the same path only from 7.0.1 (VOLATILE_CONFIG).
        assert version and tuple(map(int, version.groups())) >= (7, 0, 1), container["image"]
    watchers = []
    for container in pod["containers"]:
        mounts = [m for m in container.get("volumeMounts", []) if m["name"] == tls_volume]
        # A subPath mount is never updated by the kubelet: the renewed files would not arrive.
        assert all("subPath" not in m for m in mounts), f"{container['name']} mounts the key pair with subPath"
        command = " ".join(container.get("command", []) + container.get("args", []))
        script = next((key for key in data if key.endswith(".sh") and key in command and _reloads_tls(data[key])), None)
        if mounts and script and mounts[0]["mountPath"] == tls_dir:
            watchers.append((container, data[script]))
    assert watchers, ("nothing in the Redis pod loads renewed TLS files: Redis reads them only at start, so a certificate "
                      "renewed in Secret Manager would reach the Secret and the volume but never Redis")
    container, script = watchers[0]
    assert _reloads_tls(script)
    assert any(e["name"] == "REDISCLI_AUTH" for e in container.get("env", []))
    assert external_secrets and 0 < _duration_seconds(external_secrets[0]["spec"]["refreshInterval"]) <= 24 * 3600


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _pem(obj):
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _certificate(name, key, issuer_name=None, issuer_key=None, days=365, ca=False, not_before=None):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = not_before or datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name or subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(start)
               .not_valid_after(start + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName("redis.platform.svc"), x509.DNSName("localhost")]),
                                        critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def _atomic_writer(folder, files, generation):
    """The kubelet's way of updating a Secret volume: a new timestamped folder, then one rename of ..data."""
    target = folder / f"..{generation}"
    target.mkdir()
    for name, content in files.items():
        (target / name).write_bytes(content)
    link = folder / "..data_tmp"
    link.symlink_to(target.name)
    os.replace(link, folder / "..data")
    for name in files:
        if not (folder / name).is_symlink():
            (folder / name).symlink_to(f"..data/{name}")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _served_certificate(port):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=2) as raw, context.wrap_socket(raw) as tls:
        return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


def test_redis_serves_a_renewed_certificate_without_a_restart(tmp_path):
    """The pod's reload script against a real redis-server: the key pair changes
    on disk the way the kubelet changes a Secret volume, and Redis serves the
    new certificate on new connections while it keeps running."""
    pod, data, _ = _redis_parts()
    conf = data["redis.conf"]
    tls_dir = os.path.dirname(re.search(r"^tls-cert-file (\S+)", conf, re.M).group(1))
    scripts = [key for key in data if key.endswith(".sh") and _reloads_tls(data[key])]
    assert scripts, "the Redis ConfigMap has no TLS reload script"
    script = tmp_path / scripts[0]
    script.write_text(data[scripts[0]].replace(tls_dir, str(tmp_path / "tls")))
    ca_key = _key()
    ca = _certificate("MicroChat Redis CA", ca_key, days=1825, ca=True)
    keys = [_key(), _key()]
    certs = [_certificate("redis.platform.svc.cluster.local", k, ca.subject, ca_key, days=365) for k in keys]
    folder = tmp_path / "tls"
    folder.mkdir()
    _atomic_writer(folder, {"tls.crt": _pem(certs[0]), "tls.key": _pem(keys[0]), "ca.crt": _pem(ca)}, "2025_01_01")
    port = _free_port()
    password = "reload-test-password"
    (tmp_path / "redis.conf").write_text(
        f"port 0\ntls-port {port}\nbind 127.0.0.1\nsave \"\"\nappendonly no\ndir {tmp_path}\nrequirepass {password}\n"
        f"tls-cert-file {folder}/tls.crt\ntls-key-file {folder}/tls.key\ntls-ca-cert-file {folder}/ca.crt\ntls-auth-clients no\n")
    server = subprocess.Popen([tool("redis-server"), str(tmp_path / "redis.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = dict(os.environ, REDISCLI_AUTH=password, REDIS_PORT=str(port), CHECK_SECONDS="1",
               PATH=f"{os.path.dirname(tool('redis-cli'))}:{os.environ['PATH']}")
    watcher = None
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                assert _served_certificate(port).serial_number == certs[0].serial_number
                break
            except (OSError, ssl.SSLError):
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)
        watcher = subprocess.Popen(["sh", str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(2)
        _atomic_writer(folder, {"tls.crt": _pem(certs[1]), "tls.key": _pem(keys[1]), "ca.crt": _pem(ca)}, "2026_01_01")
        deadline = time.monotonic() + 20
        while _served_certificate(port).serial_number != certs[1].serial_number:
            assert watcher.poll() is None, f"the reload script stopped: {watcher.stdout.read()}"
            assert time.monotonic() < deadline, "Redis still serves the old certificate 20 s after the files changed"
            time.sleep(0.2)
        assert server.poll() is None, "Redis was restarted, not reloaded"
        check = run([tool("redis-cli"), "--tls", "--cacert", str(folder / "ca.crt"), "-p", str(port), "ping"],
                    env=dict(os.environ, REDISCLI_AUTH=password))
        assert check.stdout.strip() == "PONG", check.stdout + check.stderr
        # As its container's PID 1 it must leave on SIGTERM, or every Redis restart waits out the grace period.
        watcher.terminate()
        try:
            watcher.wait(timeout=3)
        except subprocess.TimeoutExpired:
            pytest.fail("the reload script ignores SIGTERM: the pod would wait out terminationGracePeriodSeconds")
    finally:
        for process in (watcher, server):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)


# ================================================================ kubeadm's certificates

def _role_tasks(role, kind="tasks"):
    file = ANSIBLE / "roles" / role / kind / "main.yml"
    return (yaml.safe_load(file.read_text()) or []) if file.is_file() else []


def _module(task):
    for key, value in task.items():
        if key.startswith("ansible.builtin.") or key in ("command", "shell", "copy", "template", "get_url"):
            return key.removeprefix("ansible.builtin."), value if isinstance(value, dict) else {"_raw": value}
    return None, {}


def test_control_plane_certificates_renew_on_a_timer():
    tasks = _role_tasks("control-plane")
    installed = [args["dest"] for task in tasks for module, args in [_module(task)]
                 if module == "copy" and args.get("src") == RENEWAL_SCRIPT.name]
    assert installed and RENEWAL_SCRIPT.is_file(), ("nothing renews kubeadm's control-plane certificates: they end after a year "
                                                  "and only `kubeadm upgrade` renews them")
    units = {}
    for task in tasks:
        module, args = _module(task)
        if module == "template" and str(args.get("dest", "")).startswith("/etc/systemd/system/"):
            items = task.get("loop") or [None]
            for item in items:
                src = args["src"].replace("{{ item }}", str(item))
                dest = args["dest"].replace("{{ item }}", str(item))
                text = (CONTROL_PLANE / "templates" / src).read_text()
                for name in _variables(text, _defaults()):
                    text = text.replace("{{ " + name + " }}", str(_defaults()[name]))
                units[os.path.basename(dest)] = text
    timers = {name: text for name, text in units.items() if name.endswith(".timer")}
    assert timers, "no systemd timer"
    timer_name, timer = next(iter(timers.items()))
    service = units[timer_name.replace(".timer", ".service")]
    assert re.search(r"^ExecStart=" + re.escape(installed[0]) + r"\s*$", service, re.M)
    assert re.search(r"^OnCalendar=(daily|weekly)\s*$", timer, re.M) and re.search(r"^Persistent=true\s*$", timer, re.M)
    days = int(re.search(r"^Environment=RENEW_BEFORE_DAYS=(\d+)", service, re.M).group(1))
    assert days >= 14, "a window that a weekly timer could miss"
    assert "/home/{{ ansible_user }}/.kube/config" in re.search(r"^Environment=.*KUBECONFIG_COPIES=(.*)$", service, re.M).group(1)
    started = [args for task in tasks for module, args in [_module(task)] if module in ("systemd_service", "systemd")
               and args.get("name") == timer_name]
    assert started and started[0].get("enabled") is True and started[0].get("state") == "started"
    kubelet = [d for d in yaml.safe_load_all(re.sub(r"\{\{.*?\}\}", "x", (CONTROL_PLANE / "templates/kubeadm-config.yaml.j2").read_text()))
               if d and d.get("kind") == "KubeletConfiguration"][0]
    assert kubelet.get("rotateCertificates") is True, "the kubelet's client certificate must rotate itself"


COMPONENTS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]
LEAVES = ["pki/apiserver.crt", "pki/apiserver-kubelet-client.crt", "pki/apiserver-etcd-client.crt", "pki/front-proxy-client.crt",
          "pki/etcd/server.crt", "pki/etcd/peer.crt", "pki/etcd/healthcheck-client.crt"]
KUBECONFIGS = ["admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf"]


def _control_plane_node(root, days_left):
    """/etc/kubernetes as kubeadm leaves it, with leaf certificates that end in `days_left` days."""
    ca_key = _key()
    ca = _certificate("kubernetes", ca_key, days=3650, ca=True)
    (root / "pki/etcd").mkdir(parents=True)
    (root / "manifests").mkdir()
    (root / "pki/ca.crt").write_bytes(_pem(ca))
    (root / "pki/etcd/ca.crt").write_bytes(_pem(ca))
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=365 - days_left)
    for leaf in LEAVES:
        (root / leaf).write_bytes(_pem(_certificate(leaf, _key(), ca.subject, ca_key, days=365, not_before=start)))
    for conf in KUBECONFIGS:
        client = base64.b64encode(_pem(_certificate(conf, _key(), ca.subject, ca_key, days=365, not_before=start))).decode()
        (root / conf).write_text(f"apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-certificate-data: {client}\n"
                                 f"    client-key-data: a2V5\n")
    for component in COMPONENTS:
        (root / "manifests" / f"{component}.yaml").write_text(f"kind: Pod\nmetadata:\n  name: {component}\n")
    return ca, ca_key


_FAKE_KUBEADM = r"""#!/usr/bin/env python3
# `kubeadm certs renew all`: new leaf certificates (a year) signed by the same CA.
import base64, datetime, os, pathlib, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
root = pathlib.Path(os.environ["KUBERNETES_DIR"])
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write("kubeadm " + " ".join(sys.argv[1:]) + "\n")
if sys.argv[1:] != ["certs", "renew", "all"]:
    sys.exit(3)
ca_key = serialization.load_pem_private_key(pathlib.Path(os.environ["FAKE_CA_KEY"]).read_bytes(), None)
ca = x509.load_pem_x509_certificate((root / "pki/ca.crt").read_bytes())
def leaf(name):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=365))
            .sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
for name in LEAVES:
    (root / name).write_bytes(leaf(name))
for conf in KUBECONFIGS:
    data = base64.b64encode(leaf(conf)).decode()
    (root / conf).write_text("apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-certificate-data: " + data + "\n")
"""

# crictl as the kubelet makes it look: a static pod's container runs while its
# manifest is in the manifests folder (unless FAKE_STUCK names it: it never stops).
_FAKE_CRICTL = r"""#!/bin/sh
echo "crictl $*" >> "$FAKE_LOG"
name=""
while [ $# -gt 0 ]; do
  case "$1" in --name) name=$2; shift ;; --name=*) name=${1#--name=} ;; esac
  shift
done
name=$(printf '%s' "$name" | sed 's/^\^//; s/\$$//')
if [ -f "$KUBERNETES_DIR/manifests/$name.yaml" ] || [ "$name" = "${FAKE_STUCK:-}" ]; then
  printf '%s\n' "$(printf '%s' "$name" | cksum | cut -d' ' -f1)"
fi
"""

_FAKE_KUBECTL = """#!/bin/sh
echo "kubectl $*" >> "$FAKE_LOG"
echo ok
"""


def _run_renewal(tmp_path, days_left, *args, extra_env=None):
    root = tmp_path / "etc-kubernetes"
    ca, ca_key = _control_plane_node(root, days_left)
    (tmp_path / "ca.key").write_bytes(_pem(ca_key))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = sys.executable  # the tools' Python: it has cryptography for the fake kubeadm
    (bin_dir / "kubeadm").write_text(_FAKE_KUBEADM.replace("#!/usr/bin/env python3", f"#!{python}")
                                     .replace("for name in LEAVES", f"for name in {LEAVES!r}")
                                     .replace("for conf in KUBECONFIGS", f"for conf in {KUBECONFIGS!r}"))
    (bin_dir / "crictl").write_text(_FAKE_CRICTL)
    (bin_dir / "kubectl").write_text(_FAKE_KUBECTL)
    for fake in bin_dir.iterdir():
        fake.chmod(0o755)
    copy = tmp_path / "home/ansible/.kube/config"
    copy.parent.mkdir(parents=True)
    copy.write_text("old")
    log = tmp_path / "calls.log"
    log.write_text("")
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", KUBERNETES_DIR=str(root), FAKE_LOG=str(log),
               FAKE_CA_KEY=str(tmp_path / "ca.key"), RENEW_BEFORE_DAYS="30", KUBECONFIG_COPIES=str(copy),
               POLL_SECONDS="0.1", RESTART_TIMEOUT_SECONDS="5", **(extra_env or {}))
    result = run(["bash", str(RENEWAL_SCRIPT), *args], env=env, timeout=120)
    return root, copy, log.read_text().splitlines(), result


def _pauses(calls):
    """Which static pods the script stopped and started again, in order, from crictl's view."""
    return [line for line in calls if line.startswith("crictl")]


def test_the_renewal_script_renews_and_restarts_every_static_pod(tmp_path):
    assert RENEWAL_SCRIPT.is_file(), "no certificate renewal script in the control-plane role"
    root, copy, calls, result = _run_renewal(tmp_path, days_left=10)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kubeadm certs renew all" in calls
    renewed_at = calls.index("kubeadm certs renew all")
    for component in COMPONENTS:
        asked = [i for i, line in enumerate(calls) if line.startswith("crictl") and component in line]
        assert asked and min(asked) > renewed_at, f"{component} was not restarted after the renewal"
        assert (root / "manifests" / f"{component}.yaml").is_file(), f"{component}'s manifest was not put back"
    assert not list((root / "manifests").glob("*.yaml.*")), "stray files in the manifests folder"
    for leaf in LEAVES:
        cert = x509.load_pem_x509_certificate((root / leaf).read_bytes())
        assert cert.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc) > datetime.timedelta(days=300)
    assert copy.read_text() == (root / "admin.conf").read_text(), "the Ansible user's kubeconfig still holds the old certificate"
    assert any(line.startswith("kubectl") and "admin.conf" in line for line in calls), "nothing checked the API server came back"


def test_the_renewal_script_leaves_fresh_certificates_and_running_pods_alone(tmp_path):
    assert RENEWAL_SCRIPT.is_file(), "no certificate renewal script in the control-plane role"
    root, copy, calls, result = _run_renewal(tmp_path, days_left=200)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not any(line.startswith("kubeadm") for line in calls) and not _pauses(calls)
    assert copy.read_text() == "old"


def test_the_renewal_script_puts_a_manifest_back_when_its_pod_will_not_stop(tmp_path):
    assert RENEWAL_SCRIPT.is_file(), "no certificate renewal script in the control-plane role"
    root, _, calls, result = _run_renewal(tmp_path, days_left=3, extra_env={"FAKE_STUCK": "kube-apiserver"})
    assert result.returncode != 0, "a pod that never stopped was reported as restarted"
    for component in COMPONENTS:
        assert (root / "manifests" / f"{component}.yaml").is_file(), f"{component}'s manifest was left out of the manifests folder"


# ================================================================ a second Ansible run

def _all_tasks():
    for file in sorted((ANSIBLE / "roles").rglob("*.yml")):
        if file.parent.name in ("tasks", "handlers"):
            for task in yaml.safe_load(file.read_text()) or []:
                yield file, task


def _defaults():
    values = {}
    for file in (ANSIBLE / "roles").glob("*/defaults/main.yml"):
        values.update(yaml.safe_load(file.read_text()) or {})
    return values


def _variables(text, defaults, seen=None):
    """The variables a templated string depends on, through the roles' defaults."""
    seen = set() if seen is None else seen
    for expression in re.findall(r"\{\{(.*?)\}\}", str(text)):
        for name in re.findall(r"\b([a-z_][a-z0-9_]*)\b", expression):
            if name not in seen and name in defaults:
                seen.add(name)
                _variables(defaults[name], defaults, seen)
    return seen


def test_every_download_is_pinned_by_checksum_or_a_versioned_path():
    """get_url does not fetch again when dest exists, unless a checksum says the
    file is not the pinned one: without either, a changed pin is never fetched."""
    defaults = _defaults()
    problems = []
    for file, task in _all_tasks():
        module, args = _module(task)
        if module == "get_url":
            checksum = str(args.get("checksum", ""))
            for name in _variables(checksum, defaults):
                checksum = checksum.replace("{{ " + name + " }}", str(defaults[name]))
            if re.fullmatch(r"sha(256|384|512):([0-9a-f]{64,128}|https://\S+)", checksum):
                continue
            pins = {n for n in _variables(args.get("url"), defaults) if re.search(r"version|minor", n)}
            if pins & _variables(args.get("dest"), defaults):
                continue
            problems.append(f"{file.parent.parent.name}: {task['name']} (no checksum, and its dest does not change with {sorted(pins)})")
        if module == "unarchive" and re.match(r"https?://", str(args.get("src", ""))):
            problems.append(f"{file.parent.parent.name}: {task['name']} unpacks straight from a URL (no checksum possible)")
    assert not problems, problems


def test_no_task_undoes_another_so_a_second_run_changes_nothing():
    writers, editors = {}, {}
    problems = []
    for file, task in _all_tasks():
        module, args = _module(task)
        path = args.get("dest") or args.get("path")
        if module in ("copy", "template", "fetch", "get_url") and path:
            writers.setdefault(str(path), []).append(task["name"])
        if module in ("replace", "lineinfile", "blockinfile") and path:
            editors.setdefault(str(path), []).append(task["name"])
        if module == "file" and args.get("state") == "touch" and args.get("modification_time") != "preserve":
            problems.append(f"{task['name']}: touch changes every run")
        if module in ("systemd_service", "systemd", "service") and args.get("state") in ("restarted", "reloaded") \
                and file.parent.name != "handlers":
            problems.append(f"{task['name']}: restarts on every run (use a handler)")
    for path in set(writers) & set(editors):
        problems.append(f"{path}: written whole by {writers[path]} and then edited by {editors[path]}, so each run rewrites it twice")
    assert not problems, problems


def test_ansible_writes_the_operators_kubeconfig_once(tmp_path):
    """The control-plane tasks that bring admin.conf to the operator's machine,
    run twice by Ansible against local files: the second run changes nothing."""
    admin = tmp_path / "admin.conf"
    admin.write_text("apiVersion: v1\nclusters:\n- cluster:\n    server: https://10.10.0.2:6443\n  name: kubernetes\nkind: Config\n")
    chosen = []
    for task in _role_tasks("control-plane"):
        text = yaml.safe_dump(task)
        module, args = _module(task)
        if "control_plane_local_kubeconfig" in text or (module in ("fetch", "slurp") and args.get("src") == "/etc/kubernetes/admin.conf"):
            task = yaml.safe_load(text.replace("/etc/kubernetes/admin.conf", str(admin)))
            task.pop("become", None)
            task.pop("no_log", None)
            chosen.append(task)
    assert chosen
    local = tmp_path / "operator/.kube/microchat.conf"
    play = [{"name": "The operator's kubeconfig", "hosts": "localhost", "gather_facts": False, "become": False,
             "vars": {"control_plane_local_kubeconfig": str(local), "api_server_public_ip": "203.0.113.2"}, "tasks": chosen}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ANSIBLE / "ansible.cfg"), ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false")

    def changed():
        result = run([tool("ansible-playbook"), "-i", "localhost,", "-c", "local", str(tmp_path / "play.yml")], cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        return int(re.search(r"changed=(\d+)", result.stdout).group(1)), result.stdout

    first, _ = changed()
    assert first >= 1
    assert "server: https://203.0.113.2:6443" in local.read_text()
    second, output = changed()
    assert second == 0, f"a second run changed {second} things:\n{output[-2500:]}"
    assert stat.S_IMODE(local.stat().st_mode) == 0o600, "an admin kubeconfig readable by others"


# ================================================================ the default host and its certificate

SHARED_DOMAINS = ("sslip.io", "nip.io", "xip.io")  # wildcard DNS that every user shares: one Let's Encrypt limit for all
LETSENCRYPT_PRODUCTION = "https://acme-v02.api.letsencrypt.org/directory"


def _traefik_values():
    return yaml.safe_load((ROOT / "k8s-manifests/infrastructure/traefik/values.yaml").read_text())


def _ca_server(resolver):
    resolvers = _traefik_values().get("certificatesResolvers") or {}
    assert resolver in resolvers, f"the route names resolver {resolver!r}, which Traefik does not have"
    return resolvers[resolver]["acme"].get("caServer", LETSENCRYPT_PRODUCTION)  # Traefik's default CA


def _settings(path):
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))


def _rendered_route(root):
    result = run([tool("kubectl"), "kustomize", str(root / "k8s-manifests/infrastructure/traefik")])
    assert result.returncode == 0, result.stderr
    return next(d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "IngressRoute")


def _terraform_resolver(domain):
    """main.tf's choice of resolver for a `domain` value (a conditional on var.domain)."""
    text = (TERRAFORM / "main.tf").read_text()
    match = re.search(r'^\s*cert_resolver\s*=\s*var\.domain\s*(==|!=)\s*""\s*\?\s*"([\w-]+)"\s*:\s*"([\w-]+)"', text, re.M)
    assert match, "Terraform does not choose the certificate resolver from var.domain (cert_resolver in main.tf's locals)"
    empty = domain == ""
    return match.group(2) if (match.group(1) == "==") == empty else match.group(3)


def test_the_default_host_gets_no_production_certificate_from_a_shared_domain(tmp_path):
    settings = _settings(ROOT / "k8s-manifests/settings/cluster.env")
    route = _rendered_route(ROOT)
    resolver = route["spec"]["tls"]["certResolver"]
    if settings["PUBLIC_HOST"].endswith(SHARED_DOMAINS):
        assert _ca_server(resolver) != LETSENCRYPT_PRODUCTION, (
            f"{settings['PUBLIC_HOST']} asks Let's Encrypt production for a certificate under a domain every "
            f"sslip.io/nip.io user shares: its weekly limit is usually spent")
    # No entry point hands routes a production resolver behind the route's back.
    for name, port in (_traefik_values().get("ports") or {}).items():
        entry = (port.get("tls") or {}).get("certResolver")
        assert not entry or _ca_server(entry) != LETSENCRYPT_PRODUCTION, f"entry point {name} defaults to {entry}"
    # What Terraform writes: the sslip.io default gets a non-production resolver, one's own domain production.
    main = (TERRAFORM / "main.tf").read_text()
    assert re.search(r'public_host\s*=\s*var\.domain != "" \? var\.domain : "microchat\.\$\{.*\}\.sslip\.io"', main)
    assert _ca_server(_terraform_resolver("")) != LETSENCRYPT_PRODUCTION
    assert _ca_server(_terraform_resolver("chat.example.org")) == LETSENCRYPT_PRODUCTION
    assert re.search(r"^\s*CERT_RESOLVER=\$\{local\.cert_resolver\}", (TERRAFORM / "ansible_inventory.tf").read_text(), re.M)
    domain = re.search(r'variable "domain" \{(.*?)\n\}', (TERRAFORM / "variables.tf").read_text(), re.S).group(1)
    assert "validation" in domain and "sslip" in domain and "nip" in domain, \
        "a domain under a shared wildcard DNS name would get a production certificate request"
    # The route follows cluster.env: one's own domain gets Let's Encrypt production.
    for folder in ("k8s-manifests/infrastructure/traefik", "k8s-manifests/settings"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    own = dict(settings, PUBLIC_HOST="chat.example.org", CERT_RESOLVER=_terraform_resolver("chat.example.org"))
    (tmp_path / "k8s-manifests/settings/cluster.env").write_text("".join(f"{k}={v}\n" for k, v in own.items()))
    route = _rendered_route(tmp_path)
    assert _ca_server(route["spec"]["tls"]["certResolver"]) == LETSENCRYPT_PRODUCTION
    assert route["spec"]["tls"]["domains"][0]["main"] == "chat.example.org"


# ================================================================ the credentials ArgoCD clones with

def test_ansible_gives_argocd_the_deploy_tokens_own_username(tmp_path):
    """A GitLab deploy token authenticates only with its own username (gitlab+deploy-token-N), never `oauth2`."""
    template = ANSIBLE / "roles/gitops/templates/repository-secret.yaml.j2"
    assert "oauth2" not in template.read_text(), "the repository Secret falls back to username oauth2, which a deploy token refuses"
    values = {"gitops_argocd_repo_url": "https://gitlab.com/me/x.git", "gitops_argocd_repo_username": "gitlab+deploy-token-4242",
              "gitops_argocd_repo_password": "gldt-secret"}
    (tmp_path / "vars.json").write_text(json.dumps(values))
    out = tmp_path / "secret.yaml"
    result = run([tool("ansible"), "localhost", "-c", "local", "-i", "localhost,", "-m", "ansible.builtin.template",
                  "-a", f"src={template} dest={out}", "-e", f"@{tmp_path / 'vars.json'}"], cwd=ANSIBLE,
                 env=dict(os.environ, ANSIBLE_CONFIG=str(ANSIBLE / "ansible.cfg")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert yaml.safe_load(out.read_text())["stringData"]["username"] == "gitlab+deploy-token-4242"
    # A token without its username is refused before anything reaches the cluster.
    tasks = _role_tasks("gitops")
    refusals = [t for t in tasks if "ansible.builtin.assert" in t
                and any("gitops_argocd_repo_username" in str(c) for c in t["ansible.builtin.assert"]["that"])]
    assert refusals and "gitops_argocd_repo_password" in str(refusals[0].get("when", "")) + str(refusals[0]["ansible.builtin.assert"])
    cloud = (ROOT / "scripts/cloud").read_text()
    assert "MICROCHAT_REPO_USERNAME" in cloud
    check = run(["bash", "-c", f'source "{ROOT}/scripts/cloud"; need_repo_username'],
                env=dict(os.environ, MICROCHAT_REPO_TOKEN="gldt-x", MICROCHAT_REPO_USERNAME=""))
    assert check.returncode == 2 and "deploy token" in check.stderr, check.stderr
    assert "ARGOCD_REPO_USERNAME" in (ROOT / ".gitlab-ci.yml").read_text()
