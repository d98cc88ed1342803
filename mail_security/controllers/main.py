from collections import defaultdict

from odoo import http
from odoo.http import request

from odoo.addons.mail.controllers.main import MailController


class SecureMailController(MailController):

    @http.route()
    def read_followers(self, follower_ids, res_model):
        """Odoo 11 checks read access to the model the caller names, with
        the ids of the followed documents: followers of other models'
        documents (a student's name and e-mail) came back. Here only the
        followers of documents of `res_model` the user may read."""
        followers = request.env["mail.followers"].sudo().browse(
            [i for i in follower_ids or [] if isinstance(i, int)]).exists()
        by_document = defaultdict(list)
        for follower in followers:
            by_document[follower.res_model, follower.res_id].append(
                follower.id)
        readable = []
        if res_model in request.env and \
                request.env[res_model].check_access_rights(
                    "read", raise_exception=False):
            documents = request.env[res_model].search([("id", "in", [
                res_id for model, res_id in by_document
                if model == res_model])])
            for res_id in documents.ids:
                readable += by_document[res_model, res_id]
        return super().read_followers(
            [i for i in follower_ids if i in set(readable)], res_model)
