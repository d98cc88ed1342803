"""The Persian translation of the addon: complete, faithful to its
placeholders, and what a Persian user reads."""
import re

from odoo.exceptions import AccessError
from odoo.modules.module import get_module_resource
from odoo.tests.common import TransactionCase, at_install, post_install
from odoo.tools.translate import PoFile, trans_generate

from .common import make_user

MODULE = "base_orm_guard"
PLACEHOLDER = re.compile(r"%\(\w+\)[sr]|%s")
ARABIC_LETTERS = re.compile("[\u064a\u0643\u0649]")


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestPersianTranslation(TransactionCase):

    def setUp(self):
        super().setUp()
        path = get_module_resource(MODULE, "i18n", "fa.po")
        with open(path, "rb") as po_file:
            self.catalogue = {entry[3]: entry[4] for entry in PoFile(po_file)}

    def test_every_term_has_persian(self):
        # the addon's own messages (the models it extends bring the labels
        # of other addons' fields, translated by those addons)
        terms = {term[4] for term in trans_generate(
            "fa_IR", [MODULE], self.env.cr) if term[1] == "code"}
        self.assertIn("The sort order is not valid.", terms)
        missing = sorted(source for source in terms
                         if not self.catalogue.get(source, "").strip()
                         or self.catalogue[source] == source)
        self.assertFalse(missing, "terms without Persian in i18n/fa.po:\n%s"
                         % "\n".join(missing))

    def test_placeholders_and_persian_letters(self):
        for source, translation in self.catalogue.items():
            self.assertEqual(sorted(PLACEHOLDER.findall(source)),
                             sorted(PLACEHOLDER.findall(translation)), source)
            self.assertFalse(ARABIC_LETTERS.search(translation), translation)

    def test_refusal_reaches_a_persian_user_in_persian(self):
        self.env.ref("base.lang_en").active = True
        if not self.env["res.lang"].search([("code", "=", "fa_IR")]):
            self.env["base.language.install"].create(
                {"lang": "fa_IR"}).lang_install()
        self.env["ir.translation"].load_module_terms([MODULE], ["fa_IR"])
        portal = make_user(self.env, "t.guard.i18n.portal",
                           "base.group_portal")
        portal.lang = "fa_IR"
        Partner = self.env["res.partner"].sudo(portal).with_context(
            lang="fa_IR")
        with self.assertRaises(AccessError) as caught:
            Partner.search_count([("activity_summary", "=like", "a%")])
        self.assertIn("نمی‌توانید", caught.exception.name)
