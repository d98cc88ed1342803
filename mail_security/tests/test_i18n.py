"""The Persian translation of the addon: complete, and faithful to its
placeholders."""
import re

from odoo.modules.module import get_module_resource
from odoo.tests.common import TransactionCase, at_install, post_install
from odoo.tools.translate import PoFile, trans_generate

MODULE = "mail_security"
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdfg]|%s")
ARABIC_LETTERS = re.compile("[\u064a\u0643\u0649]")


@at_install(False)
@post_install(True)
class TestPersianTranslation(TransactionCase):

    def setUp(self):
        super().setUp()
        path = get_module_resource(MODULE, "i18n", "fa.po")
        with open(path, "rb") as po_file:
            self.catalogue = {entry[3]: entry[4] for entry in PoFile(po_file)}

    def test_every_term_has_persian(self):
        terms = {term[4] for term in trans_generate(
            "fa_IR", [MODULE], self.env.cr)}
        self.assertTrue(terms)
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
