"""Loaded for every Python test folder (Tests/pytest.ini makes Tests the root):
puts Tests/support on the import path and runs the tests marked `disruptive`
(they restart or kill servers the whole suite shares) after all the others."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

import ordering  # noqa: E402  (needs the path above)


def pytest_collection_modifyitems(config, items):
    ordering.run_disruptive_last(items)


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def preview_site():
    """The local sites link previews are fetched from (Tests/support/preview_site.py)."""
    from preview_site import PreviewSite

    site = PreviewSite().start()
    yield site
    site.stop()
