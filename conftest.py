"""Test-session wiring.

Serve Odoo's HTTP on the configured port in this process: HttpCase.url_open
and the browser tests talk to this server; in test mode the requests share
the test's database cursor. Collect the system tests of the top-level
`tests/` package as plain Python modules (pytest-odoo takes every file for
a part of an addon and looks for a manifest above it)."""
import pathlib
import signal

import pytest

SYSTEM_TESTS = pathlib.Path(__file__).resolve().parent / "tests"


def _system_test(path):
    path = pathlib.Path(str(path)).resolve()
    return path == SYSTEM_TESTS or SYSTEM_TESTS in path.parents


@pytest.hookimpl(tryfirst=True)
def pytest_ignore_collect(collection_path):
    if _system_test(collection_path) and "__pycache__" not in collection_path.parts:
        return False
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    if not _system_test(module_path):
        return None
    if module_path.name == "__init__.py":
        return pytest.Package.from_parent(parent, path=module_path)
    return pytest.Module.from_parent(parent, path=module_path)


@pytest.fixture(scope="session", autouse=True)
def odoo_http_server():
    import odoo
    import odoo.tests.common
    # odoo.tests.common read the port before the configuration was parsed.
    odoo.tests.common.PORT = odoo.tools.config["http_port"]
    server = odoo.service.server.ThreadedServer(odoo.service.wsgi_server.application)
    server.http_spawn()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield server
