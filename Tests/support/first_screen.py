"""The page's first screen counted in round trips (issue 24, item 7), for the browser
test (Tests/ui/test_web_first_load.py) and the page bench (scripts/bench-page.py).

With every request delayed by a long emulated latency, requests that depend on an
earlier answer start at least one latency after it; requests made together start
within a few milliseconds. So the requests made before the first message shows fall
into clusters of start times, one per round trip."""

# Marks when the first stored message enters the timeline (added before the page's own scripts).
FIRST_MESSAGE_PROBE = r"""
new MutationObserver((records, observer) => {
  if (document.querySelector('#timeline li.message[data-state=stored]')) {
    window.__firstMessageAt = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""

REQUESTS = """
const until = window.__firstMessageAt;
if (until === undefined) return null;
const entries = performance.getEntriesByType('resource').filter((e) => e.startTime < until)
  .map((e) => ({ url: e.name, start: e.startTime, sent: e.requestStart || e.startTime, type: e.initiatorType }));
return { firstMessageMs: until, requests: [{ url: location.href, start: 0, sent: 0, type: 'navigation' }, ...entries] };
"""


def emulate_latency(driver, latency_ms):
    """Every request of this browser waits `latency_ms` (0: no emulation)."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1})


def install_probe(driver):
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FIRST_MESSAGE_PROBE})


def _waves(requests, key, latency_ms):
    waves, first = [], None
    for request in sorted(requests, key=lambda r: r[key]):
        if first is None or request[key] - first > latency_ms / 2:
            waves.append([])
            first = request[key]
        waves[-1].append(request["url"])
    return waves


def first_screen(driver, latency_ms):
    """The requests made before the first message showed, or None when no message has shown yet:
    {'firstMessageMs', 'roundTrips', 'sentWaves', 'requests'}. `roundTrips` groups them by when
    the page asked (what the page's own order of requests costs); `sentWaves` by when each
    actually went out, which over HTTP/1.1 also counts waiting for one of the browser's six
    connections to the host (HTTP/2, as through Traefik in the cluster, has no such wait)."""
    found = driver.execute_script(REQUESTS)
    if not found:
        return None
    return {"firstMessageMs": found["firstMessageMs"], "roundTrips": _waves(found["requests"], "start", latency_ms),
            "sentWaves": _waves(found["requests"], "sent", latency_ms), "requests": found["requests"]}
