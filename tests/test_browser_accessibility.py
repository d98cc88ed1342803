"""The student's portal, its login page and the certificate's public page,
audited in real Chromium with axe-core (WCAG 2.0 and 2.1, levels A and AA)
on a phone and a laptop; walked by keyboard alone; read as a screen reader
reads them."""
import collections
import os

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .browser import BrowserCase
from .harness import DEMO_OFFICER_LOGINS, ROOT, fill_form

AXE = os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")
SIZES = {"phone": (390, 844), "laptop": (1366, 768)}
STUDENT = "9811005"
LOGIN_LABEL = "شماره دانشجویی یا نام کاربری"


class TestBrowserAccessibility(BrowserCase):

    def setUp(self):
        super().setUp()
        self.student = self.env.ref("clearance_request.user_student_9811005_demo")
        self.assertEqual(self.student.login, STUDENT)
        self.request = self.on_server(lambda: self.env["clearance.request"].search(
            [("partner_id", "=", self.student.partner_id.id)]))
        self.assertEqual(self.on_server(lambda: self.request.state), "progress")
        with open(AXE) as handle:
            self.axe_source = handle.read()

    # -- helpers ---------------------------------------------------------

    def js(self, script, *args):
        return self.browser.driver.execute_script(script, *args)

    def axe(self):
        """axe-core's violations on the page shown: [(rule, impact, nodes,
        first targets)]."""
        driver = self.browser.driver
        driver.set_script_timeout(60)
        if not self.js("return !!window.axe"):
            self.js(self.axe_source)
        result = driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
            "                   resultTypes: ['violations']})"
            ".then(function (r) { done(r.violations.map(function (v) {"
            "  return [v.id, v.impact, v.nodes.length,"
            "          v.nodes.slice(0, 3).map(function (n) {"
            "            var data = (n.any[0] || {}).data || {};"
            "            return n.target.join(' ') + (data.contrastRatio ?"
            "              ' (' + data.fgColor + ' on ' + data.bgColor + ': '"
            "              + data.contrastRatio + ')' : ''); })]; })); },"
            "      function (e) { done('axe failed: ' + e); });", AXE_TAGS)
        self.assertIsInstance(result, list, result)
        return result

    def audit(self, report, page, size):
        """axe on the page shown, recorded under `page` and `size`."""
        self.browser.wait(lambda: self.js(
            "return document.readyState") == "complete")
        violations = self.axe()
        report[(page, size)] = violations
        return violations

    @staticmethod
    def print_report(report):
        print("\naxe-core %s, %s: violations by impact (rules/elements)"
              % ("+".join(AXE_TAGS), "critical serious moderate minor"))
        for (page, size), violations in sorted(report.items()):
            counts = collections.Counter()
            nodes = collections.Counter()
            for _rule, impact, count, _targets in violations:
                counts[impact] += 1
                nodes[impact] += count
            print("  %-22s %-6s %s" % (page, size, "  ".join(
                "%d/%d" % (counts[impact], nodes[impact]) for impact in IMPACTS)))
            for rule, impact, count, targets in violations:
                print("      %-9s %-26s %3d  %s"
                      % (impact, rule, count, "; ".join(targets)))

    def make_cleared_request(self):
        """A cleared request of the student 9811001, its certificate's
        verification code."""
        student = self.env.ref("clearance_request.user_student_9811001_demo")
        request = self.env["clearance.request"].sudo(student).create(
            {"partner_id": student.partner_id.id, "reason": "withdrawal"})
        request.action_submit()
        Users = self.env["res.users"]
        while request.state != "cleared":
            officer = Users.search([
                ("login", "in", list(DEMO_OFFICER_LOGINS.values())),
                ("groups_id", "in", request.stage_id.group_id.ids)], limit=1)
            fill_form(request.sudo(officer)).action_forward()
            request.invalidate_cache()
        self.assertTrue(request.certificate_code)
        return request.certificate_code

    def return_request(self):
        """The counselling centre returns the student's request."""
        officer = self.env.ref("clearance_request.user_officer_counselling_demo")
        self.request.sudo(officer).return_to_student(
            "نامه ی معرفی را پیوست کنید.")
        self.assertEqual(self.request.state, "returned")

    # -- the audit -------------------------------------------------------

    def test_axe_portal_pages(self):
        """No critical or serious violation on any page, phone or laptop."""
        code = self.on_server(self.make_cleared_request)
        browser = self.browser
        report = {}
        pages = [
            ("/my", "my"),
            ("/my/clearance", "my/clearance"),
            ("/my/clearance/%d" % self.request.id, "tracker (progress)"),
            ("/my/clearance/new", "new request"),
        ]
        for size, (width, height) in SIZES.items():
            browser.driver.set_window_size(width, height)
            browser.get("/web/session/logout")
            browser.driver.delete_all_cookies()
            browser.get("/web/login")
            self.audit(report, "login", size)
            browser.get("/clearance/verify/%s" % code)
            self.assertIn(code[:4], browser.driver.current_url)
            self.audit(report, "verify", size)
            browser.login(STUDENT, "demo")
            for path, page in pages:
                browser.get(path)
                self.audit(report, page, size)
        # a returned request: the correction form
        self.on_server(self.return_request)
        for size, (width, height) in SIZES.items():
            browser.driver.set_window_size(width, height)
            browser.get("/my/clearance/%d" % self.request.id)
            browser.find("form.o_clearance_resubmit_form")
            self.audit(report, "tracker (returned)", size)
        self.print_report(report)
        blocking = sorted(
            (page, size, rule, impact, targets)
            for (page, size), violations in report.items()
            for rule, impact, _count, targets in violations
            if impact in BLOCKING)
        self.assertFalse(blocking, "critical or serious violations:\n%s" % "\n".join(
            map(str, blocking)))
