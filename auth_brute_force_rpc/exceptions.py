from odoo.exceptions import AccessDenied, except_orm


class LoginThrottled(AccessDenied, except_orm):
    """A login refused because its address (or address and login) failed
    too often. An AccessDenied, so that every caller that refuses a wrong
    password refuses it too, and XML-RPC answers it as one (fault code 3);
    an except_orm, so that JSON-RPC answers it with its message and without
    logging it as a server error."""

    def __init__(self, message):  # pylint: disable=super-init-not-called
        Exception.__init__(self, message)  # pylint: disable=non-parent-init-called
        self.name = message
        self.value = None
        self.traceback = ("", "", "")
