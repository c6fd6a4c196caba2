#!/usr/bin/env python3
"""A small OTLP/HTTP receiver for traces: `./microchat test` points the services'
exporters at it (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL=http/json)
and the tracing test reads what arrived. Each span becomes one JSON line in --out:
{"service", "traceId", "spanId", "parentSpanId", "name", "kind", "attributes"}, ids
in lowercase hex (OTLP/JSON writes them as hex; some exporters as base64 — both read).
Only uncompressed, Content-Length bodies of OTLP/JSON are read (what the services send
with OTEL_EXPORTER_OTLP_PROTOCOL=http/json); anything else is answered 4xx.

    scripts/otlp-receiver.py --port 4318 --out spans.jsonl
"""
import argparse
import base64
import binascii
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEX = re.compile(r"^[0-9a-fA-F]*$")


def hex_id(value):
    """A trace or span id as lowercase hex, whether it came as hex or as base64."""
    if not value:
        return ""
    if HEX.match(value) and len(value) in (16, 32):
        return value.lower()
    try:
        return binascii.hexlify(base64.b64decode(value)).decode()
    except (binascii.Error, ValueError):
        return value


def attribute_value(value):
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in value:
            return value[key]
    if "intValue" in value:
        return int(value["intValue"])
    return value


def spans_of(payload):
    for resource_spans in payload.get("resourceSpans", []):
        resource = {a["key"]: attribute_value(a["value"]) for a in resource_spans.get("resource", {}).get("attributes", [])}
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                yield {
                    "service": resource.get("service.name", ""),
                    "traceId": hex_id(span.get("traceId")),
                    "spanId": hex_id(span.get("spanId")),
                    "parentSpanId": hex_id(span.get("parentSpanId")),
                    "name": span.get("name", ""),
                    "kind": span.get("kind", 0),
                    "attributes": {a["key"]: attribute_value(a["value"]) for a in span.get("attributes", [])},
                }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path != "/v1/traces" or not self.headers.get("Content-Type", "").startswith("application/json"):
                self.send_response(415 if self.path == "/v1/traces" else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            try:
                lines = [json.dumps(span) for span in spans_of(json.loads(body))]
            except (ValueError, AttributeError, KeyError, TypeError):
                self.send_response(400)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            # One write per request, flushed before the answer: a reader sees whole lines (and skips
            # a last line without its newline, should it read mid-write).
            with lock, open(options.out, "a", encoding="utf-8") as out:
                out.write("".join(line + "\n" for line in lines))
                out.flush()
            answer = b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    open(options.out, "a").close()
    ThreadingHTTPServer(("127.0.0.1", options.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
