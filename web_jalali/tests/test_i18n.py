"""The Persian translation of the addon: complete, and faithful to its
placeholders."""
import re

from odoo.modules.module import get_module_resource
from odoo.tests.common import TransactionCase, at_install, post_install
from odoo.tools.translate import PoFile, trans_generate

MODULE = "web_jalali"
# technical model names, left as they are (as Odoo's own Persian does)
SAME_IN_PERSIAN = {"base", "ir.sequence"}
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")
ARABIC_LETTERS = re.compile("[\u064a\u0643\u0649]")


def own_terms(env, lang, module):
    """The module's terms as Odoo exports them, without the labels of fields
    other addons define: Odoo 11 gives the addon installed first in a run
    the external ids of fields other addons add to the models it extends
    through _inherits (ir.cron's, for one)."""
    def own(term):
        if term[2].startswith("ir.model.fields,"):
            record = env.ref(term[3], raise_if_not_found=False)
            if record:
                field = env[record.model]._fields.get(record.name)
                return field is not None and field._module == module
        return True
    return [term for term in trans_generate(lang, [module], env.cr) if own(term)]


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
        terms = {term[4] for term in own_terms(self.env, "fa_IR", MODULE)}
        self.assertIn("Jalali (Solar Hijri)", terms)
        missing = sorted(
            source for source in terms
            if not self.catalogue.get(source, "").strip()
            or (self.catalogue[source] == source and source not in SAME_IN_PERSIAN))
        self.assertFalse(missing, "terms without Persian in i18n/fa.po:\n%s"
                         % "\n".join(missing))

    def test_placeholders_and_persian_letters(self):
        for source, translation in self.catalogue.items():
            self.assertEqual(sorted(PLACEHOLDER.findall(source)),
                             sorted(PLACEHOLDER.findall(translation)), source)
            self.assertFalse(ARABIC_LETTERS.search(translation), translation)

    def test_preference_shown_in_persian(self):
        field = self.env["res.users"].with_context(lang="fa_IR").fields_get(
            ["calendar_system"])["calendar_system"]
        self.assertEqual(field["string"], "تقویم")
        self.assertIn(("jalali", "خورشیدی (هجری شمسی)"), field["selection"])
