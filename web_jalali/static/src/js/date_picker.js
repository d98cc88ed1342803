odoo.define('web_jalali.datepicker', function (require) {
"use strict";

/**
 * The Jalali date picker (@majidh1/jalalidatepicker: Jalali months,
 * Saturday first, Fridays marked as the weekend) in place of Odoo's
 * Gregorian one, for the users who read the Jalali calendar. The picker
 * writes a Jalali date into the input and fires its `change` event, which
 * the date widget parses as if the user had typed it.
 */

var datepicker = require('web.datepicker');
var calendar = require('web_jalali.calendar');

var watching = false;

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
}

/**
 * What Odoo's date widget asks of its picker: show a value, go away.
 */
var JalaliPicker = function (input) {
    this.input = input;
};
JalaliPicker.prototype.date = function () {};
JalaliPicker.prototype.destroy = function () {
    var picker = window.jalaliDatepicker;
    if (picker && picker.input === this.input) {
        picker.hide();
    }
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

});
