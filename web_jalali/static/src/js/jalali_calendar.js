odoo.define('web_jalali.calendar', function (require) {
"use strict";

/**
 * The Jalali (Solar Hijri) calendar for the web client: whether the user
 * reads it, and how a date is written in it and read back from what the
 * user typed. The arithmetic is jalaali-js's (window.jalaali); moment keeps
 * carrying every value, in the Gregorian calendar, as everywhere in Odoo.
 */

var session = require('web.session');
var time = require('web.time');

var MONTHS = {
    fa: ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور',
         'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند'],
    en: ['Farvardin', 'Ordibehesht', 'Khordad', 'Tir', 'Mordad', 'Shahrivar',
         'Mehr', 'Aban', 'Azar', 'Dey', 'Bahman', 'Esfand'],
};
// Saturday first: the Iranian week.
var WEEKDAYS = {
    fa: ['ش', 'ی', 'د', 'س', 'چ', 'پ', 'ج'],
    en: ['Sa', 'Su', 'Mo', 'Tu', 'We', 'Th', 'Fr'],
};
var PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';
// year/month/day (any of / - . as separators), then optionally the time.
var DATE_RE = /^(?:(\d{1,4})[\/\-.])?(\d{1,2})[\/\-.](\d{1,2})(?:[\sT,]+(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?)?$/;

/**
 * @returns {boolean} whether dates are shown, typed and picked in Jalali
 */
function isActive() {
    return session.calendar_system === 'jalali' && !!window.jalaali;
}

function isPersian() {
    var lang = (session.user_context && session.user_context.lang) || '';
    return lang.indexOf('fa') === 0;
}

function names() {
    return isPersian() ? 'fa' : 'en';
}

function localizeDigits(text) {
    if (!isPersian()) {
        return text;
    }
    return String(text).replace(/[0-9]/g, function (d) {
        return PERSIAN_DIGITS[+d];
    });
}

/**
 * Persian (۰-۹) and Arabic-Indic (٠-٩) digits to Latin ones.
 */
function latinDigits(text) {
    return String(text)
        .replace(/[\u06F0-\u06F9]/g, function (d) { return d.charCodeAt(0) - 0x06F0; })
        .replace(/[\u0660-\u0669]/g, function (d) { return d.charCodeAt(0) - 0x0660; });
}

function pad(number, width) {
    var text = String(number);
    while (text.length < width) {
        text = '0' + text;
    }
    return text;
}

/**
 * @param {Moment} value its calendar fields are read as they are (the caller
 *        has moved it to the user's time zone if it must be)
 * @returns {{jy: number, jm: number, jd: number}}
 */
function toJalali(value) {
    return window.jalaali.toJalaali(value.year(), value.month() + 1, value.date());
}

/**
 * @param {Moment} value
 * @returns {string} e.g. ۱۴۰۵/۰۱/۰۱ for a Persian reader
 */
function formatDate(value) {
    var j = toJalali(value);
    return localizeDigits(pad(j.jy, 4) + '/' + pad(j.jm, 2) + '/' + pad(j.jd, 2));
}

/**
 * @param {Moment} value
 * @returns {string} the Jalali date and the time in the language's format
 */
function formatDateTime(value) {
    var clock = value.clone().locale('en').format(time.getLangTimeFormat());
    return formatDate(value) + ' ' + localizeDigits(clock);
}

/**
 * @param {Moment} value
 * @returns {string} e.g. فروردین ۱۴۰۵
 */
function formatMonth(value) {
    var j = toJalali(value);
    return localizeDigits(MONTHS[names()][j.jm - 1] + ' ' + j.jy);
}

/**
 * Minutes east of UTC of the user's time zone (their preference) at the
 * instant whose calendar fields `value` holds; null when the browser cannot
 * tell (then Odoo's browser-based offset applies).
 *
 * @param {Moment} value
 * @returns {number|null}
 */
function userTZOffset(value) {
    var tz = session.user_context && session.user_context.tz;
    if (!tz || !window.Intl) {
        return null;
    }
    var instant = Date.UTC(value.year(), value.month(), value.date(),
                           value.hours(), value.minutes());
    var fields = {};
    try {
        new Intl.DateTimeFormat('en-US', {
            timeZone: tz, hour12: false, year: 'numeric', month: 'numeric',
            day: 'numeric', hour: 'numeric', minute: 'numeric',
        }).formatToParts(new Date(instant)).forEach(function (part) {
            fields[part.type] = +part.value;
        });
    } catch (e) {
        return null;
    }
    var local = Date.UTC(fields.year, fields.month - 1, fields.day,
                         fields.hour % 24, fields.minute);
    return Math.round((local - instant) / 60000);
}

/**
 * Read what a user typed: a Jalali date (year/month/day, or month/day in the
 * current Jalali year), optionally followed by a time.
 *
 * @param {string} text
 * @returns {Moment|false|'gregorian'} a UTC moment holding the typed calendar
 *          date and time; false if the text is no valid Jalali date;
 *          'gregorian' if the year is a Gregorian one (from 1700), which the
 *          caller reads as Odoo does.
 */
function parse(text) {
    var match = DATE_RE.exec(latinDigits(text).trim());
    if (!match) {
        return false;
    }
    var today = toJalali(moment());
    var year = match[1] === undefined ? today.jy : +match[1];
    if (match[1] !== undefined && match[1].length <= 2) {
        year += today.jy - today.jy % 100;
    }
    if (year >= 1700) {
        return 'gregorian';
    }
    var month = +match[2], day = +match[3];
    var hours = +(match[4] || 0), minutes = +(match[5] || 0), seconds = +(match[6] || 0);
    if (!window.jalaali.isValidJalaaliDate(year, month, day) ||
            hours > 23 || minutes > 59 || seconds > 59) {
        return false;
    }
    var g = window.jalaali.toGregorian(year, month, day);
    return moment.utc([g.gy, g.gm - 1, g.gd, hours, minutes, seconds]);
}

return {
    MONTHS: MONTHS,
    WEEKDAYS: WEEKDAYS,
    isActive: isActive,
    isPersian: isPersian,
    names: names,
    latinDigits: latinDigits,
    localizeDigits: localizeDigits,
    toJalali: toJalali,
    formatDate: formatDate,
    formatDateTime: formatDateTime,
    formatMonth: formatMonth,
    parse: parse,
    userTZOffset: userTZOffset,
};

});
