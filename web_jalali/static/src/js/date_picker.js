odoo.define('web_jalali.datepicker', function (require) {
"use strict";

/**
 * The Jalali date picker (@majidh1/jalalidatepicker: Jalali months,
 * Saturday first, Fridays marked as the weekend) in place of Odoo's
 * Gregorian one, for the users who read the Jalali calendar. The picker
 * writes a Jalali date into the input and fires its `change` event, which
 * the date widget parses as if the user had typed it.
 */

var basic_fields = require('web.basic_fields');
var datepicker = require('web.datepicker');
var calendar = require('web_jalali.calendar');

var watching = false;

/**
 * @param {Element} element
 * @returns {boolean} whether the focus on `element` leaves the Jalali picker
 *          and its inputs
 */
function outsidePicker(element) {
    return !$(element).is('[data-jdp]') && !$(element).closest('jdp-container').length;
}

/**
 * The page has one Jalali picker, shown under whichever date input gets the
 * focus (inputs marked with data-jdp).
 */
function watch() {
    if (watching) {
        return;
    }
    watching = true;
    var names = calendar.names();
    window.jalaliDatepicker.startWatch({
        time: true,
        hasSecond: true,
        persianDigits: calendar.isPersian(),
        months: calendar.MONTHS[names],
        days: calendar.WEEKDAYS[names],
        zIndex: 2000,
        autoReadOnlyInput: false,
        showCloseBtn: true,
    });
    // Moving to another field (with the keyboard too) closes the picker;
    // again once the picker's opening (300 ms) is over, in case it was still
    // opening.
    document.addEventListener('focusin', function (event) {
        if (!outsidePicker(event.target)) {
            return;
        }
        window.jalaliDatepicker.hide();
        setTimeout(function () {
            if (outsidePicker(document.activeElement)) {
                window.jalaliDatepicker.hide();
            }
        }, 350);
    }, true);
}

/**
 * What Odoo's date widget asks of its picker: show a value, go away.
 */
var JalaliPicker = function (input) {
    this.input = input;
};
JalaliPicker.prototype.date = function () {};
JalaliPicker.prototype.destroy = function () {
    window.jalaliDatepicker.hide();
};

datepicker.DateWidget.include({
    /**
     * @override
     */
    start: function () {
        if (!calendar.isActive() || !window.jalaliDatepicker) {
            return this._super.apply(this, arguments);
        }
        this.$input = this.$('input.o_datepicker_input');
        this.$input.attr('data-jdp', '');
        if (this.type_of_date === 'date') {
            this.$input.attr('data-jdp-only-date', '');
        }
        // The picker reads the input's date in Latin digits.
        this.$input.on('focusin', this._onJalaliFocus.bind(this));
        watch();
        this.picker = new JalaliPicker(this.$input[0]);
        this._setReadonly(false);
    },

    /**
     * @private
     */
    _onJalaliFocus: function () {
        var value = this.$input.val();
        if (value && this.isValid()) {
            this.$input.val(calendar.latinDigits(value));
        }
    },
});

basic_fields.FieldDate.include({
    /**
     * Without Odoo's picker, nothing puts a valid date back in place of a
     * mistyped one (e.g. Esfand 30th of a common year): the field is invalid,
     * so the record is not saved without it.
     *
     * @override
     */
    isValid: function () {
        var valid = this._super.apply(this, arguments);
        if (calendar.isActive() && this.datewidget && this.mode === 'edit') {
            return valid && this.datewidget.isValid();
        }
        return valid;
    },
});

});
