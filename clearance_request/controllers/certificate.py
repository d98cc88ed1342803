from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import content_disposition, request

from ..models.clearance_certificate import CERTIFICATE_LANG, CERTIFICATE_REPORT

CERTIFICATE_REPORT_ACTION = "clearance_request.action_report_clearance_certificate"


class ClearanceCertificate(http.Controller):

    @http.route("/my/clearance/<int:request_id>/certificate", type="http",
                auth="user")
    def clearance_certificate(self, request_id, **kw):
        """The certificate as a PDF, for the request's own student or a
        manager while it is valid; 404 for anything else."""
        clearance = request.env["clearance.request"].browse(request_id).exists()
        if not clearance:
            raise NotFound()
        try:
            clearance._check_certificate_access()
        except (AccessError, UserError):
            raise NotFound()
        # sudo: the user's rights on this request were checked just above;
        # the report action and the officers it names are not theirs to read.
        report = request.env.ref(CERTIFICATE_REPORT_ACTION).sudo()
        pdf = report.render_qweb_pdf(clearance.ids)[0]
        filename = "certificate-%s.pdf" % clearance.name.replace("/", "-")
        return request.make_response(pdf, headers=[
            ("Content-Type", "application/pdf"),
            ("Content-Length", len(pdf)),
            ("Content-Disposition", content_disposition(filename)),
        ])

    @http.route([
        "/report/<string:converter>/%s" % CERTIFICATE_REPORT,
        "/report/<string:converter>/%s/<string:docids>" % CERTIFICATE_REPORT,
    ], type="http", auth="public")
    def clearance_certificate_report(self, converter, docids=None, **kw):
        """Odoo's report routes, for the certificate: the rights are checked
        before rendering, and anyone but the request's student or a manager
        (another student, an officer, an anonymous visitor, an id that is
        no request) gets 404, not the server error of a refused render.
        Werkzeug matches this route before the generic /report/ one (a
        static part ranks before a variable one)."""
        if converter not in ("pdf", "html") or not docids \
                or request.env.user._is_public():
            raise NotFound()
        try:
            ids = [int(value) for value in docids.split(",")]
        except ValueError:
            raise NotFound()
        clearances = request.env["clearance.request"].browse(ids)
        try:
            clearances._check_ids()
            if len(clearances.exists()) != len(set(ids)):
                raise NotFound()
            clearances._check_certificate_access()
        except (AccessError, UserError):
            raise NotFound()
        # sudo: as in clearance_certificate; the rights were checked above.
        report = request.env.ref(CERTIFICATE_REPORT_ACTION).sudo()
        if converter == "html":
            html = report.render_qweb_html(clearances.ids)[0]
            return request.make_response(html)
        pdf = report.render_qweb_pdf(clearances.ids)[0]
        return request.make_response(pdf, headers=[
            ("Content-Type", "application/pdf"),
            ("Content-Length", len(pdf)),
        ])

    @http.route("/clearance/verify/<string:code>", type="http",
                auth="public")
    def clearance_verify(self, code, lang=None, **kw):
        """Anyone holding a certificate's code may check it.

        The page names the student as recorded when the request was cleared
        (their name and student number, as printed on the certificate) and
        the reference, and is the same page, with the same status, for every
        code that is not a certificate's: it tells nothing about students or
        requests."""
        # sudo: visitors have no rights on requests; the only lookup is by
        # the full code, which cannot be guessed.
        clearance = request.env["clearance.request"].sudo().search(
            [("certificate_code", "=", code.strip().upper())], limit=1)
        if not clearance:
            status = "not_found"
        else:
            status = "valid" if clearance.certificate_valid else "revoked"
        lang = self._verify_lang(lang)
        request.context = dict(request.context, lang=lang)
        values = {
            "status": status,
            "student": clearance.certified_name or "",
            "student_number": clearance.certified_student_number or "",
            "reference": clearance.name or "",
            "lang": lang,
            "direction": request.env["res.lang"]._lang_get(lang).direction,
            "languages": request.env["res.lang"].get_installed(),
        }
        return request.render(
            "clearance_request.certificate_verify_page", values,
            status=200 if clearance else 404)

    def _verify_lang(self, lang):
        """The language asked for, else the certificate's, when installed."""
        installed = dict(request.env["res.lang"].get_installed())
        for code in (lang, CERTIFICATE_LANG, request.env.context.get("lang")):
            if code in installed:
                return code
        return "en_US"
