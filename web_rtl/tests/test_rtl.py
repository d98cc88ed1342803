"""Persian reads right to left: its languages, and the pages of its users."""
import re

from odoo.tests.common import HttpCase, TransactionCase, at_install, post_install

from ..hooks import FROM_CLEARANCE_REQUEST, post_init_hook, pre_init_hook


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestLanguageDirection(TransactionCase):

    def lang(self, code):
        Lang = self.env["res.lang"].with_context(active_test=False)
        if not Lang.search([("code", "=", code)]):
            Lang.load_lang(code)
        return Lang.search([("code", "=", code)])

    def test_persian_languages_are_right_to_left(self):
        self.assertEqual(self.lang("fa_IR").direction, "rtl")
        # a Persian language loaded after the addon
        self.assertEqual(self.lang("fa_AF").direction, "rtl")
        self.assertEqual(self.lang("en_US").direction, "ltr")

    def test_install_turns_the_loaded_persian_right_to_left(self):
        persian = self.lang("fa_IR")
        persian.direction = "ltr"  # as Odoo 11 ships it
        post_init_hook(self.cr, self.registry)
        persian.invalidate_cache()
        self.assertEqual(persian.direction, "rtl")
        self.assertEqual(self.lang("en_US").direction, "ltr")


@at_install(False)
@post_install(True)
class TestTakeOver(TransactionCase):

    def test_a_database_from_clearance_request_keeps_its_views(self):
        """The views clearance_request shipped become this addon's, same
        records, when it installs into such a database."""
        Data = self.env["ir.model.data"]
        views = {name: self.env.ref("web_rtl.%s" % name).id
                 for name in FROM_CLEARANCE_REQUEST}
        # as clearance_request 11.0.2.1.0 left them
        Data.search([("module", "=", "web_rtl"),
                     ("name", "in", FROM_CLEARANCE_REQUEST)]).write(
                         {"module": "clearance_request"})
        pre_init_hook(self.cr)
        Data.invalidate_cache()
        Data.clear_caches()  # the external ids are looked up through a cache
        for name, view_id in views.items():
            self.assertEqual(Data.xmlid_to_res_id("web_rtl.%s" % name), view_id)
            self.assertFalse(Data.xmlid_to_res_id("clearance_request.%s" % name))


@at_install(False)
@post_install(True)
class TestPageDirection(HttpCase):

    def setUp(self):
        super().setUp()
        # On 11.0 the HTTP server, and the session HttpCase makes, work in
        # the registry's test cursor: make the users where they see them.
        self.addCleanup(self.use_cursor, self.cr, self.env)
        self.use_cursor(self.registry.test_cr, self.env(cr=self.registry.test_cr))

    def use_cursor(self, cr, env):
        self.cr, self.env = cr, env

    def user(self, login, lang):
        self.env["res.lang"].with_context(active_test=False).search(
            [("code", "=", lang)]).active = True
        return self.env["res.users"].with_context(no_reset_password=True).create({
            "name": login, "login": login, "password": login, "lang": lang,
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])]})

    def html_tag(self, login):
        """The <html> tag of the backend's page, as `login` gets it."""
        self.authenticate(login, login)
        response = self.url_open("/web", timeout=120)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("/web/login", response.url)
        return re.search(r"<html[^>]*>", response.text).group()

    def test_a_persian_users_pages_read_right_to_left(self):
        self.user("rtl.persian", "fa_IR")
        tag = self.html_tag("rtl.persian")
        self.assertIn('dir="rtl"', tag)
        self.assertIn('lang="fa-IR"', tag)

    def test_an_english_users_pages_read_left_to_right(self):
        self.user("rtl.english", "en_US")
        tag = self.html_tag("rtl.english")
        self.assertIn('dir="ltr"', tag)
        self.assertIn('lang="en-US"', tag)
