odoo.define('web_security_hardening.logout', function (require) {
"use strict";

/**
 * The user menu's "Log out": a POST of /web/session/logout with the
 * session's CSRF token (a GET no longer ends the session).
 */
var core = require('web.core');

function logout() {
    var form = document.createElement('form');
    form.method = 'POST';
    form.action = '/web/session/logout';
    var token = document.createElement('input');
    token.type = 'hidden';
    token.name = 'csrf_token';
    token.value = core.csrf_token;
    form.appendChild(token);
    document.body.appendChild(form);
    form.submit();
    return $.Deferred();
}

core.action_registry.add('logout', logout);

return logout;
});
