"""Password guessing and sign-up floods meet 429s: failed logins per account
and per client address, registrations per address, a bounded password-hash
queue (503), limits kept in Redis and failing closed when it is down, and the
client address as ui-service passes it on (X-Forwarded-For, believed only from
a trusted proxy)."""
import os
import shutil
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import assert_problem
from stack_processes import ServiceProcess, database_url_file, free_port

# Failed logins are counted over this window: long enough that the failures and the checks
# after them (each a password hash) fit inside it on a busy machine.
WINDOW = 20


def limited_user_service(name, **settings):
    values = dict(
        DATABASE_URL_FILE=database_url_file("user_service"), REDIS_URL=os.environ["MICROCHAT_TEST_REDIS_URL"],
        TRUSTED_PROXIES="127.0.0.1/32", LOGIN_FAILURES_PER_ACCOUNT=4, LOGIN_FAILURES_PER_ADDRESS=6,
        LOGIN_FAILURE_WINDOW_SECONDS=WINDOW, REGISTRATIONS_PER_ADDRESS=3, REGISTRATION_WINDOW_SECONDS=600,
        PASSWORD_HASH_QUEUE_LIMIT=64)
    port = free_port()
    values["ISSUER_URL"] = f"http://127.0.0.1:{port}"
    values.update(settings)
    return ServiceProcess("user-service", name, port=port, **values)


@pytest.fixture(scope="module")
def limited():
    service = limited_user_service("user-service-limits")
    yield service.base
    service.stop()


def forget_counts(client):
    """Clears what earlier tests counted against `client` (the suite shares one Redis and one 127.0.0.1)."""
    cli = shutil.which("redis-cli") or os.path.join(os.path.dirname(os.environ.get("MICROCHAT_TEST_REDIS_SERVER", "")), "redis-cli")
    auth = dict(os.environ, REDISCLI_AUTH=os.environ.get("MICROCHAT_TEST_REDIS_PASSWORD", ""))
    for kind in ("registrations", "login-failures"):
        done = subprocess.run([cli, "--tls", "--cacert", os.environ["MICROCHAT_TEST_CA"], "-p", os.environ["MICROCHAT_TEST_REDIS_PORT"],
                               "DEL", f"ratelimit:{kind}:address:{client}"],
                              check=True, capture_output=True, text=True, env=auth)
        assert done.stdout.strip() in ("0", "1"), done.stdout + done.stderr


def address():
    """A documentation-range address no other test uses."""
    n = uuid.uuid4().int
    return f"198.{18 + n % 2}.{n >> 8 & 255}.{n >> 16 & 255}"


def register(base, client, name=None):
    name = name or "l" + uuid.uuid4().hex[:10]
    return requests.post(base + "/api/auth/register", timeout=30, headers={"X-Forwarded-For": client},
                         json={"username": name, "email": f"{name}@example.com", "password": "correct-horse-9", "displayName": name})


def login(base, client, name, password):
    return requests.post(base + "/api/auth/login", json={"login": name, "password": password}, timeout=30,
                         headers={"X-Forwarded-For": client})


def assert_limited(response, code):
    """Checks a 429 and returns the seconds its Retry-After asks for."""
    assert_problem(response, 429, code)
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 600
    return retry_after


def test_failed_logins_per_account_lock_even_the_right_password(limited):
    r = register(limited, address())
    assert r.status_code == 201, r.text
    name = r.json()["user"]["username"]
    for _ in range(4):  # from a new address each time: only the account's count can stop them
        assert_problem(login(limited, address(), name, "wrong-password-1"), 401, "invalid_credentials")
    assert_limited(login(limited, address(), name, "correct-horse-9"), "too_many_login_attempts")
    # The login is counted case-folded; other accounts are untouched.
    retry_after = assert_limited(login(limited, address(), name.upper(), "correct-horse-9"), "too_many_login_attempts")
    told_at = time.monotonic()
    assert retry_after <= WINDOW
    other = register(limited, address()).json()["user"]["username"]
    assert login(limited, address(), other, "correct-horse-9").status_code == 200
    # Once the window passes (as long as the last refusal said), the right password works again.
    time.sleep(max(0.0, told_at + retry_after + 1 - time.monotonic()))
    assert login(limited, address(), name, "correct-horse-9").status_code == 200


def test_failed_logins_per_address(limited):
    guesser, bystander = address(), address()
    victim = register(limited, bystander).json()["user"]["username"]
    for attempt in range(6):  # a different (even unknown) account each time: only the address's count stops them
        assert_problem(login(limited, guesser, f"nobody{attempt}{uuid.uuid4().hex[:6]}", "wrong-password-1"), 401)
    assert_limited(login(limited, guesser, victim, "correct-horse-9"), "too_many_login_attempts")
    assert login(limited, bystander, victim, "correct-horse-9").status_code == 200


def test_parallel_guesses_get_no_more_tries_than_the_limit(limited):
    """Issue 23, item 1: every attempt is counted before its password is hashed, so 40
    guesses sent at once (each from its own address) are not all read against a count
    under the limit: at most 4 are checked, the rest are 429."""
    name = register(limited, address()).json()["user"]["username"]
    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(lambda n: login(limited, address(), name, f"wrong-guess-{n}"), range(40)))
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 4, f"{statuses.count(401)} guesses were checked, the limit is 4"
    assert_limited(login(limited, address(), name, "correct-horse-9"), "too_many_login_attempts")


def test_parallel_guesses_from_one_address_get_no_more_than_its_limit(limited):
    guesser = address()
    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(lambda n: login(limited, guesser, f"nobody{n}{uuid.uuid4().hex[:6]}", "wrong-password-1"), range(40)))
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 6, f"{statuses.count(401)} guesses from one address were checked, the limit is 6"


def test_a_username_and_its_email_share_one_count(limited):
    r = register(limited, address())
    user = r.json()["user"]
    for login_name in (user["username"], user["username"].upper(), f"{user['username']}@example.com", f"{user['username']}@EXAMPLE.com"):
        assert_problem(login(limited, address(), login_name, "wrong-password-1"), 401, "invalid_credentials")
    assert_limited(login(limited, address(), f"{user['username']}@example.com", "correct-horse-9"), "too_many_login_attempts")
    assert_limited(login(limited, address(), user["username"], "correct-horse-9"), "too_many_login_attempts")


def test_a_right_password_does_not_use_up_the_address(limited):
    client = address()
    r = register(limited, client)
    name = r.json()["user"]["username"]
    for _ in range(8):  # more than the address's 6: successes are not failures
        assert login(limited, client, name, "correct-horse-9").status_code == 200


def test_an_ipv6_client_rotating_inside_its_64_is_one_client(limited):
    """Issue 23, item 5: per-address limits count an IPv6 client by its /64, so
    rotating addresses inside it buys no new registrations or guesses."""
    network = "2001:db8:%x:%x" % (uuid.uuid4().int & 0xFFFF, uuid.uuid4().int & 0xFFFF)
    rotating = [f"{network}:{uuid.uuid4().int & 0xFFFF:x}::{n + 1:x}" for n in range(5)]
    answers = [register(limited, client).status_code for client in rotating]
    assert answers[:3] == [201, 201, 201] and answers[3:] == [429, 429], answers
    # The next /64 is someone else.
    neighbour = network.rsplit(":", 1)[0] + ":%x" % ((int(network.rsplit(":", 1)[1], 16) + 1) & 0xFFFF)
    assert register(limited, f"{neighbour}::1").status_code == 201
    guesser = [f"{network}:{n:x}::1" for n in range(1, 9)]
    statuses = [login(limited, client, f"nobody{uuid.uuid4().hex[:8]}", "wrong-password-1").status_code for client in guesser]
    assert statuses[:6] == [401] * 6 and statuses[6:] == [429, 429], statuses


def test_registrations_per_address(limited):
    client = address()
    for _ in range(3):
        assert register(limited, client).status_code == 201
    assert_limited(register(limited, client), "too_many_registrations")
    assert register(limited, address()).status_code == 201


def test_forwarded_for_is_believed_only_from_trusted_proxies(user_url):
    """The suite's user-service trusts loopback; a service trusting no one counts the peer, whatever the header says."""
    service = limited_user_service("user-service-no-proxies", TRUSTED_PROXIES="none", REGISTRATIONS_PER_ADDRESS=2)
    forget_counts("127.0.0.1")
    try:
        assert register(service.base, address()).status_code == 201
        assert register(service.base, address()).status_code == 201
        assert_limited(register(service.base, address()), "too_many_registrations")
    finally:
        service.stop()


def test_ui_service_passes_the_client_address_on(chat_urls):
    """Through ui-service (which trusts no proxy), a forged X-Forwarded-For changes nothing: every guess counts against 127.0.0.1."""
    users = limited_user_service("user-service-behind-ui", LOGIN_FAILURES_PER_ADDRESS=3, LOGIN_FAILURES_PER_ACCOUNT=100)
    ui = ServiceProcess("ui-service", "ui-service-limits", USER_SERVICE_URL=users.base, CHAT_SERVICE_URLS=chat_urls[0],
                        TRUSTED_PROXIES="none")
    forget_counts("127.0.0.1")
    try:
        name = register(users.base, address()).json()["user"]["username"]
        for _ in range(3):
            assert_problem(login(ui.base, address(), name, "wrong-password-1"), 401, "invalid_credentials")
        assert_limited(login(ui.base, address(), name, "correct-horse-9"), "too_many_login_attempts")
        # Straight to user-service from another address, the same account is fine: the count was the address's.
        assert login(users.base, address(), name, "correct-horse-9").status_code == 200
    finally:
        ui.stop()
        users.stop()


def test_the_password_hash_queue_is_bounded():
    service = limited_user_service("user-service-small-queue", PASSWORD_HASH_QUEUE_LIMIT=1, REGISTRATIONS_PER_ADDRESS=1000)
    try:
        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(lambda _: register(service.base, address()), range(12)))
        statuses = sorted(r.status_code for r in answers)
        assert set(statuses) <= {201, 503}, statuses
        assert 201 in statuses and 503 in statuses, statuses
        busy = next(r for r in answers if r.status_code == 503)
        assert_problem(busy, 503, "busy")
        assert int(busy.headers["Retry-After"]) >= 1
        # Nothing was lost: each 201 is an account that signs in, each 503 left none behind.
        for r in answers:
            if r.status_code == 201:
                assert login(service.base, address(), r.json()["user"]["username"], "correct-horse-9").status_code == 200
    finally:
        service.stop()


def test_without_redis_logins_fail_closed_and_reads_stay_open(api, user):
    dead_redis = f"redis://127.0.0.1:{free_port()}"
    # It signs as the suite's issuer (same keys, same database), so the suite's tokens are its own.
    service = limited_user_service("user-service-no-redis", REDIS_URL=dead_redis, ISSUER_URL=api.base)
    try:
        r = login(service.base, address(), user["user"]["username"], "correct-horse-9")
        assert_problem(r, 503, "rate_limit_unavailable")
        assert int(r.headers["Retry-After"]) >= 1
        assert_problem(register(service.base, address()), 503, "rate_limit_unavailable")
        # Reads do not depend on Redis.
        me = requests.get(service.base + "/api/users/me", headers={"Authorization": "Bearer " + user["accessToken"]}, timeout=10)
        assert me.status_code == 200 and me.json()["id"] == user["user"]["id"]
    finally:
        service.stop()


def test_made_up_logins_cannot_starve_real_ones():
    """Logins naming no account each cost a hash (so they answer as slowly as a wrong
    password); a flood of them gets only its share of the hash queue — past it they wait
    a hash's time without hashing and still answer 401, so a 503 tells nothing about who
    is registered — while real sign-ins, one after another throughout the flood, all get
    through."""
    service = limited_user_service("user-service-unknown-budget", PASSWORD_HASH_QUEUE_LIMIT=8, UNKNOWN_LOGIN_HASH_LIMIT=2,
                                   LOGIN_FAILURES_PER_ADDRESS=1_000_000, LOGIN_FAILURES_PER_ACCOUNT=1_000_000)
    try:
        made = register(service.base, address())
        assert made.status_code == 201, made.text
        name = made.json()["user"]["username"]
        flooding = True
        flood_answers = []

        def flood():
            while flooding:
                flood_answers.append(login(service.base, address(), "nobody-" + uuid.uuid4().hex[:12], "guess-123456"))

        real = []
        with ThreadPoolExecutor(16) as pool:
            workers = [pool.submit(flood) for _ in range(14)]
            try:
                # Wait until the flood is really under way, then sign in meanwhile.
                deadline = time.monotonic() + 120
                while len(flood_answers) < 28:
                    assert time.monotonic() < deadline, len(flood_answers)
                    time.sleep(0.05)
                for _ in range(5):
                    real.append(login(service.base, address(), name, "correct-horse-9"))
            finally:
                flooding = False
                for worker in workers:
                    worker.result()
        assert [r.status_code for r in real] == [200] * 5, [(r.status_code, r.text[:120]) for r in real]
        assert {r.status_code for r in flood_answers} == {401}, sorted({(r.status_code, r.text[:80]) for r in flood_answers})
        assert_problem(flood_answers[-1], 401, "invalid_credentials")
    finally:
        service.stop()
