"""Test-session wiring: serve Odoo's HTTP on the configured port in this process.

HttpCase.url_open and the browser tests talk to this server; in test mode the
requests share the test's database cursor."""
import signal

import pytest


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
