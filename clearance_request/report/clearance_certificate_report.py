import base64
import io

import qrcode

from odoo import api, models

from ..models.clearance_certificate import CERTIFICATE_LANG
from ..tools import jalali


def qr_data_uri(value):
    """A QR code of value as a PNG data URI: the PDF needs no server."""
    buffer = io.BytesIO()
    qrcode.make(value, box_size=8, border=2).save(buffer, format="PNG")
    return "data:image/png;base64,%s" % base64.b64encode(
        buffer.getvalue()).decode()


class ClearanceCertificateReport(models.AbstractModel):
    _name = "report.clearance_request.report_clearance_certificate"
    _description = "Clearance certificate"

    @api.model
    def get_report_values(self, docids, data=None):
        requests = self.env["clearance.request"].browse(docids)
        requests._check_certificate_access()
        persian = jalali.is_persian(CERTIFICATE_LANG)
        # sudo: the rights were checked just above; the certificate names the
        # officers of every office, whom a student may not read.
        docs = requests.sudo().with_context(lang=CERTIFICATE_LANG)
        return {
            "doc_ids": docs.ids,
            "doc_model": docs._name,
            "docs": docs,
            "lang": CERTIFICATE_LANG,
            "direction": "rtl" if persian else "ltr",
            "digits": jalali.persian_digits if persian else str,
            # Dates in the student's time zone (the university's by default).
            "format_date": lambda doc, value: jalali.format_date(
                value, CERTIFICATE_LANG, doc.partner_id.tz),
            "verify_urls": {
                doc.id: doc._certificate_verify_url() for doc in docs},
            "qr_codes": {
                doc.id: qr_data_uri(doc._certificate_verify_url())
                for doc in docs},
        }
