#!/usr/bin/env python3
"""Writes the emoji picker's data (Sources/UIService/Public/emoji.json) from the
Unicode Consortium's own files as Debian packages them, pinned:

- unicode-data 15.0.0-1: /usr/share/unicode/emoji/emoji-test.txt (every emoji a
  keyboard should offer, fully qualified, in Unicode's order, with its group and
  its skin-tone forms);
- unicode-cldr-core 41-0.1: CLDR's English annotations (the keywords people
  search by).

    scripts/emoji-data.py [--check]

--check compares with the committed file instead of writing it (the web suite
runs it, so the data never drifts from its source). Each emoji is
[character, name, shortcode, keywords, tones] where the shortcode is CLDR's
short name in lower case with underscores (":thumbs_up:") and tones lists the
five skin-tone forms when Unicode defines them (else null).
"""
import argparse
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

EMOJI_TEST = "/usr/share/unicode/emoji/emoji-test.txt"
ANNOTATIONS = "/usr/share/unicode/cldr/common/annotations/en.xml"
PACKAGES = "unicode-data 15.0.0-1 (emoji-test.txt, Unicode 15.0), unicode-cldr-core 41-0.1 (CLDR 41 English annotations)"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "UIService", "Public", "emoji.json")
TONES = ["light skin tone", "medium-light skin tone", "medium skin tone", "medium-dark skin tone", "dark skin tone"]
LINE = re.compile(r"^([0-9A-F ]+);\s*fully-qualified\s*#\s*(\S+)\s+E\d+\.\d+\s+(.+)$")


def shortcode(name):
    return re.sub(r"[^a-z0-9+]+", "_", name.lower()).strip("_")


def build():
    for path in (EMOJI_TEST, ANNOTATIONS):
        if not os.path.exists(path):
            sys.exit(f"{path} is missing: apt-get install unicode-data unicode-cldr-core")
    keywords = {}
    for node in ET.parse(ANNOTATIONS).getroot().iter("annotation"):
        if node.get("type") != "tts":
            keywords[node.get("cp")] = [word.strip() for word in (node.text or "").split("|") if word.strip()]
    groups, group, by_name = [], None, {}
    with open(EMOJI_TEST, encoding="utf-8") as source:
        for line in source:
            if line.startswith("# group:"):
                name = line.split(":", 1)[1].strip()
                group = None if name == "Component" else {"name": name, "emoji": []}
                if group:
                    groups.append(group)
                continue
            found = LINE.match(line.strip())
            if not found or group is None:
                continue
            codes, name = found.group(1).split(), found.group(3).strip()
            character = "".join(chr(int(code, 16)) for code in codes)
            base, _, tone = name.partition(": ")
            if tone in TONES and base in by_name:
                entry = by_name[base]
                entry[4] = entry[4] or [None] * 5
                entry[4][TONES.index(tone)] = character
                continue
            if "skin tone" in tone:
                continue  # two people's tones (people holding hands…): the picker offers the one-tone forms
            words = [word for word in keywords.get(character, keywords.get(character.replace("\ufe0f", ""), [])) if word != name]
            entry = [character, name, shortcode(name), " ".join(words), None]
            group["emoji"].append(entry)
            by_name.setdefault(name, entry)
    for group in groups:
        for entry in group["emoji"]:
            if entry[4] and None in entry[4]:
                entry[4] = None  # only where all five forms exist
    return {"source": PACKAGES, "groups": groups}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    args = parser.parse_args()
    text = json.dumps(build(), ensure_ascii=False, separators=(",", ":")) + "\n"
    if args.check:
        with open(OUT, encoding="utf-8") as committed:
            if committed.read() != text:
                sys.exit("Sources/UIService/Public/emoji.json differs from what scripts/emoji-data.py makes of its sources: run it")
        print("emoji.json matches its sources")
        return
    with open(OUT, "w", encoding="utf-8") as out:
        out.write(text)
    count = sum(len(group["emoji"]) for group in json.loads(text)["groups"])
    print(f"wrote {OUT}: {count} emoji in {len(json.loads(text)['groups'])} groups")


if __name__ == "__main__":
    main()
