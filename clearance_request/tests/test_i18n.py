"""The Persian translation: complete, loaded, and in the notice's words."""
import collections
import re

from odoo.addons.web_jalali.tests.test_i18n import own_terms
from odoo.exceptions import UserError
from odoo.modules.module import get_module_resource
from odoo.tools.translate import PoFile

from .common import ClearanceCase, make_student

MODULE = "clearance_request"
LANG = "fa_IR"

# Terms that stay as they are in Persian.
SAME_IN_PERSIAN = {
    "ir.actions.report",  # technical model name; base Odoo leaves it too
}

# The stage titles of the notice (clearance-process.fa.txt), character for
# character: this is the specification of the Persian stage names.
NOTICE_STAGES = [
    ("stage_create", "ساخت"),
    ("stage_department",
     "بررسی تسویه حساب داخلی – دریافت کارت دانشجویی توسط کارشناس بخش"),
    ("stage_library_kharazmi",
     "بررسی درخواست توسط کارشناس تسویه حساب کتابخانه خوارزمی"),
    ("stage_library_shirazi",
     "بررسی درخواست توسط کارشناس تسویه حساب کتابخانه میرزای شیرازی"),
    ("stage_library_mullasadra",
     "بررسی درخواست توسط کارشناس تسویه حساب کتابخانه ملاصدرا"),
    ("stage_counselling",
     "بررسی درخواست توسط کارشناس تسویه حساب مرکز مشاوره"),
    ("stage_nutrition",
     "بررسی درخواست توسط کارشناس تسویه حساب اداره تغذیه"),
    ("stage_student_accounting",
     "بررسی درخواست توسط کارشناس تسویه حساب حسابداری دانشجویی"),
    ("stage_dormitories",
     "بررسی درخواست توسط کارشناس تسویه حساب اداره خوابگاهها"),
    ("stage_welfare",
     "بررسی درخواست توسط کارشناس تسویه حساب اداره رفاه"),
    ("stage_second_shift_accounting", "حسابداری دانشجویان نوبت دوم"),
]

NOTICE_OFFICES = {
    "department": "بخش",
    "library_kharazmi": "کتابخانه خوارزمی",
    "library_shirazi": "کتابخانه میرزای شیرازی",
    "library_mullasadra": "کتابخانه ملاصدرا",
    "counselling": "مرکز مشاوره",
    "nutrition": "اداره تغذیه",
    "student_accounting": "حسابداری دانشجویی",
    "dormitories": "اداره خوابگاهها",
    "welfare": "اداره رفاه",
    "second_shift_accounting": "حسابداری دانشجویان نوبت دوم",
}

# What a translation must keep: Python and mail template placeholders,
# template line statements (% set, % if), and the markup of mails and pages.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[sd]|%[sd]|\$\{[^}]*\}|^[ \t]*%[ \t].*$", re.MULTILINE)
TAG = re.compile(r"<\s*/?\s*[a-zA-Z][\w-]*")
ATTRIBUTE = re.compile(r'\b([\w-]+)="([^"]*)"')
# Arabic letters that Persian writes with its own yeh and keheh.
ARABIC_LETTERS = re.compile("[\u064a\u0643\u0649]")


def markup(text):
    """Placeholders, tags and attributes of a term (a translation may add
    dir="rtl", nothing else)."""
    attributes = ["%s=%s" % pair for pair in ATTRIBUTE.findall(text)
                  if pair[0] != "dir"]
    return collections.Counter(
        PLACEHOLDER.findall(text) + TAG.findall(text) + attributes)


class TestPersianTranslation(ClearanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Every term of the module as Odoo exports it, with its translation
        # in the database.
        cls.terms = own_terms(cls.env, LANG, MODULE)
        path = get_module_resource(MODULE, "i18n", "fa.po")
        with open(path, "rb") as po_file:
            cls.catalogue = {source: translation for (
                _type, _name, _res_id, source, translation, _comments)
                in PoFile(po_file)}
        cls.fa = cls.env(context=dict(cls.env.context, lang=LANG))

    def untranslated(self, pairs):
        return sorted({source for source, translation in pairs
                       if not (translation or "").strip()
                       or (translation == source
                           and source not in SAME_IN_PERSIAN)})

    def test_every_term_has_persian_in_fa_po(self):
        self.assertGreater(len(self.terms), 250)
        missing = self.untranslated(
            (term[4], self.catalogue.get(term[4])) for term in self.terms)
        self.assertFalse(missing, "terms without Persian in i18n/fa.po:\n%s"
                         % "\n".join(missing))

    def test_every_term_is_loaded_in_persian(self):
        Translation = self.env["ir.translation"]
        loaded = []
        for _module, kind, _name, _res_id, source, translation, _c in self.terms:
            if kind == "code":
                # _() looks messages up by their text, whatever the file.
                translation = Translation._get_source(None, ("code",), LANG, source)
            loaded.append((source, translation))
        missing = self.untranslated(loaded)
        self.assertFalse(missing, "terms not loaded in Persian:\n%s"
                         % "\n".join(missing))

    def test_translations_keep_placeholders_and_markup(self):
        sources = {term[4] for term in self.terms}
        broken = []
        for source, translation in self.catalogue.items():
            if source in sources and markup(source) != markup(translation):
                broken.append("%r\n  -> %r" % (source, translation))
        self.assertFalse(broken, "placeholders or markup changed:\n%s"
                         % "\n".join(broken))

    def test_persian_letters_and_punctuation(self):
        wrong = [translation for translation in self.catalogue.values()
                 if ARABIC_LETTERS.search(translation)
                 or re.search("[\u0600-\u06ff] ?[,;?]( |$)", translation)]
        self.assertFalse(wrong, "Arabic yeh/kaf or Latin punctuation:\n%s"
                         % "\n".join(wrong))

    def test_stage_names_are_the_notices(self):
        for xmlid, name in NOTICE_STAGES:
            stage = self.fa.ref("%s.%s" % (MODULE, xmlid))
            self.assertEqual(stage.name, name, xmlid)
        self.assertEqual(len(NOTICE_STAGES), self.fa["clearance.stage"].search_count([]))

    def test_office_names_and_notice_terms(self):
        for key, name in NOTICE_OFFICES.items():
            self.assertEqual(
                self.fa.ref("%s.group_office_%s" % (MODULE, key)).name, name)
        Request = self.fa["clearance.request"]
        fields = Request.fields_get(["reason", "state", "cur_visit_required",
                                     "cur_card_received", "cur_installment_start"])
        self.assertEqual(dict(fields["reason"]["selection"]), {
            "expulsion": "اخراج", "withdrawal": "انصراف",
            "non_registration": "عدم ثبت نام"})
        self.assertEqual(dict(fields["state"]["selection"])["cleared"], "تسویه شده")
        self.assertEqual(fields["cur_visit_required"]["string"],
                         "مراجعه حضوری دانشجو الزامی است")
        self.assertEqual(fields["cur_card_received"]["string"],
                         "کارت دانشجویی تحویل گرفته شد")
        self.assertIn("اقساط", fields["cur_installment_start"]["string"])
        form = Request.fields_view_get(view_type="form")["arch"]
        self.assertIn('string="تایید اولیه فرم"', form)
        self.assertIn('string="ارسال به مرحله بعد"', form)
        self.assertIn('string="فرم مرحله"', form)

    def test_messages_reach_a_persian_user_in_persian(self):
        request = self.new_request().with_context(lang=LANG)
        with self.assertRaises(UserError) as caught:
            request.unlink()
        self.assertEqual(
            caught.exception.name,
            "درخواست\u200cهای تسویه حساب هرگز حذف نمی\u200cشوند؛ "
            "به جای حذف، درخواست را لغو کنید.")
        with self.assertRaises(UserError) as caught:
            request.hold_for_visit("-")
        self.assertEqual(
            caught.exception.name,
            "در مرحله «%s» مراجعه حضوری دانشجو درخواست نمی\u200cشود." % dict(
                NOTICE_STAGES)["stage_department"])

    def test_the_office_words_reach_a_persian_student_in_persian(self):
        student = make_student(self.env, "91000078", "دانشجوی حضوری", lang=LANG)
        request = self.advance_to(self.new_request(student), "library_kharazmi")
        request.sudo(self.officers["library_kharazmi"]).hold_for_visit(
            "کتاب‌ها را بیاورید.")
        told = request.sudo().message_ids.filtered(
            lambda m: m.message_type == "comment" and m.subtype_id == self.env.ref(
                "clearance_request.mt_request_hold"))
        self.assertEqual(len(told), 1)
        self.assertIn("مراجعه حضوری شما در مرحله «%s» الزامی است" % dict(
            NOTICE_STAGES)["stage_library_kharazmi"], told.body)
        self.assertIn("کتاب‌ها را بیاورید.", told.body)
        # the chatter's tracking, in the language of the officer who acted
        officer = self.officers["department"]
        officer.lang = LANG
        request = self.new_request(student.copy({
            "login": "91000079", "student_number": "91000079"}))
        self.forward(request, officer)
        value = request.sudo().message_ids.mapped("tracking_value_ids").filtered(
            lambda t: t.field == "stage_id" and t.old_value_char)
        self.assertEqual(
            (value.field_desc, value.old_value_char, value.new_value_char),
            ("مرحله", dict(NOTICE_STAGES)["stage_department"],
             dict(NOTICE_STAGES)["stage_library_kharazmi"]))

    def test_mails_render_in_persian(self):
        student = make_student(self.env, "91000077", "دانشجوی آزمون", lang=LANG)
        for office in ("department", "library_kharazmi"):
            self.officers[office].lang = LANG
        request = self.forward(self.new_request(student))
        templates = self.env["mail.template"].search([
            ("model", "=", "clearance.request")])
        self.assertEqual(len(templates), 7)
        for template in templates:
            mail = template.generate_email(request.id)
            self.assertTrue(mail["subject"].startswith(request.name + ": "),
                            mail["subject"])
            self.assertRegex(mail["subject"], "[\u0600-\u06ff]")
            body = mail["body_html"] or ""
            self.assertIn('dir="rtl"', body, template.name)
            self.assertIn("درخواست", body, template.name)
            self.assertIn(request.name, body, template.name)
            self.assertNotIn("${", body, template.name)
            self.assertNotRegex(body, r"\n\s*%\s", template.name)
            if template.partner_to == "${object.partner_id.id}":
                self.assertIn("دانشجوی آزمون گرامی،", body, template.name)
