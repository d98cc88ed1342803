import json

import werkzeug.exceptions
from werkzeug.urls import url_decode

from odoo import _, http
from odoo.addons.web.controllers import main
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from .main import image_size

# The longest value a barcode is drawn for.
MAX_BARCODE_VALUE = 2048


class ReportController(main.ReportController):
    """A report is rendered only for a user who may read what it shows:
    its records (access rights and record rules), or, for a report fed by
    `data` alone (the accounting reports read the ledger with SQL), its
    groups or the menus that open its wizard. Otherwise 403 or 404, never
    a rendering error."""

    @http.route()
    def report_routes(self, reportname, docids=None, converter=None,
                      **data):
        self._check_report_access(reportname, docids, data)
        return super().report_routes(
            reportname, docids=docids, converter=converter, **data)

    @http.route()
    def report_download(self, data, token):
        try:
            url, kind = json.loads(data)[:2]
        except (ValueError, TypeError):
            raise werkzeug.exceptions.BadRequest()
        if kind == "qweb-pdf" and "/report/pdf/" in url:
            path, _sep, query = url.split("/report/pdf/")[1].partition("?")
            reportname, _sep, docids = path.partition("/")
            self._check_report_access(
                reportname, docids or None, dict(url_decode(query).items()))
        return super().report_download(data, token)

    @http.route()
    def report_barcode(self, type, value, width=600, height=100,
                       humanreadable=0):
        if len(value or "") > MAX_BARCODE_VALUE:
            raise werkzeug.exceptions.BadRequest(
                _("The barcode's value is too long."))
        return super().report_barcode(
            type, value, width=image_size(width) or 1,
            height=image_size(height) or 1, humanreadable=humanreadable)

    # access ----------------------------------------------------------
    def _check_report_access(self, reportname, docids, data):
        env = request.env
        report = env["ir.actions.report"].sudo()._get_report_from_name(
            reportname)
        if not report or report.model not in env:
            raise werkzeug.exceptions.NotFound()
        user = env.user
        if report.groups_id and not report.groups_id & user.groups_id:
            raise werkzeug.exceptions.Forbidden()
        try:
            if docids:
                try:
                    ids = [int(i) for i in str(docids).split(",")]
                except ValueError:
                    raise werkzeug.exceptions.NotFound()
                self._check_read(report.model, ids)
            else:
                env[report.model].check_access_rights("read")
            # A wizard's records, the caller's own, prove nothing.
            self._check_wizard_report(report)
            # Records the report's context names (the wizards' reports read
            # them: active_model, active_ids).
            context = data.get("context")
            if context:
                context = json.loads(context)
                model = context.get("active_model")
                ids = context.get("active_ids") or (
                    [context["active_id"]] if context.get("active_id")
                    else [])
                if model:
                    if model not in env:
                        raise werkzeug.exceptions.NotFound()
                    self._check_read(model, ids)
        except (AccessError, MissingError):
            raise werkzeug.exceptions.Forbidden()
        except (ValueError, TypeError, AttributeError):
            raise werkzeug.exceptions.BadRequest()

    @staticmethod
    def _check_read(model, ids):
        records = request.env[model].browse(ids)
        records.check_access_rights("read")
        if not all(isinstance(i, int) for i in ids):
            raise werkzeug.exceptions.BadRequest()
        if not ids:
            return
        if len(records.exists()) != len(set(ids)):
            raise werkzeug.exceptions.NotFound()
        records.check_access_rule("read")

    @staticmethod
    def _check_wizard_report(report):
        """A report on a wizard's (transient) or abstract model, which
        access rights do not guard (the accounting reports read the ledger
        with SQL from the wizard's data): the user must see one of the menus
        that open its wizard; without such a menu, be in the groups of its
        window actions, or at least an internal user."""
        env = request.env
        Model = env[report.model]
        if not (Model.is_transient() or Model._abstract):
            return
        actions = env["ir.actions.act_window"].sudo().search(
            [("res_model", "=", report.model)])
        references = ["ir.actions.act_window,%d" % action.id
                      for action in actions]
        # Every menu, not only those the current user sees.
        menus = env["ir.ui.menu"].sudo().with_context(**{
            "ir.ui.menu.full_list": True}).search(
                [("action", "in", references)])
        user = env.user
        if menus:
            visible = env["ir.ui.menu"]._visible_menu_ids()
            if not set(menus.ids) & set(visible):
                raise AccessError(_("You may not print this report."))
        elif any(action.groups_id for action in actions):
            if not any(action.groups_id & user.groups_id
                       for action in actions):
                raise AccessError(_("You may not print this report."))
        elif user.share:
            raise AccessError(_("You may not print this report."))
