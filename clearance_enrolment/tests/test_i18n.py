"""The Persian translation of the addon: complete, and faithful to its
placeholders."""
from odoo.addons.web_jalali.tests.test_i18n import (
    ARABIC_LETTERS, PLACEHOLDER, own_terms)
from odoo.modules.module import get_module_resource
from odoo.tests.common import TransactionCase, at_install, post_install
from odoo.tools.translate import PoFile

MODULE = "clearance_enrolment"


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
        self.assertIn("Student imports", terms)
        self.assertIn("National code %s is not valid (check digit).", terms)
        missing = sorted(
            source for source in terms
            if not self.catalogue.get(source, "").strip()
            or self.catalogue[source] == source)
        self.assertFalse(missing, "terms without Persian in i18n/fa.po:\n%s"
                         % "\n".join(missing))

    def test_placeholders_and_persian_letters(self):
        for source, translation in self.catalogue.items():
            self.assertEqual(sorted(PLACEHOLDER.findall(source)),
                             sorted(PLACEHOLDER.findall(translation)), source)
            self.assertFalse(ARABIC_LETTERS.search(translation), translation)

    def test_import_shown_in_persian(self):
        fields = self.env["clearance.student.import"].with_context(
            lang="fa_IR").fields_get(["state", "skipped_count"])
        self.assertEqual(fields["skipped_count"]["string"], "کنار گذاشته شده")
        self.assertIn(("done", "درون‌ریزی شد"), fields["state"]["selection"])
        group = self.env.ref(
            "clearance_enrolment.group_clearance_registrar").with_context(
                lang="fa_IR")
        self.assertEqual(group.name, "کارشناس آموزش")
