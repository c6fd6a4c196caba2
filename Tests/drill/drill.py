"""The API side of `./microchat drill` (scripts/lib/drill.sh), run with the tools'
virtualenv Python:

  bucket  URL NAME                     make the bucket on the local S3 server (moto)
  setup   USER_URL CHAT_URL STATE      two users and a room between them
  send    CHAT_URL STATE ACKS STOP     send until the file STOP exists; one JSON line
                                       per acknowledged (201) message in ACKS
  count   ACKS [SINCE]                 acknowledged messages (whose 201 came at/after SINCE)
  verify  USER_URL CHAT_URL STATE ACKS T BACKUP_END REPORT
                                       sign in again on the restored services, read the
                                       room back, compare with what was acknowledged
  size    URL BUCKET PREFIX            bytes stored under PREFIX

Times are seconds since the epoch on this machine's clock, the same clock
PostgreSQL stamps its commit records with.
"""
import json
import os
import sys
import threading
import time
import uuid
from datetime import datetime

import requests

PASSWORD = "drill-restore-9"


def fail(message):
    print(f"drill.py: {message}", file=sys.stderr)
    sys.exit(1)


def call(session, method, url, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return session.request(method, url, headers=headers, timeout=30, **kwargs)


def s3_client(endpoint):
    import boto3

    # The local S3 server (moto) takes any credentials.
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="drill", aws_secret_access_key="drill")


def cmd_bucket(endpoint, name):
    s3 = s3_client(endpoint)
    s3.create_bucket(Bucket=name)


def cmd_size(endpoint, bucket, prefix):
    s3 = s3_client(endpoint)
    total = count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            total += item["Size"]
            count += 1
    print(total, count)


def cmd_setup(user_url, chat_url, state_file):
    session = requests.Session()
    users = []
    for who in ("ann", "bob"):
        username = f"drill{who}{uuid.uuid4().hex[:6]}"
        r = call(session, "POST", f"{user_url}/api/auth/register", json={
            "username": username, "email": f"{username}@example.com",
            "password": PASSWORD, "displayName": f"Drill {who.title()}"})
        if r.status_code != 201:
            fail(f"register {username}: {r.status_code} {r.text}")
        body = r.json()
        users.append({"username": username, "id": body["user"]["id"], "token": body["accessToken"]})
    # Bob has Ann as a contact, so the room Ann makes takes him in (a stranger would be invited).
    r = call(session, "POST", f"{user_url}/api/contacts", token=users[1]["token"], json={"userId": users[0]["id"]})
    if r.status_code != 201:
        fail(f"add contact: {r.status_code} {r.text}")
    r = call(session, "POST", f"{chat_url}/api/rooms", token=users[0]["token"],
             json={"name": "Restore drill", "roomType": "group", "participantIds": [users[1]["id"]]})
    if r.status_code != 201:
        fail(f"create room: {r.status_code} {r.text}")
    with open(state_file, "w") as f:
        json.dump({"users": users, "room": r.json()["id"]}, f)


def cmd_send(chat_url, state_file, acks_file, stop_file, threads_per_user=2):
    state = json.load(open(state_file))
    lock = threading.Lock()
    out = open(acks_file, "a", buffering=1)
    errors = []

    def sender(user, lane):
        session = requests.Session()
        url = f"{chat_url}/api/rooms/{state['room']}/messages"
        n = 0
        while not os.path.exists(stop_file):
            n += 1
            client_id = f"{user['username']}-{lane}-{n}"
            body = {"content": f"drill message {client_id}", "messageType": "text", "clientMessageId": client_id}
            sent = time.time()
            try:
                r = call(session, "POST", url, token=user["token"], json=body)
            except requests.RequestException as error:
                errors.append(str(error))
                time.sleep(0.05)
                continue
            acked = time.time()
            if r.status_code != 201:
                errors.append(f"{r.status_code} {r.text[:200]}")
                time.sleep(0.05)
                continue
            m = r.json()
            line = json.dumps({"id": m["id"], "seq": m["seq"], "sent": sent, "acked": acked,
                               "createdAt": m["createdAt"], "sender": user["username"]})
            with lock:
                out.write(line + "\n")

    workers = [threading.Thread(target=sender, args=(user, lane))
               for user in state["users"] for lane in range(threads_per_user)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        print(f"drill.py send: {len(errors)} sends not acknowledged; first: {errors[0]}", file=sys.stderr)


def read_acks(acks_file):
    if not os.path.exists(acks_file):
        return []
    with open(acks_file) as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_count(acks_file, since=None):
    acks = read_acks(acks_file)
    if since is not None:
        acks = [a for a in acks if a["acked"] >= float(since)]
    print(len(acks))


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def cmd_verify(user_url, chat_url, state_file, acks_file, target, backup_end, report_file):
    target, backup_end = float(target), float(backup_end)
    state = json.load(open(state_file))
    session = requests.Session()
    # The restored user-service signs in the accounts the backup holds; the old tokens are not reused.
    tokens = []
    for user in state["users"]:
        r = call(session, "POST", f"{user_url}/api/auth/login", json={"login": user["username"], "password": PASSWORD})
        if r.status_code != 200:
            fail(f"sign-in of {user['username']} on the restored user-service: {r.status_code} {r.text}")
        tokens.append(r.json()["accessToken"])
    # Every message of the room, newest page first, then older pages.
    found = {}
    url = f"{chat_url}/api/rooms/{state['room']}/messages?limit=200"
    page_url = url
    while True:
        r = call(session, "GET", page_url, token=tokens[1])
        if r.status_code != 200:
            fail(f"GET {page_url}: {r.status_code} {r.text}")
        page = r.json()
        for m in page["messages"]:
            found[m["id"]] = m
        if not page.get("hasMore") or not page["messages"]:
            break
        page_url = f"{url}&before={min(m['seq'] for m in page['messages'])}"

    acks = read_acks(acks_file)
    before = [a for a in acks if a["acked"] < target]
    after = [a for a in acks if a["acked"] >= target]
    missing = [a for a in before if a["id"] not in found]
    after_present = [a for a in after if a["id"] in found]
    replayed = [a for a in before if a["sent"] > backup_end]
    # Nothing stored after T may come back: a message's createdAt precedes its commit.
    beyond = [m for m in found.values() if m.get("messageType") == "text" and parse_time(m["createdAt"]) > target + 0.001]
    seqs = sorted(m["seq"] for m in found.values())
    gaps = [s for s in range(seqs[0], seqs[-1] + 1) if s not in set(seqs)] if seqs else []
    report = {
        "acknowledged_total": len(acks),
        "acknowledged_before_target": len(before),
        "acknowledged_before_target_sent_after_backup": len(replayed),
        "found_after_restore": len(before) - len(missing),
        "missing": len(missing),
        "missing_ids": [a["id"] for a in missing][:20],
        "acknowledged_after_target": len(after),
        "after_target_absent": len(after) - len(after_present),
        "after_target_present": len(after_present),
        "restored_messages_in_room": len(found),
        "restored_created_after_target": len(beyond),
        "seq_gaps": len(gaps),
    }
    with open(report_file, "w") as f:
        json.dump(report, f, indent=2)
    problems = []
    if missing:
        problems.append(f"{len(missing)} messages acknowledged before T are missing")
    if not replayed:
        problems.append("no message acknowledged before T was sent after the base backup (nothing proves WAL replay)")
    if not after or len(after) == len(after_present):
        problems.append("no message acknowledged after T is absent: the recovery target was not honoured")
    if beyond:
        problems.append(f"{len(beyond)} restored messages were created after T")
    if gaps:
        problems.append(f"{len(gaps)} gaps in the restored room's seq numbers")
    for p in problems:
        print(f"drill.py verify: {p}", file=sys.stderr)
    sys.exit(1 if problems else 0)


def main(argv):
    commands = {"bucket": cmd_bucket, "setup": cmd_setup, "send": cmd_send, "count": cmd_count,
                "verify": cmd_verify, "size": cmd_size}
    if len(argv) < 2 or argv[1] not in commands:
        fail(__doc__)
    commands[argv[1]](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
