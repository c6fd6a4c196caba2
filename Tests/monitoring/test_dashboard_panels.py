"""Every panel of the MicroChat dashboard, asked of a real Prometheus that
scraped the real services under load: each target's expression (Grafana's
variables replaced) must give the series expectations.py names, with values in
range — a wrong label, metric name or `le` grouping shows up here as an empty
or NaN panel, named."""
import math

import pytest

from conftest import panel_targets
from expectations import PANELS
from promql import substitute


TARGETS = panel_targets()


def test_every_panel_target_has_an_expectation():
    shown = {(title, legend) for title, legend, _ in TARGETS}
    assert len(shown) == len(TARGETS), "two targets of one panel share a legend; the check tells targets apart by it"
    unexpected, gone = sorted(shown - PANELS.keys()), sorted(PANELS.keys() - shown)
    assert not unexpected, f"panels with no entry in Tests/monitoring/expectations.py: {unexpected}"
    assert not gone, f"expectations for panels the dashboard no longer has: {gone}"


@pytest.mark.parametrize("title,legend,expr", TARGETS, ids=[f"{title} [{legend}]" for title, legend, _ in TARGETS])
def test_panel_shows_plausible_series(prometheus, loaded, title, legend, expr):
    expect = PANELS.get((title, legend))
    assert expect, f"panel {title!r} [{legend}] has no expectation"
    result = prometheus.query(substitute(expr), loaded)
    assert result, f"panel {title!r} [{legend}] shows nothing: {expr}"
    if expect.label:
        shown = [labels.get(expect.label) for labels, _ in result]
        assert len(shown) == len(set(shown)), f"panel {title!r} [{legend}] repeats a {expect.label}: {result}"
        assert set(shown) == expect.each, (
            f"panel {title!r} [{legend}] shows {expect.label} {sorted(map(str, shown))}, expected {sorted(expect.each)}: {expr}")
    else:
        assert len(result) == 1, f"panel {title!r} [{legend}] shows {len(result)} series, expected one: {result}"
    print(f"{title} [{legend}]: " + ", ".join(f"{labels.get(expect.label, '')} {value:.4g}".strip() for labels, value in result))
    wrong = [(labels, value) for labels, value in result if math.isnan(value) or not expect.holds(value)]
    assert not wrong, f"panel {title!r} [{legend}] shows values outside {expect.describe()}: {wrong}\n{expr}"
