"""Tests that restart or kill servers the whole suite shares run after every
other test, in the order their `disruptive(order=N)` marker gives, instead of
relying on file names that sort last. The marker is declared in Tests/pytest.ini."""


def run_disruptive_last(items):
    def key(item):
        marker = item.get_closest_marker("disruptive")
        return (0, 0) if marker is None else (1, marker.kwargs.get("order", 0))
    items[:] = sorted(items, key=key)  # sorted() is stable: the rest keep their collected order
