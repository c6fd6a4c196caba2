"""One trace from the page's send to the socket writes (issue 28, item 5): a
request that arrives at ui-service with a sampled W3C `traceparent` is traced
through ui-service, chat-service (the request, its commit, its publish), the
user-service call that resolves its @mention, and — carried inside the Redis
envelope — the routing on each chat-service replica and the write to each
listener's socket. The services export over OTLP to the run's receiver
(scripts/otlp-receiver.py); the parent/child chain is checked span by span, and
the services' log lines for the request carry its trace_id."""
import json
import os
import secrets

import requests

from conftest import Socket, make_group, register, wait_until
from helpers import require_env

SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5


def spans_of(trace_id):
    with open(require_env("MICROCHAT_TEST_SPANS"), encoding="utf-8") as spans:
        # A line still being written has no newline yet: read next time.
        return [span for span in map(json.loads, (line for line in spans if line.endswith("\n"))) if span["traceId"] == trace_id]


def one(spans, what, **match):
    found = [s for s in spans if all(s.get(k) == v for k, v in match.items())]
    assert len(found) == 1, f"{what}: expected one span matching {match}, got {len(found)} of {[(s['service'], s['name']) for s in spans]}"
    return found[0]


def test_one_trace_spans_ui_chat_and_user_service_and_the_fan_out_to_both_replicas(api, chat, chat_urls, stack_data):
    ui_url = require_env("MICROCHAT_TEST_UI_URL")
    owner, member = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    # A listener on each replica: whichever replica takes the send, the other is reached through Redis.
    listeners = [Socket(chat_urls[0], member["accessToken"]), Socket(chat_urls[1], owner["accessToken"])]
    try:
        trace_id, page_span = secrets.token_hex(16), secrets.token_hex(8)
        sent = requests.post(f"{ui_url}/api/rooms/{room['id']}/messages", timeout=10,
                             headers={"Authorization": f"Bearer {owner['accessToken']}", "traceparent": f"00-{trace_id}-{page_span}-01"},
                             json={"content": f"@{member['user']['username']} the trace", "messageType": "text"})
        assert sent.status_code == 201, sent.text
        assert sent.json()["mentions"] == [member["user"]["id"]]
        for listener in listeners:
            assert listener.messages(room["id"], 1)[0]["id"] == sent.json()["id"]
    finally:
        for listener in listeners:
            listener.close()

    def complete():
        # Every service's spans, each exported on its own schedule.
        spans = spans_of(trace_id)
        return (len([s for s in spans if s["name"] == "socket write"]) >= 2 and any(s["service"] == "user-service" for s in spans)
                and len([s for s in spans if s["service"] == "ui-service"]) >= 2)

    wait_until(complete, timeout=20, message="the trace's spans did not all arrive at the OTLP receiver")
    spans = spans_of(trace_id)
    by_id = {s["spanId"]: s for s in spans}

    ui = one(spans, "ui-service's request", service="ui-service", parentSpanId=page_span)
    assert ui["kind"] == SERVER
    relay = one(spans, "ui-service's call to chat-service", service="ui-service", parentSpanId=ui["spanId"])
    assert relay["kind"] == CLIENT
    send = one(spans, "chat-service's request", service="chat-service", parentSpanId=relay["spanId"])
    assert send["kind"] == SERVER and send["name"] == "/api/rooms/{roomId}/messages"
    # The @mention is resolved by user-service, called from inside the send.
    lookup = next(s for s in spans if s["service"] == "user-service" and s["kind"] == SERVER)
    call = by_id[lookup["parentSpanId"]]
    assert call["service"] == "chat-service" and call["kind"] == CLIENT and call["parentSpanId"] == send["spanId"]
    commit = one(spans, "the commit", name="commit", parentSpanId=send["spanId"])
    publish = one(spans, "the publish", name="publish", parentSpanId=commit["spanId"])
    assert publish["kind"] == PRODUCER and publish["attributes"]["chat.seq"] == sent.json()["seq"]
    routes = [s for s in spans if s["name"] == "route"]
    assert {r["attributes"]["chat.replica"] for r in routes} == {"chat-1", "chat-2"}
    for route in routes:
        assert route["parentSpanId"] == publish["spanId"] and route["kind"] == CONSUMER
        writes = [s for s in spans if s["name"] == "socket write" and s["parentSpanId"] == route["spanId"]]
        assert len(writes) == 1, f"one listener on {route['attributes']['chat.replica']}"
        assert writes[0]["attributes"]["chat.seq"] == sent.json()["seq"]

    # The services' log lines for the request carry its trace id.
    def logged(service_prefix):
        for name in os.listdir(os.path.join(stack_data, "logs")):
            if name.startswith(service_prefix):
                with open(os.path.join(stack_data, "logs", name), encoding="utf-8", errors="replace") as log:
                    if any(f'"trace_id":"{trace_id}"' in line for line in log):
                        return True
        return False

    wait_until(lambda: logged("ui-service") and logged("chat-service") and logged("user-service"), timeout=10,
               message="the request's log lines do not carry its trace_id")


def test_a_malformed_traceparent_is_dropped_and_never_logged(api, chat, stack_data):
    owner, member = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    bad = "00-" + "zz" * 16 + "-" + "00" * 8 + "-01"
    r = chat.post(f"/api/rooms/{room['id']}/messages", json={"content": "odd header"}, token=owner["accessToken"],
                  headers={"traceparent": bad, "tracestate": "x=" + "a" * 4000})
    assert r.status_code == 201, r.text
    # The request went through as untraced; no log line repeats the header or the token that came with it.
    for name in os.listdir(os.path.join(stack_data, "logs")):
        with open(os.path.join(stack_data, "logs", name), encoding="utf-8", errors="replace") as log:
            text = log.read()
        assert bad not in text and owner["accessToken"] not in text, name


def test_requests_without_a_sampled_traceparent_are_not_traced(api, chat):
    owner, member = register(api), register(api)
    room = make_group(chat, owner["accessToken"], [member["user"]["id"]])
    trace_id = secrets.token_hex(16)
    r = chat.post(f"/api/rooms/{room['id']}/messages", json={"content": "quiet"}, token=owner["accessToken"],
                  headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-00"})
    assert r.status_code == 201
    # A traced request after it: once its spans are in, the unsampled one would have been exported with them.
    marker = secrets.token_hex(16)
    r = chat.post(f"/api/rooms/{room['id']}/messages", json={"content": "loud"}, token=owner["accessToken"],
                  headers={"traceparent": f"00-{marker}-{secrets.token_hex(8)}-01"})
    assert r.status_code == 201
    wait_until(lambda: any(s["name"] == "publish" for s in spans_of(marker)), timeout=20, message="the sampled send was not traced")
    assert spans_of(trace_id) == []
