import psycopg2
from werkzeug.exceptions import Forbidden, NotFound

from odoo import _, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.mail import PortalChatter
from odoo.addons.portal.controllers.portal import (
    CustomerPortal, pager as portal_pager)

from ..models.clearance_request import OPEN_STATES, REASONS

ACTION_ERRORS = (AccessError, UserError, ValidationError)


class ClearancePortal(CustomerPortal):
    """The student's side of the clearance: ask, follow, correct, cancel.

    Everything runs as the logged-in student, so the record rules decide what
    exists for them and the model's actions decide what they may do."""

    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        partner = request.env.user.partner_id
        Request = request.env["clearance.request"]
        values["clearance_student"] = bool(partner.student_number)
        values["clearance_count"] = Request.search_count(
            self._clearance_domain()) if Request.check_access_rights(
                "read", raise_exception=False) else 0
        return values

    def _clearance_domain(self):
        return [("partner_id", "=", request.env.user.partner_id.id)]

    def _clearance_get(self, request_id):
        """The student's own request, or 404 whether it exists or not."""
        record = request.env["clearance.request"].search(
            self._clearance_domain() + [("id", "=", request_id)])
        if not record:
            raise NotFound()
        return record

    def _clearance_reasons(self):
        field = request.env["clearance.request"]._fields["reason"]
        return field._description_selection(request.env)

    # ------------------------------------------------------------------
    # list
    # ------------------------------------------------------------------
    @http.route(["/my/clearance", "/my/clearance/page/<int:page>"],
                type="http", auth="user", website=True)
    def portal_my_clearance_requests(self, page=1, **kw):
        values = self._prepare_portal_layout_values()
        pager = portal_pager(
            url="/my/clearance", total=values["clearance_count"], page=page,
            step=self._items_per_page)
        clearances = request.env["clearance.request"].search(
            self._clearance_domain(), order="id desc",
            limit=self._items_per_page, offset=pager["offset"])
        values.update({
            "clearances": clearances,
            "pager": pager,
            "page_name": "clearance",
            "default_url": "/my/clearance",
        })
        return request.render(
            "clearance_request.portal_my_clearance_requests", values)

    # ------------------------------------------------------------------
    # new request
    # ------------------------------------------------------------------
    def _clearance_new_error(self, reason, open_request):
        if not request.env.user.partner_id.student_number:
            return _("Your account has no student number, so you cannot ask "
                     "for clearance. Please contact your department.")
        if open_request:
            return _("You already have an open clearance request, "
                     "%(request)s. Follow it, or cancel it before you ask "
                     "again.") % {"request": open_request.name}
        if reason not in dict(REASONS):
            return _("Choose the reason for your clearance request.")
        return None

    @http.route("/my/clearance/new", type="http", auth="user",
                methods=["GET", "POST"], website=True)
    def portal_clearance_new(self, reason=None, **kw):
        partner = request.env.user.partner_id
        Request = request.env["clearance.request"]
        open_request = Request.search(
            self._clearance_domain() + [("state", "in", OPEN_STATES)],
            limit=1)
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "clearance",
            "clearance_new": True,
            "partner": partner,
            "open_request": open_request,
            "reasons": self._clearance_reasons(),
            "reason": reason,
            "error": None,
        })
        if request.httprequest.method == "POST":
            error = self._clearance_new_error(reason, open_request)
            if not error:
                try:
                    with request.env.cr.savepoint():
                        record = Request.create({
                            "partner_id": partner.id, "reason": reason})
                        record.action_submit()
                except ACTION_ERRORS as err:
                    error = err.name
                except psycopg2.IntegrityError:
                    # the same student submitted twice at the same moment
                    error = _("You already have an open clearance request.")
                else:
                    return request.redirect("/my/clearance/%d" % record.id)
                request.env.clear()
            values["error"] = error
        return request.render("clearance_request.portal_clearance_new", values)

    # ------------------------------------------------------------------
    # tracker and the student's actions
    # ------------------------------------------------------------------
    def _clearance_page(self, record, error=None):
        values = self._prepare_portal_layout_values()
        expected = record.line_ids._expected_dates()
        values.update({
            "page_name": "clearance",
            "clearance": record,
            "lines": record.line_ids,
            "expected": expected,
            "expected_end": max(expected.values()) if expected else False,
            "reasons": self._clearance_reasons(),
            "error": error,
        })
        return request.render(
            "clearance_request.portal_clearance_request", values)

    def _clearance_act(self, request_id, method, **kwargs):
        """Run a student's action and show the request again; the model
        checks the right to act, its refusal is shown to the student."""
        record = self._clearance_get(request_id)
        try:
            with request.env.cr.savepoint():
                getattr(record, method)(**kwargs)
        except ACTION_ERRORS as err:
            request.env.clear()
            return self._clearance_page(record, error=err.name)
        return request.redirect("/my/clearance/%d" % record.id)

    @http.route("/my/clearance/<int:request_id>", type="http", auth="user",
                website=True)
    def portal_clearance_request(self, request_id, **kw):
        return self._clearance_page(self._clearance_get(request_id))

    @http.route("/my/clearance/<int:request_id>/cancel", type="http",
                auth="user", methods=["POST"], website=True)
    def portal_clearance_cancel(self, request_id, **kw):
        return self._clearance_act(request_id, "action_cancel")

    @http.route("/my/clearance/<int:request_id>/resubmit", type="http",
                auth="user", methods=["POST"], website=True)
    def portal_clearance_resubmit(self, request_id, reason=None, note=None,
                                  **kw):
        return self._clearance_act(
            request_id, "resubmit",
            reason=reason or None, note=(note or "").strip() or None)


class ClearanceChatter(PortalChatter):
    """The portal chatter of a clearance request exists only for those who
    may read the request; for anybody else it is not found, like the request."""

    def _check_clearance_thread(self, res_model, res_id):
        if res_model != "clearance.request":
            return
        Request = request.env[res_model]
        if not (str(res_id).isdigit()
                and Request.check_access_rights("read", raise_exception=False)
                and Request.search_count([("id", "=", int(res_id))])):
            raise NotFound()

    @http.route()
    def portal_chatter_post(self, res_model, res_id, message, **kw):
        self._check_clearance_thread(res_model, res_id)
        try:
            return super().portal_chatter_post(res_model, res_id, message, **kw)
        except AccessError as err:
            # A forged form (another author, sender or recipients): a clear
            # refusal instead of Odoo's error page; nothing was posted.
            request.env.cr.rollback()
            raise Forbidden(err.name)

    @http.route()
    def portal_message_fetch(self, res_model, res_id, domain=False, limit=10,
                             offset=0, **kw):
        self._check_clearance_thread(res_model, res_id)
        return super().portal_message_fetch(
            res_model, res_id, domain=domain, limit=limit, offset=offset, **kw)
