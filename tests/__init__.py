"""System tests: real servers, real Chromium, copies of the test database.

Run with pytest-odoo (`bin/clearance test tests`), after the addons' own
tests, on the database `bin/clearance test` builds."""
