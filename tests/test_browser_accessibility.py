"""The student's portal, its login page and the certificate's public page,
audited in real Chromium with axe-core (WCAG 2.0 and 2.1, levels A and AA)
on a phone and a laptop; walked by keyboard alone; read as a screen reader
reads them."""
import collections
import os

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

    # -- the keyboard ----------------------------------------------------

    def focused(self):
        """The focused element: its tag, name, href, type, text, box and
        whether a focus ring shows (an outline or a box shadow)."""
        return self.js(
            "var e = document.activeElement; if (!e) { return null; }"
            "var s = getComputedStyle(e), r = e.getBoundingClientRect();"
            "return {tag: e.tagName.toLowerCase(), name: e.name || '',"
            "  href: e.getAttribute('href') || '', type: e.type || '',"
            "  value: e.value || '',"
            "  text: (e.innerText || '').trim(),"
            "  left: r.left, right: r.right, top: r.top, bottom: r.bottom,"
            "  visible: r.width > 0 && r.height > 0,"
            "  ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)"
            "        || (s.boxShadow && s.boxShadow !== 'none')};")

    def tab(self, shift=False):
        keys = (Keys.SHIFT, Keys.TAB) if shift else (Keys.TAB,)
        self.browser.driver.switch_to.active_element.send_keys(*keys)
        return self.focused()

    def assertRing(self, element):
        """The focused element is on the screen with a visible ring."""
        self.assertTrue(element["visible"], element)
        self.assertTrue(element["ring"], "no visible focus on %s" % element)

    def assertRightToLeft(self, stops):
        """Consecutive stops on one line go from right to left."""
        for before, after in zip(stops, stops[1:]):
            same_line = (after["top"] < before["bottom"]
                         and before["top"] < after["bottom"])
            if same_line:
                self.assertLessEqual(after["right"], before["left"] + 1,
                                     "focus went right: %s -> %s" % (before, after))

    def tab_from_main(self, count):
        """Skip to the content from the top of the page, then Tab `count`
        times: the focus stops."""
        browser = self.browser
        browser.find("body").send_keys(Keys.TAB)  # from the document
        skip = self.focused()
        self.assertEqual(skip["href"], "#o_main")
        self.assertRing(skip)
        browser.driver.switch_to.active_element.send_keys(Keys.ENTER)
        self.assertEqual(self.js("return document.activeElement.id"), "o_main")
        stops = []
        for _i in range(count):
            stop = self.tab()
            self.assertRing(stop)
            stops.append(stop)
        return stops

    def test_keyboard_alone_right_to_left(self):
        """A student logs in, asks for clearance and opens the tracker by
        keyboard alone; the focus always shows and goes right to left."""
        student = self.env.ref("clearance_request.user_student_9811001_demo")
        login = student.login
        partner = student.partner_id.id
        browser = self.browser
        report = {}
        browser.driver.set_window_size(*SIZES["laptop"])
        browser.get("/web/login")
        field = self.focused()  # the login field has the focus
        self.assertEqual(field["name"], "login")
        self.assertRing(field)
        browser.driver.switch_to.active_element.send_keys(login)
        self.assertEqual(self.tab()["name"], "password")
        browser.driver.switch_to.active_element.send_keys("demo", Keys.ENTER)
        browser.wait(lambda: "/web/login" not in browser.driver.current_url,
                     message="the keyboard login failed")

        # The header, laptop: the logo on the right, then the user's menu.
        browser.get("/my/clearance/new")
        browser.find("form.o_clearance_new_form")
        self.audit(report, "new request (form)", "laptop")
        browser.find("body").send_keys(Keys.TAB)
        header = [self.tab(), self.tab()]
        self.assertEqual(header[0]["href"], "/")
        self.assertEqual(header[1]["href"], "#")  # the user's menu
        for stop in header:
            self.assertRing(stop)
        self.assertRightToLeft(header)

        # The new-request form on a phone, by keyboard.
        browser.driver.set_window_size(*SIZES["phone"])
        browser.get("/my/clearance/new")
        browser.find("form.o_clearance_new_form")
        self.audit(report, "new request (form)", "phone")
        stops = self.tab_from_main(3)
        self.assertEqual([stop["href"] for stop in stops[:2]],
                         ["/my/home", "/my/clearance"])
        self.assertRightToLeft(stops[:2])
        self.assertEqual((stops[2]["tag"], stops[2]["name"]), ("input", "reason"))
        # the arrow keys choose among the reasons, Tab leaves them
        browser.driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
        chosen = self.focused()
        self.assertEqual(chosen["name"], "reason")
        self.assertTrue(self.js("return document.activeElement.checked"))
        self.assertRing(chosen)
        submit = self.tab()
        self.assertEqual((submit["tag"], submit["type"]), ("button", "submit"))
        self.assertRing(submit)
        browser.driver.switch_to.active_element.send_keys(Keys.ENTER)
        browser.wait(lambda: self.on_server(lambda: self.env["clearance.request"].search(
            [("partner_id", "=", partner)])), 30, "the request was not sent")
        request = self.on_server(lambda: self.env["clearance.request"].search(
            [("partner_id", "=", partner)]))
        self.assertEqual(self.on_server(lambda: (request.state, request.reason)),
                         ("progress", chosen["value"]))

        # The tracker: its route, then the cancel button, by keyboard.
        browser.wait(lambda: "/my/clearance/%d" % request.id in browser.driver.current_url,
                     message="the tracker did not open")
        browser.find("ol.o_clearance_route")
        self.audit(report, "tracker (new)", "phone")
        stops = self.tab_from_main(3)
        self.assertEqual([stop["href"] for stop in stops[:2]],
                         ["/my/home", "/my/clearance"])
        self.assertRightToLeft(stops[:2])
        cancel = stops[2]
        self.assertEqual(cancel["tag"], "button")
        self.assertEqual(self.js("return document.activeElement.getAttribute('data-target')"),
                         "#clearance_cancel_confirm")
        browser.driver.switch_to.active_element.send_keys(Keys.ENTER)
        confirm = browser.find("form.o_clearance_cancel_form button[type=submit]")
        self.assertEqual(self.js("return document.activeElement.getAttribute('aria-expanded')"),
                         "true")
        self.assertEqual(self.tab()["text"], confirm.text)
        self.assertRing(self.focused())
        browser.screenshot("a11y_tracker_keyboard_phone")
        self.print_report(report)
        self.assertFalse([v for violations in report.values() for v in violations
                          if v[1] in BLOCKING], report)

    # -- what a screen reader reads --------------------------------------

    def test_tracker_route_is_an_ordered_list_with_states_in_words(self):
        browser = self.browser
        browser.login(STUDENT, "demo")
        browser.get("/my/clearance/%d" % self.request.id)
        browser.find("ol.o_clearance_route")
        states = self.on_server(lambda: self.request.line_ids.mapped("state"))
        items = self.js(
            "var ol = document.querySelector('ol.o_clearance_route');"
            "var title = document.getElementById(ol.getAttribute('aria-labelledby'));"
            "return {title: title && title.innerText.trim(),"
            "  items: Array.from(ol.children).map(function (li) {"
            "    return {tag: li.tagName.toLowerCase(), text: li.innerText.trim(),"
            "      current: li.getAttribute('aria-current'),"
            "      icons: Array.from(li.querySelectorAll('i.fa')).map(function (i) {"
            "        return i.getAttribute('aria-hidden'); })}; })};")
        self.assertEqual(items["title"], "واحدها")
        self.assertEqual(len(items["items"]), len(states))
        words = {"done": "انجام شده در", "current": "اکنون در این واحد، از",
                 "waiting": "در انتظار"}
        for state, item in zip(states, items["items"]):
            self.assertEqual(item["tag"], "li")
            # the icons are hidden from screen readers; the state is words
            self.assertEqual(set(item["icons"]), {"true"}, item)
            self.assertIn(words[state], item["text"], (state, item))
            self.assertEqual(item["current"], "step" if state == "current" else None)
        self.assertEqual(states.count("current"), 1)

    # -- the login page --------------------------------------------------

    def test_login_page_in_persian_asks_for_the_student_number(self):
        """A visitor whose browser asks for English (Chromium's default)
        gets the login page in the portal's language, Persian, right to
        left, asking for the student number."""
        browser = self.browser
        browser.driver.set_window_size(*SIZES["phone"])
        browser.get("/web/login")
        self.assertEqual(self.js("return navigator.language"), "en-US")
        self.assertEqual(browser.direction(), "rtl")
        self.assertEqual(self.js("return document.documentElement.lang"), "fa-IR")
        field = browser.find("input[name=login]")
        label = browser.find("label[for=login]")
        self.assertEqual(label.text.strip(), LOGIN_LABEL)
        self.assertEqual(
            [field.get_attribute(name) for name in ("type", "autocomplete", "inputmode", "dir")],
            ["text", "username", "text", "ltr"])
        self.assertIn("ورود", browser.find("form.oe_login_form button[type=submit]").text)
        logo = browser.find("img.o_login_logo")
        self.assertTrue(logo.get_attribute("alt"))
        # the page may be zoomed
        self.assertNotIn("user-scalable", self.js(
            "return document.querySelector('meta[name=viewport]').content"))
        browser.screenshot("a11y_login_phone")
        # a wrong password is refused in Persian too
        field.send_keys(STUDENT)
        browser.find("input[name=password]").send_keys("wrong", Keys.ENTER)
        error = browser.find("form.oe_login_form .alert-danger")
        self.assertNotRegex(error.text, "[A-Za-z]{3}")
        self.assertEqual(browser.direction(), "rtl")
