"""Message formatting in Chromium: the documented Markdown subset becomes the
right elements, the stored text stays the source, and the usual XSS payloads
neither run nor make links anywhere but http(s)."""
from conftest import ApiUser, unique

FORMATTED = "\n".join([
    "**bold** and *italic* and _also italic_ and ~~gone~~ and `inline code`",
    "> a quoted line",
    "> and its second line",
    "```",
    "let x = 1 < 2 && **not bold**",
    "```",
    "a [link](https://example.com/docs) and a bare https://example.org/path. done",
    "snake_case_name stays as it is, 2 * 3 * 4 too",
])

# Each would run script, load something, or link to a script URL if it were
# parsed as HTML or passed to href unchecked. None may.
PAYLOADS = [
    "<img src=x onerror=\"window.__xss='img'\">",
    "<script>window.__xss='script'</script>",
    "[click me](javascript:window.__xss='js-link')",
    "[click me](JaVaScRiPt:window.__xss='mixed-case')",
    "[click me](java\tscript:window.__xss='tab')",
    "[click me](  javascript:window.__xss='spaces')",
    "[data](data:text/html,<script>window.__xss='data'</script>)",
    "[vb](vbscript:msgbox(1))",
    "[rel](//evil.example/x)",
    "**[nested](javascript:window.__xss='nested')**",
    "[[inner](https://ok.example)](javascript:window.__xss='outer')",
    "[quote](https://ok.example/\"onmouseover=\"window.__xss='attr')",
    "https://ok.example/<svg/onload=window.__xss='svg'>",
    "<a href=\"javascript:window.__xss='raw-a'\">raw</a>",
    "`<b>code is text</b>`",
    "[\u202eexe.txt](https://ok.example/file)",
    "\u202e**reversed**",
    "[ok](https://ok.example/\u200bzero-width)",
    "&lt;img src=x onerror=window.__xss='entity'&gt;",
    "*" * 500 + "_" * 500 + "`" * 100 + "[" * 200,
]


def test_the_markdown_subset_is_rendered_as_elements_and_stored_as_typed(browsers, ui_url, screenshots):
    other = ApiUser(ui_url, unique("fo"))
    page = browsers()
    page.register(unique("fm"))
    room_id = page.start_direct_chat(other.username)
    stored = other.post(room_id, FORMATTED)
    assert stored["content"] == FORMATTED  # the server keeps the source
    selector = f'#timeline li.message[data-id="{stored["id"]}"]'
    page.wait(lambda d: d.find_elements("css selector", selector), message="not shown")
    page.wait(lambda d: d.execute_script("return document.readyState") == "complete")
    q = lambda css: page.driver.execute_script(
        "return [...document.querySelector(arguments[0]).querySelectorAll(arguments[1])].map(e => e.textContent)", selector, css)
    assert q("strong") == ["bold"]
    assert q("em") == ["italic", "also italic"]
    assert q("del") == ["gone"]
    assert q("code.md-code") == ["inline code"]
    assert q("pre.md-code-block code") == ["let x = 1 < 2 && **not bold**"]
    assert q("blockquote") == ["a quoted lineand its second line"] and len(q("blockquote br")) == 1
    links = page.driver.execute_script(
        "return [...document.querySelector(arguments[0]).querySelectorAll('a')].map(a => [a.getAttribute('href'), a.textContent, a.rel, a.target])",
        selector)
    assert links == [["https://example.com/docs", "link", "noopener noreferrer", "_blank"],
                     ["https://example.org/path", "https://example.org/path", "noopener noreferrer", "_blank"]]
    assert "snake_case_name stays as it is, 2 * 3 * 4 too" in q(".message-content")[0]
    # The room list's one-line preview shows the words, not the marks.
    page.wait(lambda d: "bold and italic and also italic and gone and inline code"
              in d.find_element("css selector", f'.room-item[data-room-id="{room_id}"] .room-preview').text,
              message="the preview shows the marks")
    page.screenshot(screenshots, "15-formatting")


def test_xss_payloads_stay_text(browsers, ui_url):
    other = ApiUser(ui_url, unique("xo"))
    page = browsers()
    page.register(unique("xs"))
    room_id = page.start_direct_chat(other.username)
    ids = [other.post(room_id, payload)["id"] for payload in PAYLOADS]
    page.wait(lambda d: len(d.find_elements("css selector", "#timeline li.message[data-state=stored]")) == len(PAYLOADS),
              message="not every payload arrived")
    # Hover and click every link there is, then look for any sign of script having run.
    page.driver.execute_script("document.querySelectorAll('#timeline a').forEach(a => a.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})))")
    assert page.driver.execute_script("return window.__xss") is None
    report = page.driver.execute_script("""
        const timeline = document.getElementById('timeline');
        const all = [...timeline.querySelectorAll('*')];
        return {
          tags: [...new Set(all.map(e => e.tagName.toLowerCase()))],
          handlers: all.flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name)),
          hrefs: [...timeline.querySelectorAll('a')].map(a => a.getAttribute('href')),
          rels: [...timeline.querySelectorAll('a')].map(a => a.rel),
        };""")
    assert not {"img", "script", "svg", "iframe", "object", "embed", "style"} & set(report["tags"]), report["tags"]
    assert report["handlers"] == []
    assert report["hrefs"] and all(h.startswith("https://") or h.startswith("http://") for h in report["hrefs"]), report["hrefs"]
    assert set(report["rels"]) == {"noopener noreferrer"}
    texts = page.driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#timeline li.message')]"
        ".map(li => [li.dataset.id, li.querySelector('.message-content')?.textContent ?? '']))")
    # What could not be a safe link is shown as the text that was typed.
    assert texts[ids[0]] == PAYLOADS[0] and texts[ids[1]] == PAYLOADS[1]
    assert texts[ids[2]] == PAYLOADS[2] and "javascript:" in texts[ids[3]].lower()
    assert texts[ids[13]] == PAYLOADS[13]
    assert texts[ids[14]] == "<b>code is text</b>"
    # The right-to-left trick cannot hide where a link goes: its title is the plain address.
    titles = page.driver.execute_script("return [...document.querySelectorAll('#timeline a')].map(a => a.title)")
    assert "https://ok.example/file" in titles and all("\u202e" not in t for t in titles)
    assert not page.console_errors()
