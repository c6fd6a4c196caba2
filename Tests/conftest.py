"""Loaded for every Python test folder (Tests/pytest.ini makes Tests the root):
puts Tests/support on the import path and runs the tests marked `disruptive`
(they restart or kill servers the whole suite shares) after all the others."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

import ordering  # noqa: E402  (needs the path above)


def pytest_collection_modifyitems(config, items):
    ordering.run_disruptive_last(items)
