odoo.define('portal_accessibility.chatter', function (require) {
'use strict';

var ajax = require('web.ajax');
var core = require('web.core');
var PortalChatter = require('portal.chatter').PortalChatter;

/**
 * The portal chatter's templates, with the alternative texts of its
 * avatars (portal_accessibility/static/src/xml/portal_chatter.xml).
 */
PortalChatter.include({
    _loadTemplates: function () {
        return this._super.apply(this, arguments).then(function () {
            return ajax.loadXML(
                '/portal_accessibility/static/src/xml/portal_chatter.xml',
                core.qweb);
        });
    },
});
});
