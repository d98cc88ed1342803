import json
import os

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.web.controllers.main import Binary, serialize_exception


def upload_size(upload):
    """The size of an uploaded file, measured before it is read."""
    stream = upload.stream
    try:
        position = stream.tell()
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(position)
    except (AttributeError, OSError, ValueError):
        size = upload.content_length or 0
    return size


class AttachmentBinary(Binary):

    @http.route()
    @serialize_exception
    def upload_attachment(self, callback, model, id, ufile):
        """Files over the size cap or the user's quota are refused before
        they are read, with the limit in the web client's message (Odoo
        answers any failed upload "Something horrible happened")."""
        files = request.httprequest.files.getlist("ufile")
        try:
            request.env["ir.attachment"]._check_upload_size(
                [upload_size(upload) for upload in files])
        except UserError as error:
            out = """<script language="javascript" type="text/javascript">
                    var win = window.top.window;
                    win.jQuery(win).trigger(%s, %s);
                </script>"""
            return out % (json.dumps(callback), json.dumps(
                [{"error": error.name} for upload in files]))
        return super().upload_attachment(callback, model, id, ufile)
