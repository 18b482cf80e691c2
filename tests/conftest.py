"""Shared pytest fixtures.

Browser fixtures (helpers live in tests/browser_support.py):

- ``browser`` (module scope — see the note in the fixture): a headless Debian
  Chromium (``/usr/bin/chromium``) driven by playwright's sync API. Tests using it are
  skipped when Chromium or playwright is missing — unless ``SITEGEN_REQUIRE_BROWSER=1``
  (set by ``.ci/run``), where that fails. Tests using it get the ``browser`` marker,
  so ``pytest -m "not browser"`` deselects them.
- ``open_browser_page`` (function): ``open_browser_page(url, **kw) -> PageSession``;
  like ``browser_support.open_page`` on the shared browser, closed after the test.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from tests import browser_support


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: needs headless Chromium (/usr/bin/chromium) and playwright"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _stop_search_indexing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """End every preview search indexing a test started (a Builder it did not close): its
    process would go on taking a core from the tests that follow."""
    from sitegen import search

    made: list[search.BackgroundIndex] = []
    init = search.BackgroundIndex.__init__

    def tracked(self: search.BackgroundIndex, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(search.BackgroundIndex, "__init__", tracked)
    yield
    for index in made:
        index.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope, not session: while playwright's sync API is active, its event loop
    # counts as "running" in the main thread, so asyncio.run() raises RuntimeError in
    # every test that runs meanwhile. Module scope confines that to browser test
    # modules (launching Chromium costs ~1 s per module).
    if not browser_support.chromium_available():
        browser_support.skip_or_fail(
            f"Chromium not found at {browser_support.CHROMIUM_PATH}: "
            "apt-get install chromium (or set SITEGEN_CHROMIUM) to run browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_support.skip_or_fail(
            "playwright is not installed: pip install -e '.[test]' to run browser tests"
        )
    with sync_playwright() as playwright:
        instance = browser_support.launch_chromium(playwright)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def open_browser_page(browser: Any) -> Iterator[Callable[..., browser_support.PageSession]]:
    sessions: list[browser_support.PageSession] = []

    def _open(url: str | None = None, **kwargs: Any) -> browser_support.PageSession:
        session = browser_support.open_page(browser, url, **kwargs)
        sessions.append(session)
        return session

    yield _open
    for session in sessions:
        session.close()


# -- small site folders written inline (helpers live in tests/sitekit.py) ---------------------
#
# - ``site_files`` (function): a fresh copy of ``sitekit.BASELINE``, a valid two-area site;
#   edit it in the test, then write it with ``make_site``.
# - ``make_site`` (function): ``make_site(files=None, name="site") -> Path`` writes the
#   baseline overridden by ``files`` (path -> text/bytes; None removes a file) into
#   ``tmp_path / name``.
# - ``sitegen`` (session): ``sitegen(*args, cwd=None) -> sitekit.Run``, the real command
#   line ``python3 -m sitegen ...`` in a subprocess.


@pytest.fixture
def site_files() -> dict[str, str]:
    from tests import sitekit

    return dict(sitekit.BASELINE)


@pytest.fixture
def make_site(tmp_path: Any) -> Callable[..., Any]:
    from tests import sitekit

    def _make(files: dict[str, Any] | None = None, name: str = "site",
              base: dict[str, str] | None = None) -> Any:
        return sitekit.make_site(tmp_path / name, files, base)

    return _make


@pytest.fixture(scope="session")
def sitegen() -> Callable[..., Any]:
    from tests import sitekit

    return sitekit.run_sitegen
