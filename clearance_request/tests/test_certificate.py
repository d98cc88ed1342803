import io
import logging
import os
import re
import subprocess
import tempfile
import time

from PyPDF2 import PdfFileReader

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import HttpCase, at_install, post_install

from ..models.clearance_certificate import new_certificate_code
from ..tools import jalali
from .common import (
    OFFICES, ClearanceCase, cleared_request, make_officer, make_student)

REPORT = "clearance_request.action_report_clearance_certificate"
REPORT_MODEL = "report.clearance_request.report_clearance_certificate"
CODE = re.compile(r"^[A-Z2-7]{24}$")

_logger = logging.getLogger(__name__)


def pdf_text(pdf):
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, stdout=subprocess.PIPE,
        check=True).stdout.decode()


def save_png(pdf, name):
    """The first page at 60 dpi in artifacts/, for a human to look at."""
    folder = os.path.join(os.environ.get("CLEARANCE_ROOT", "."), "artifacts")
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", handle.name,
             os.path.join(folder, name)], check=True)
    return os.path.join(folder, name + ".png")


class TestCertificate(ClearanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.student_fa = make_student(
            cls.env, "98110042", "سارا احمدی",
            student_faculty="آموزش‌های الکترونیکی", tz="Asia/Tehran")

    def clear(self, request):
        while request.state == "progress":
            self.forward(request)
        return request

    def test_clearing_issues_a_certificate(self):
        request = self.new_request()
        self.assertFalse(request.certificate_code)
        self.advance_to(request, "welfare")
        self.assertFalse(request.certificate_code)
        self.assertFalse(request.certificate_valid)
        self.clear(request)
        self.assertEqual(request.state, "cleared")
        self.assertRegex(request.certificate_code, CODE)
        self.assertEqual(request.certificate_date, request.clear_date)
        self.assertTrue(request.certificate_valid)
        other = self.clear(self.new_request(self.student_other))
        self.assertRegex(other.certificate_code, CODE)
        self.assertNotEqual(other.certificate_code, request.certificate_code)
        # a workflow field: nobody writes it by hand
        for user in (self.manager, self.student_day):
            with self.assertRaises(AccessError):
                request.sudo(user).write({"certificate_code": "A" * 24})
            with self.assertRaises(AccessError):
                request.sudo(user).write({"certificate_revoked": True})
        self.assertTrue(request.certificate_valid)

    def test_only_a_manager_revokes(self):
        request = self.clear(self.new_request())
        for user in (self.officers["welfare"], self.officers["department"],
                     self.employee, self.student_day):
            with self.assertRaises(AccessError):
                request.sudo(user).revoke_certificate("No reason")
        request.invalidate_cache()
        self.assertTrue(request.certificate_valid)
        messages_before = request.sudo().message_ids
        request.sudo(self.manager).revoke_certificate(
            "The library found an unreturned book.")
        request.invalidate_cache()
        self.assertTrue(request.certificate_revoked)
        self.assertTrue(request.certificate_revoked_date)
        self.assertEqual(request.certificate_revoked_reason,
                         "The library found an unreturned book.")
        self.assertFalse(request.certificate_valid)
        new_messages = request.sudo().message_ids - messages_before
        tracked = new_messages.mapped("tracking_value_ids").filtered(
            lambda t: t.field == "certificate_revoked")
        self.assertTrue(tracked, "the revocation is tracked in the chatter")
        self.assertEqual(tracked.mapped("mail_message_id.author_id"),
                         self.manager.partner_id)
        self.assertIn("unreturned book", "".join(new_messages.mapped("body")))
        with self.assertRaises(UserError):
            request.sudo(self.manager).revoke_certificate()
        with self.assertRaises(UserError):
            self.new_request(self.student_other).sudo(
                self.manager).revoke_certificate()

    def test_report_only_for_its_student_or_a_manager(self):
        """The report itself refuses, also when reached through /report/."""
        cleared = self.clear(self.new_request())
        open_request = self.new_request(self.student_other)
        report = self.env[REPORT_MODEL]
        self.assertEqual(
            report.sudo(self.student_day).get_report_values(
                cleared.ids)["docs"], cleared)
        self.assertTrue(report.sudo(self.manager).get_report_values(
            cleared.ids)["docs"])
        # an office that cleared it reads the request, but gets no certificate
        with self.assertRaises(AccessError):
            report.sudo(self.officers["welfare"]).get_report_values(
                cleared.ids)
        with self.assertRaises(AccessError):
            report.sudo(self.student_other).get_report_values(cleared.ids)
        with self.assertRaises(UserError):
            report.sudo(self.student_other).get_report_values(
                open_request.ids)
        with self.assertRaises(UserError):
            report.sudo(self.manager).get_report_values(open_request.ids)
        cleared.sudo(self.manager).revoke_certificate()
        with self.assertRaises(UserError):
            report.sudo(self.student_day).get_report_values(cleared.ids)

    def test_certificate_content_in_persian(self):
        request = self.clear(self.new_request(self.student_fa))
        report = self.env.ref(REPORT).sudo(self.manager)
        html = report.render_qweb_html(request.ids)[0].decode()
        self.assertIn('dir="rtl"', html)
        self.assertIn('lang="fa-IR"', html)
        self.assertIn("سارا احمدی", html)
        self.assertIn("۹۸۱۱۰۰۴۲", html, "Persian digits")
        self.assertNotIn("98110042", html)
        self.assertIn("آموزش‌های الکترونیکی", html)
        # selection values in Persian though the manager reads English
        self.assertEqual(self.manager.lang, "en_US")
        for field in ("student_degree", "reason"):
            label = request.with_context(lang="fa_IR")._selection_label(field)
            self.assertNotEqual(label, request._selection_label(field))
            self.assertIn(label, html)
        self.assertIn(request.name, html)
        clear_day = jalali.format_date(
            request.clear_date, "fa_IR", "Asia/Tehran")
        self.assertRegex(clear_day, "^[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}$")
        self.assertIn(clear_day, html)
        lines = request._certificate_lines()
        self.assertEqual(len(lines), len(OFFICES) - 1)
        for line in lines:
            self.assertIn(line.group_id.with_context(lang="fa_IR").name, html)
            self.assertIn(line.officer_id.name, html)
        self.assertIn(request.certificate_code, html)
        self.assertIn('src="data:image/png;base64,', html, "the QR code")

        started = time.time()
        pdf = report.render_qweb_pdf(request.ids)[0]
        elapsed = time.time() - started
        self.assertEqual(pdf[:4], b"%PDF")
        self.assertEqual(PdfFileReader(io.BytesIO(pdf)).getNumPages(), 1)
        text = pdf_text(pdf)
        self.assertIn(request.certificate_code, text)
        self.assertIn(request._certificate_verify_url(), text)
        self.assertIn(request.name, text)
        png = save_png(pdf, "certificate")
        self.assertGreater(os.path.getsize(png), 5000)
        _logger.info("certificate PDF: %d bytes in %.2f s", len(pdf), elapsed)


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class CertificateHttpCase(HttpCase):
    """A cleared request and a pending one, served by the test process's
    HTTP server."""

    def setUp(self):
        super().setUp()
        # In test mode the HTTP server serves every request in the registry's
        # test cursor: this test's records live there and vanish with it.
        cr = self.registry.cursor()
        cr.release()
        self.env = api.Environment(cr, SUPERUSER_ID, {})
        env = self.env
        env.ref("base.lang_en").active = True
        self.manager = make_officer(
            env, "h.manager", "clearance_request.group_clearance_manager")
        self.department = make_officer(
            env, "h.department", "clearance_request.group_office_department")
        self.student = make_student(env, "96000001", "Cleared Student")
        self.other = make_student(env, "96000002", "Other Student")
        self.cleared = self.cleared_request(self.student)
        self.pending = self.env["clearance.request"].sudo(self.other).create({
            "partner_id": self.other.partner_id.id, "reason": "expulsion"})
        self.pending.action_submit()
        self.keep()

    def keep(self):
        """Keep this test's records through requests that fail: the test
        cursor's commit only moves its savepoint, all is rolled back when
        the test leaves test mode."""
        self.env.cr.commit()  # pylint: disable=invalid-commit

    def authenticate(self, user, password):
        # HttpCase computes the session token in self.cr, where the users of
        # these tests do not exist.
        cr, self.cr = self.cr, self.env.cr
        try:
            return super().authenticate(user, password)
        finally:
            self.cr = cr

    def cleared_request(self, student):
        """A request cleared by the department officer, then a manager."""
        request = cleared_request(student, self.department, self.manager)
        self.assertTrue(request.certificate_valid)
        return request

    def download(self, request_id):
        return self.url_open("/my/clearance/%d/certificate" % request_id)

    def verify(self, code, lang="en_US"):
        return self.url_open("/clearance/verify/%s%s" % (
            code, "?lang=%s" % lang if lang else ""))


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestCertificateHttp(CertificateHttpCase):
    """The download and the verify page, as students, staff and visitors."""

    # download ------------------------------------------------------------
    def test_student_and_manager_download(self):
        self.authenticate(self.student.login, self.student.login)
        response = self.download(self.cleared.id)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn("certificate-", response.headers["Content-Disposition"])
        self.assertEqual(response.content[:4], b"%PDF")
        self.assertIn(self.cleared.certificate_code,
                      pdf_text(response.content))
        self.authenticate(self.manager.login, self.manager.login)
        response = self.download(self.cleared.id)
        self.assertEqual(response.content[:4], b"%PDF")

    def test_download_refused_to_everyone_else(self):
        self.authenticate(self.other.login, self.other.login)
        self.assertEqual(self.download(self.cleared.id).status_code, 404)
        # their own request, not cleared yet
        self.assertEqual(self.download(self.pending.id).status_code, 404)
        self.assertEqual(self.download(self.pending.id + 100000).status_code, 404)
        # the department cleared the student and reads the request, but the
        # certificate is the student's
        self.authenticate(self.department.login, self.department.login)
        self.assertTrue(self.cleared.sudo(self.department).read(["name"]))
        self.assertEqual(self.download(self.cleared.id).status_code, 404)

    def test_anonymous_download_goes_to_login(self):
        response = self.download(self.cleared.id)
        self.assertTrue(response.history)
        self.assertIn(response.history[0].status_code, (302, 303))
        self.assertIn("/web/login", response.url)
        self.assertNotEqual(response.content[:4], b"%PDF")

    # verify page ---------------------------------------------------------
    def verified(self, status, message):
        """The verify page of the cleared request's code: its status, its
        message and who was cleared; returns the page."""
        response = self.verify(self.cleared.certificate_code)
        self.assertEqual(response.status_code, 200)
        body = response.text
        self.assertIn('data-certificate-status="%s"' % status, body)
        for text in (message, "Cleared Student", self.cleared.name,
                     self.student.student_number):
            self.assertIn(text, body)
        return body

    def test_verify_valid_certificate(self):
        body = self.verified("valid", "This clearance certificate is valid.")
        self.assertNotIn("has been revoked", body)
        # lower case, as typed from paper
        lower = self.verify(self.cleared.certificate_code.lower())
        self.assertIn('data-certificate-status="valid"', lower.text)

    def test_verify_page_is_persian_by_default(self):
        body = self.verify(self.cleared.certificate_code, lang=None).text
        self.assertIn('<html lang="fa-IR" dir="rtl">', body)
        self.assertIn('href="?lang=en_US"', body)
        english = self.verify(self.cleared.certificate_code).text
        self.assertIn('<html lang="en-US" dir="ltr">', english)
        self.assertIn('href="?lang=fa_IR"', english)
        # a language that is not installed: the certificate's
        body = self.verify(self.cleared.certificate_code, lang="de_DE").text
        self.assertIn('<html lang="fa-IR" dir="rtl">', body)

    def test_verify_unknown_codes_all_look_the_same(self):
        random_code = new_certificate_code()
        first = self.verify(random_code)
        self.assertEqual(first.status_code, 404)
        self.assertIn('data-certificate-status="not_found"', first.text)
        self.assertIn(
            "No clearance certificate has this verification code.",
            first.text)
        self.assertNotIn(random_code, first.text)
        others = [
            new_certificate_code(),
            self.cleared.certificate_code[:-1],   # one character short
            self.student.student_number,
            self.cleared.name.replace("/", "-"),
            str(self.cleared.id),
            "' OR '1'='1",
            "x" * 300,
        ]
        for code in others:
            response = self.verify(code)
            self.assertEqual(
                (response.status_code, response.content),
                (first.status_code, first.content), code)

    def test_revoked_certificate(self):
        self.cleared.revoke_certificate("Issued by mistake.")
        self.keep()
        body = self.verified(
            "revoked", "This clearance certificate has been revoked")
        self.assertNotIn("Issued by mistake", body)
        self.assertNotIn("This clearance certificate is valid.", body)
        self.authenticate(self.student.login, self.student.login)
        self.assertEqual(self.download(self.cleared.id).status_code, 404)
        self.authenticate(self.manager.login, self.manager.login)
        self.assertEqual(self.download(self.cleared.id).status_code, 404)


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestCertificateReportRoutes(CertificateHttpCase):
    """Issue #21: Odoo's own report routes, /report/pdf/ and /report/html/,
    answer 404 for the certificate to anyone but its student and a manager
    (they answered 500: the render refused too late)."""

    ROUTES = ("/report/pdf/%s/%s", "/report/html/%s/%s")

    def report(self, route, request_id):
        return self.url_open(route % (
            "clearance_request.report_clearance_certificate", request_id))

    def test_report_routes_refuse_everyone_else_with_404(self):
        kharazmi = make_officer(
            self.env, "h.kharazmi",
            "clearance_request.group_office_library_kharazmi")
        self.keep()
        name = self.cleared.certified_name
        cases = [
            (self.other, self.cleared.id),        # another student
            (self.other, "%d,%d" % (self.pending.id, self.cleared.id)),
            (kharazmi, self.pending.id),          # may not read it
            (kharazmi, self.cleared.id),
            (self.department, self.cleared.id),   # reads it, not its student
            (self.other, self.pending.id + 100000),
            (self.other, "abc"),
        ]
        for user, request_id in cases:
            self.authenticate(user.login, user.login)
            for route in self.ROUTES:
                response = self.report(route, request_id)
                self.assertEqual(response.status_code, 404,
                                 (user.login, route, request_id))
                self.assertNotEqual(response.content[:4], b"%PDF")
                self.assertNotIn(name, response.text)
                self.assertNotIn(self.cleared.certificate_code, response.text)

    def test_report_routes_refuse_anonymous_visitors(self):
        for route in self.ROUTES:
            response = self.report(route, self.cleared.id)
            self.assertEqual(response.status_code, 404, route)
            self.assertNotEqual(response.content[:4], b"%PDF")
            self.assertNotIn(self.cleared.certificate_code, response.text)

    def test_report_routes_serve_the_student_and_a_manager(self):
        for user in (self.student, self.manager):
            self.authenticate(user.login, user.login)
            response = self.report(self.ROUTES[0], self.cleared.id)
            self.assertEqual(response.status_code, 200, user.login)
            self.assertEqual(response.content[:4], b"%PDF")
            self.assertIn(self.cleared.certificate_code,
                          pdf_text(response.content))
            response = self.report(self.ROUTES[1], self.cleared.id)
            self.assertEqual(response.status_code, 200, user.login)
            self.assertIn(self.cleared.certificate_code, response.text)
        # revoked: no longer served
        self.cleared.revoke_certificate("Issued by mistake.")
        self.keep()
        self.authenticate(self.student.login, self.student.login)
        self.assertEqual(
            self.report(self.ROUTES[0], self.cleared.id).status_code, 404)
