"""Odoo 11's login page and portal frame, as a visitor, a portal user and
a screen reader meet them."""
import re

from odoo.modules.module import get_module_resource
from odoo.tests.common import HttpCase, TransactionCase, at_install, post_install
from odoo.tools import html_escape
from odoo.tools.translate import PoFile, trans_generate

PASSWORD = "Portal-Access1ble"


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestPages(HttpCase):

    def setUp(self):
        super().setUp()
        # On 11.0 the HTTP server, and the session HttpCase makes, work in
        # the registry's test cursor: make the records where they see them.
        self.addCleanup(self.use_cursor, self.cr, self.env)
        self.use_cursor(self.registry.test_cr, self.env(cr=self.registry.test_cr))
        self.company = self.env.ref("base.main_company")

    def use_cursor(self, cr, env):
        self.cr, self.env = cr, env

    def get(self, path, lang_header=None, cookie=None):
        """The page's HTML; with `lang_header`, as a new visitor whose
        browser asks for that language."""
        if lang_header:
            self.opener.cookies.clear()
            self.opener.headers["Accept-Language"] = lang_header
        if cookie:
            self.opener.cookies.set("frontend_lang", cookie)
        response = self.url_open(path, timeout=60)
        self.assertEqual(response.status_code, 200, path)
        return response.text

    def persian(self):
        """Persian installed with Odoo's translations, the database's
        default language; English present too."""
        Lang = self.env["res.lang"].with_context(active_test=False)
        persian = Lang.search([("code", "=", "fa_IR")])
        if not persian.active or not self.env["ir.translation"].search_count(
                [("lang", "=", "fa_IR"), ("module", "=", "web"),
                 ("src", "=", "Log in")]):
            self.skipTest("Persian is not loaded in this database")
        self.env["ir.default"].set("res.partner", "lang", "fa_IR")
        return Lang

    def test_pages_can_be_zoomed_and_the_login_page_is_named(self):
        page = self.get("/web/login")
        viewport = re.search(r'<meta name="viewport" content="([^"]*)"', page).group(1)
        self.assertEqual(viewport, "width=device-width, initial-scale=1")
        logo = re.search(r'<img[^>]*/web/binary/company_logo[^>]*>', page).group()
        self.assertIn('alt="%s"' % html_escape(self.company.name), logo)
        self.assertIn("<title>%s</title>" % html_escape(self.company.name), page)
        self.assertIn('role="main"', page)
        field = re.search(r'<input[^>]*name="login"[^>]*>', page).group()
        self.assertIn('autocomplete="username"', field)

    def test_a_visitor_reads_the_portal_language(self):
        Lang = self.persian()
        # A browser asking for a language the database does not have: the
        # database's default one (Odoo 11 rendered the login in English).
        self.assertIn(">ورود<", self.get("/web/login", "de-DE,de;q=0.9"))
        english = Lang.search([("code", "=", "en_US")])
        if not english.active:
            # as in a database created in Persian: English is not installed
            self.assertIn(">ورود<", self.get("/web/login", "en-US,en;q=0.9"))
        # A browser asking for a language the database has: that one,
        # unless the visitor chose another.
        english.active = True
        self.assertIn(">Log in<", self.get("/web/login", "en-US,en;q=0.9"))
        self.assertIn(">ورود<", self.get("/web/login", "en-US", cookie="fa_IR"))

    def test_the_portal_frame_for_a_portal_user(self):
        self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Portal reader", "login": "a11y.portal", "password": PASSWORD,
            "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])]})
        self.authenticate("a11y.portal", PASSWORD)
        page = self.get("/my/home")
        self.assertRegex(page, r'<body[^>]*>\s*<a href="#o_main" class="[^"]*sr-only-focusable')
        self.assertRegex(page, r'<main id="o_main" tabindex="-1">|<main tabindex="-1" id="o_main">')
        brand = re.search(r'<a href="/" class="navbar-brand logo">.*?</a>', page, re.S).group()
        if self.company.logo:
            self.assertRegex(brand, r'<img [^>]*alt="%s"' % re.escape(self.company.name))
        home = re.search(r'<a href="/my/home" title="[^"]+">(.*?)</a>', page, re.S).group(1)
        self.assertRegex(home, r'<i class="fa fa-home" aria-hidden="true"></i>'
                               r'<span class="sr-only">\w+</span>')
        self.assertRegex(page, r"<title>[^<]*%s</title>" % re.escape(self.company.name))
        # the chatter's templates with the avatars' alternative texts
        self.assertIn("odoo.define('portal_accessibility.chatter'", self.assets(page))

    def assets(self, page):
        """The frontend script bundle's text."""
        url = re.search(r'<script type="text/javascript" src="(/web/content/[^"]*'
                        r'web\.assets_frontend[^"]*\.js)"', page).group(1)
        return self.url_open(url, timeout=60).text


@at_install(False)
@post_install(True)
class TestPersian(TransactionCase):

    def test_every_term_has_persian(self):
        path = get_module_resource("portal_accessibility", "i18n", "fa.po")
        with open(path, "rb") as po_file:
            catalogue = {entry[3]: entry[4] for entry in PoFile(po_file)}
        terms = {term[4] for term in trans_generate(
            "fa_IR", ["portal_accessibility"], self.cr)}
        self.assertIn("Skip to content", terms)
        missing = sorted(
            source for source in terms
            if not catalogue.get(source, "").strip()
            or (catalogue[source] == source and "HTTP" not in source))
        self.assertFalse(missing, "terms without Persian in i18n/fa.po:\n%s"
                         % "\n".join(missing))
