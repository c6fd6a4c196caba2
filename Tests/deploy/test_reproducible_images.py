"""An image tagged with a commit carries the Swift package versions that commit
was tested with: every direct dependency is pinned exactly in Package.swift, the
whole resolved graph is listed in Package.versions (Package.resolved stays out
of git: the build machines' mirror has other commit ids than GitHub), and both
`./microchat test` and the Dockerfile's build stage compare what resolves with
that list (scripts/package-versions check), failing on drift."""
import re

from conftest import ROOT

PACKAGE = (ROOT / "Package.swift").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def dependency_lines():
    return re.findall(r"\.package\((.*?)\)\s*,?\s*$", PACKAGE, re.M)


def committed_versions():
    lines = [line.split() for line in (ROOT / "Package.versions").read_text().splitlines() if line and not line.startswith("#")]
    assert all(len(fields) == 2 for fields in lines), "Package.versions has lines other than 'identity version'"
    return dict(lines)


def identity(url):
    return url.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1].lower()


def dockerfile_instructions():
    """The Dockerfile's instructions, continuation lines joined."""
    return [line.strip() for line in DOCKERFILE.replace("\\\n", " ").splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_every_direct_dependency_is_pinned_exactly():
    lines = dependency_lines()
    assert lines, "no .package lines found in Package.swift"
    loose = [line for line in lines if not re.search(r'exact:\s*"\d+\.\d+\.\d+"', line)]
    assert not loose, f"dependencies not pinned with exact: (from:, ranges, branches and revisions drift): {loose}"


def test_the_committed_list_holds_the_direct_pins_and_is_the_whole_graph():
    versions = committed_versions()
    for line in dependency_lines():
        url = re.search(r'url:\s*"([^"]+)"', line).group(1)
        pinned = re.search(r'exact:\s*"([^"]+)"', line).group(1)
        assert versions.get(identity(url)) == pinned, f"{identity(url)}: Package.swift pins {pinned}, Package.versions says {versions.get(identity(url))}"
    # The graph is more than the direct dependencies: their own dependencies are listed too.
    assert len(versions) > len(dependency_lines())
    assert (ROOT / "scripts" / "package-versions").stat().st_mode & 0o111, "scripts/package-versions is not executable"


def test_package_resolved_stays_out_of_git():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "Package.resolved" in ignored


def test_the_image_build_checks_the_versions_before_it_compiles():
    instructions = dockerfile_instructions()
    copies = " ".join(i for i in instructions if i.startswith("COPY ") and "--from" not in i)
    assert "Package.versions" in copies and "scripts/package-versions" in copies, "the build stage does not get the list and its check"
    check = next((n for n, i in enumerate(instructions) if "scripts/package-versions check" in i), None)
    build = next(n for n, i in enumerate(instructions) if re.search(r"\bswift build\b", i))
    assert check is not None, "the Dockerfile never runs scripts/package-versions check"
    sources = next(n for n, i in enumerate(instructions) if i.startswith("COPY Sources"))
    # After the sources (SwiftPM loads every target to print the graph), before or with the build.
    assert sources < check <= build
    if check == build:
        line = instructions[build]
        assert line.index("scripts/package-versions check") < line.index("swift build")


def test_the_image_build_has_every_target_the_manifest_names():
    """SwiftPM refuses to load a manifest whose target folders are missing, test targets
    included, so the build stage must copy each of them."""
    copied = set(re.findall(r"^COPY (?:--\S+ )*(\S+) ", "\n".join(dockerfile_instructions()), re.M))
    for name in re.findall(r'\.testTarget\(\s*name:\s*"([^"]+)"', PACKAGE):
        assert f"Tests/{name}" in copied or "Tests" in copied, f"the Dockerfile does not copy Tests/{name}"
    assert "Sources" in copied
