"""Real Chromium (Debian's chromium + chromedriver) driven by Selenium."""
import os
import shutil
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

import odoo
from odoo.tests.common import HttpCase

ARTIFACTS = os.path.join(
    os.environ.get("CLEARANCE_ROOT", os.getcwd()), "artifacts")


class Browser:
    def __init__(self, width=1280, height=900):
        self.profile = tempfile.mkdtemp(prefix="clearance-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ("--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--user-data-dir=%s" % self.profile,
                    "--window-size=%d,%d" % (width, height)):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(
            service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(60)
        self.base = "http://127.0.0.1:%s" % odoo.tools.config["http_port"]

    def quit(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def get(self, path):
        self.driver.get(self.base + path)

    def find(self, css, timeout=20):
        return self.wait(lambda: self._visible(css), timeout,
                         "no visible element %s" % css)

    def _visible(self, css):
        for element in self.driver.find_elements(By.CSS_SELECTOR, css):
            try:
                if element.is_displayed():
                    return element
            except WebDriverException:
                continue
        return None

    def wait(self, condition, timeout=20, message="condition not met"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(0.25)
        self.screenshot("failure")
        raise AssertionError(message)

    def login(self, login, password):
        self.get("/web/session/logout")
        self.driver.delete_all_cookies()
        self.get("/web/login")
        self.find("input[name=login]").send_keys(login)
        self.find("input[name=password]").send_keys(password)
        self.find("form.oe_login_form button[type=submit]").click()
        self.wait(lambda: "/web/login" not in self.driver.current_url
                  and self.driver.execute_script(
                      "return document.readyState") == "complete",
                  message="login of %s failed" % login)

    def direction(self):
        return self.driver.execute_script(
            "return document.documentElement.getAttribute('dir')")

    def screenshot(self, name):
        os.makedirs(ARTIFACTS, exist_ok=True)
        path = os.path.join(ARTIFACTS, "%s.png" % name)
        self.driver.save_screenshot(path)
        return path

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text


class BrowserCase(HttpCase):
    """A test driving Chromium against the test process's HTTP server, which
    works in the registry's test cursor: so does `self.env`."""

    def setUp(self):
        super().setUp()
        self.env = self.env(cr=self.registry.test_cr)
        self.browser = Browser()
        self.addCleanup(self.browser.quit)

    def on_server(self, function):
        """Run `function` on the test cursor while no request uses it, and
        keep its work as a commit would: a request that rolls back (a
        refused login, a clash) returns to the test cursor's last savepoint,
        which is then after this work, as on a real server."""
        cr = self.registry.test_cr
        cr.acquire()
        try:
            self.env["clearance.request"].invalidate_cache()
            result = function()
            cr.commit()
            return result
        finally:
            cr.release()
