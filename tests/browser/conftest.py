"""Chromium, driven by Playwright, against a live test server.

Playwright cannot download its own browsers here, so the tests launch the
system's Chromium (Debian's `chromium` package; .ci/run installs it) or the
one named by NEWSROOM_CHROMIUM. In CI a missing browser is a failure.
"""

import importlib
import os
import re
import shutil
from pathlib import Path

import pytest

# Playwright's synchronous API keeps an event loop running in this thread, and
# Django refuses database calls from such a thread unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    # No calls home: this machine has no internet, and tests should not need it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    candidates = [
        os.environ.get("NEWSROOM_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ]
    return next((c for c in candidates if c and Path(c).exists()), None)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    with sync_playwright() as playwright:
        if executable is None:
            # Playwright's own download, where one was installed (`playwright install`).
            bundled = Path(playwright.chromium.executable_path)
            if not bundled.exists():
                message = (
                    "No Chromium found: install Debian's `chromium` package, run "
                    "`.venv/bin/playwright install chromium`, or set NEWSROOM_CHROMIUM."
                )
                if os.environ.get("CI"):
                    pytest.fail(message)
                pytest.skip(message)
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


class Watched:
    """A page plus what the browser reported while the test ran."""

    def __init__(self, page):
        self.page = page
        self.csp_violations: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.csp_violations.append(text)
        elif message.type == "error" and not re.search(r"Failed to load resource", text):
            self.errors.append(text)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def watched(browser, live_server, settings, request):
    # Plain static file names: the live server serves static files from the
    # finders, which know nothing of the hashed names of the production storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    watched = Watched(page)
    yield watched
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        page.screenshot(path=artifact(f"failed-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(watched):
    return watched.page


@pytest.fixture
def roles(db):
    """The Editors and Moderators groups, made by the same code as the migration.

    Transactional tests empty the database after each test, and with the live
    server sharing SQLite's in-memory connection the migrated rows do not always
    come back; recreating them here keeps each test independent.
    """
    from django.apps import apps

    migration = importlib.import_module("comments.migrations.0002_editor_and_moderator_groups")
    migration.create_groups(apps, None)
    importlib.import_module("comments.migrations.0016_new_grants").grant(apps, None)


@pytest.fixture
def moderator(roles):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username="moderator", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def log_in(page, user):
    """Sign in to the admin as `user` and wait for its index."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Publishing and moderation")).to_be_visible()


WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(watched, name):
    from axe_playwright_python.sync_playwright import Axe

    # The page's own script and styles are checked against the policy; axe-core,
    # injected for the audit, sets inline styles the policy refuses: those
    # reports are its own and are left out.
    assert watched.csp_violations == []
    results = Axe().run(watched.page, options=WCAG_21_AA)
    watched.csp_violations.clear()
    report = results.generate_report() if results.violations_count else ""
    if report:
        artifact(f"axe-{name}.txt").write_text(report)
    assert results.violations_count == 0, report
