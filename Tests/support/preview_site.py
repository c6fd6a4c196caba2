"""The sites the link-preview tests link to: one plain HTTP and one HTTPS server on
the ports `./microchat test` allowed chat-service's fetcher to reach
(MICROCHAT_TEST_PREVIEW_PORT / _TLS_PORT; the TLS one presents the stack's
certificate for localhost, which chat-service trusts through LINK_PREVIEW_CA_FILE).
Every other loopback address and port stays refused by the fetcher, which is what
the refusal tests rely on. The site counts the requests it gets per path."""
import collections
import html
import os
import ssl
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from helpers import require_env


def png(width, height, rgb):
    """A real PNG of one colour (browsers draw it; the server's sniffer reads its size)."""
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


CARD_PNG = png(120, 63, (40, 110, 200))


class PreviewSite:
    def __init__(self):
        self.port = int(require_env("MICROCHAT_TEST_PREVIEW_PORT"))
        self.tls_port = int(require_env("MICROCHAT_TEST_PREVIEW_TLS_PORT"))
        self.hits = collections.Counter()
        self.lock = threading.Lock()
        self.servers = []

    def url(self, path, tls=False):
        return f"https://localhost:{self.tls_port}{path}" if tls else f"http://127.0.0.1:{self.port}{path}"

    def count(self, path):
        with self.lock:
            return self.hits[path]

    def start(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=()):
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                parts = urlsplit(self.path)
                with site.lock:
                    site.hits[parts.path] += 1
                query = parse_qs(parts.query)
                first = parts.path.strip("/").split("/")[0]
                if first == "article":
                    # /article/<anything>: a page with every Open Graph field and a picture (`?image=` names another).
                    name = html.escape(parts.path.rsplit("/", 1)[-1])
                    image = html.escape(query.get("image", ["/card.png"])[0])
                    body = (f'<!doctype html><html><head><title>ignored title</title>'
                            f'<meta property="og:title" content="Article {name} &amp; more">'
                            f'<meta property="og:description" content="What the article {name} says.">'
                            f'<meta property="og:site_name" content="Preview Site">'
                            f'<meta property="og:image" content="{image}"></head><body>text</body></html>')
                    self.send(200, body.encode())
                elif first == "plain":
                    self.send(200, b"<html><head><title>Just a title</title></head><body></body></html>")
                elif first == "empty":
                    self.send(200, b"<html><body>no head at all</body></html>")
                elif first == "card.png":
                    self.send(200, CARD_PNG, "image/png")
                elif first == "json":
                    self.send(200, b"{}", "application/json")
                elif first == "redirect":
                    self.send(302, b"", None, [("Location", query.get("to", ["/plain"])[0])])
                else:
                    self.send(404, b"not here")

        plain = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        secure = ThreadingHTTPServer(("127.0.0.1", self.tls_port), Handler)
        tls_dir = os.path.join(require_env("MICROCHAT_TEST_DATA"), "tls")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(tls_dir, "server.crt"), os.path.join(tls_dir, "server.key"))
        secure.socket = context.wrap_socket(secure.socket, server_side=True)
        for server in (plain, secure):
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)
        return self

    def stop(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()
