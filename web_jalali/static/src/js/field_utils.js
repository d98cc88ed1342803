odoo.define('web_jalali.field_utils', function (require) {
"use strict";

/**
 * Date and datetime fields in the Jalali calendar for the users who read it:
 * every view (list, form, kanban, search facets, the debug metadata...)
 * formats and parses dates through web.field_utils. The values themselves
 * stay Gregorian moments, sent to the server in its usual UTC format.
 */

var core = require('web.core');
var field_utils = require('web.field_utils');
var session = require('web.session');
var calendar = require('web_jalali.calendar');

var _t = core._t;
var gregorian = {
    formatDate: field_utils.format.date,
    formatDateTime: field_utils.format.datetime,
    parseDate: field_utils.parse.date,
    parseDateTime: field_utils.parse.datetime,
};

// Jalali readers see datetimes in the time zone of their preferences (as
// in their mails and reports), not in the browser's.
var browserTZOffset = session.getTZOffset;
session.getTZOffset = function (date) {
    if (calendar.isActive()) {
        var offset = calendar.userTZOffset(date);
        if (offset !== null) {
            return offset;
        }
    }
    return browserTZOffset.apply(this, arguments);
};

/**
 * Whether a value to parse is the user's text in the Jalali calendar (and not
 * the server's string or a moment the widgets already built).
 */
function typedInJalali(value, options) {
    return calendar.isActive() && value && typeof value === 'string' &&
        !(options && options.isUTC);
}

function inUserTimezone(options) {
    return !options || !('timezone' in options) || options.timezone;
}

function toUserTime(value) {
    return value.clone().add(session.getTZOffset(value), 'minutes');
}

field_utils.format.date = function (value, field, options) {
    if (!calendar.isActive() || !value) {
        return gregorian.formatDate.apply(this, arguments);
    }
    if (field && field.type === 'datetime' && inUserTimezone(options)) {
        value = toUserTime(value);
    }
    return calendar.formatDate(value);
};

field_utils.format.datetime = function (value, field, options) {
    if (!calendar.isActive() || !value) {
        return gregorian.formatDateTime.apply(this, arguments);
    }
    if (inUserTimezone(options)) {
        value = toUserTime(value);
    }
    return calendar.formatDateTime(value);
};

field_utils.parse.date = function (value, field, options) {
    if (!typedInJalali(value, options)) {
        return gregorian.parseDate.apply(this, arguments);
    }
    var date = calendar.parse(value);
    if (date === 'gregorian') {
        return gregorian.parseDate.apply(this, arguments);
    }
    if (!date) {
        throw new Error(_.str.sprintf(_t("'%s' is not a correct date"), value));
    }
    date.toJSON = function () {
        return this.clone().locale('en').format('YYYY-MM-DD');
    };
    return date;
};

field_utils.parse.datetime = function (value, field, options) {
    if (!typedInJalali(value, options)) {
        return gregorian.parseDateTime.apply(this, arguments);
    }
    var datetime = calendar.parse(value);
    if (datetime === 'gregorian') {
        return gregorian.parseDateTime.apply(this, arguments);
    }
    if (!datetime) {
        throw new Error(_.str.sprintf(_t("'%s' is not a correct datetime"), value));
    }
    if (options && options.timezone) {
        datetime.add(-session.getTZOffset(datetime), 'minutes');
    }
    datetime.toJSON = function () {
        return this.clone().locale('en').format('YYYY-MM-DD HH:mm:ss');
    };
    return datetime;
};

return gregorian;

});
