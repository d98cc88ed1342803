from odoo.tests.common import TransactionCase, at_install, post_install

from ..models import sis_file


@at_install(False)
@post_install(True)
class TestSisFile(TransactionCase):
    """The normalisation of an export's values."""

    def test_national_code(self):
        for code in ("0499370899", "0790419904", "0084575948"):
            self.assertTrue(sis_file.national_code_valid(code), code)
        for code in ("0499370898", "1111111111", "049937089", "04993708a9"):
            self.assertFalse(sis_file.national_code_valid(code), code)

    def test_mobile(self):
        for text in ("09121234567", "+989121234567", "00989121234567",
                     "989121234567", "9121234567", "۰۹۱۲ ۱۲۳ ۴۵۶۷",
                     "٠٩١٢١٢٣٤٥٦٧"):
            self.assertEqual(sis_file.normalise_mobile(text), "09121234567",
                             text)
        for text in ("12345", "0912123456", "08121234567", ""):
            self.assertIsNone(sis_file.normalise_mobile(text), text)

    def test_words(self):
        self.assertEqual(sis_file.clean_text("  علي   كريمي "), "علی کریمی")
        self.assertEqual(sis_file.clean_number("۴۰۱-۱۰۰۱"), "4011001")
        self.assertEqual(sis_file.parse_degree("كارشناسي ارشد"), "master")
        self.assertEqual(sis_file.parse_degree("کارشناسی"), "bachelor")
        self.assertEqual(sis_file.parse_degree("PhD"), "doctorate")
        self.assertIsNone(sis_file.parse_degree("نامعلوم"))
        self.assertEqual(sis_file.parse_shift("نوبت\u200cدوم"), "second")
        self.assertEqual(sis_file.parse_shift("شبانه"), "second")
        self.assertEqual(sis_file.parse_shift("Day"), "day")
        self.assertIsNone(sis_file.parse_shift("پاره وقت"))
        self.assertIs(sis_file.parse_bool("بله"), True)
        self.assertIs(sis_file.parse_bool("۰"), False)
        self.assertIsNone(sis_file.parse_bool("شاید"))

    def test_headers_and_delimiters(self):
        mapping, unknown = sis_file.map_headers(
            ["شماره\u200cدانشجویی", "نام", "نام  خانوادگي", "كد ملي",
             "Mobile", "Remarks"])
        self.assertEqual(mapping, {
            "student_number": 0, "first_name": 1, "last_name": 2,
            "national_code": 3, "mobile": 4})
        self.assertEqual(unknown, ["Remarks"])
        for delimiter in (",", ";", "\t"):
            rows = sis_file.read_csv(("\ufeffa%sb\r\n1%s2\r\n" % (
                delimiter, delimiter)).encode("utf-8"))
            self.assertEqual(rows, [["a", "b"], ["1", "2"]], delimiter)
