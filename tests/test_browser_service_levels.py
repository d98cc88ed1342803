"""The demo student's tracker with expected dates, in real Chromium."""
from selenium.webdriver.common.by import By

from odoo.tests.common import HttpCase

from .browser import Browser


class TestTrackerInChromium(HttpCase):
    """The demo student's tracker in Persian, in real Chromium."""

    def test_expected_dates_in_persian(self):
        env = self.env(cr=self.registry.test_cr)
        record = env.ref("clearance_request.request_9811005_demo")
        open_lines = record.line_ids.filtered(
            lambda l: l.state in ("current", "waiting"))
        self.assertTrue(open_lines)
        browser = Browser(width=1100, height=1500)
        self.addCleanup(browser.quit)
        browser.login("9811005", "demo")
        browser.get("/my/clearance/%d" % record.id)
        browser.find(".o_clearance_expected")
        self.assertEqual(browser.direction(), "rtl")
        shown = [element.text for element in browser.driver.find_elements(
            By.CSS_SELECTOR, ".o_clearance_step_expected")]
        self.assertEqual(len(shown), len(open_lines))
        for text in shown:
            self.assertRegex(text, "^پیش‌بینی پایان: [۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}$")
        browser.screenshot("sla-tracker-fa")
