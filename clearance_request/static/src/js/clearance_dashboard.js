odoo.define('clearance_request.dashboard', function (require) {
"use strict";

/**
 * The managers' office dashboard: a period (two date pickers, Jalali for
 * the readers of the Jalali calendar) in the control panel and the offices'
 * figures for it, rendered by the server (/clearance/dashboard/summary).
 */

var ControlPanelMixin = require('web.ControlPanelMixin');
var core = require('web.core');
var datepicker = require('web.datepicker');
var Widget = require('web.Widget');

var QWeb = core.qweb;

// The period shown first: the last four weeks, today included.
var DEFAULT_PERIOD_DAYS = 28;

var Dashboard = Widget.extend(ControlPanelMixin, {
    template: 'clearance_request.Dashboard',

    /**
     * @override
     */
    init: function (parent, action) {
        this._super.apply(this, arguments);
        this.action = action;
        this.action_manager = parent;
    },
    /**
     * @override
     */
    start: function () {
        var self = this;
        this.$buttons = $(QWeb.render('clearance_request.DashboardPeriod'));
        this.$buttons.on('click', '.o_clearance_dashboard_show', this._load.bind(this));
        this.fromPicker = new datepicker.DateWidget(this);
        this.toPicker = new datepicker.DateWidget(this);
        return $.when(
            this._super.apply(this, arguments),
            this.fromPicker.appendTo(this.$buttons.find('.o_clearance_dashboard_from')),
            this.toPicker.appendTo(this.$buttons.find('.o_clearance_dashboard_to'))
        ).then(function () {
            // today in the user's time zone, as a date (UTC midnight)
            var now = moment();
            var today = now.clone().utc().add(
                self.getSession().getTZOffset(now), 'minutes').startOf('day');
            self.toPicker.setValue(today.clone());
            self.fromPicker.setValue(today.clone().subtract(DEFAULT_PERIOD_DAYS - 1, 'days'));
            self._updateControlPanel();
            return self._load();
        });
    },
    /**
     * @override
     */
    do_show: function () {
        this._super.apply(this, arguments);
        this._updateControlPanel();
        this.action_manager.do_push_state({action: this.action.id});
    },

    //--------------------------------------------------------------------------
    // Private
    //--------------------------------------------------------------------------

    /**
     * @private
     * @param {Moment|false} value
     * @returns {string} the day as the server reads it (Gregorian, Latin digits)
     */
    _day: function (value) {
        return value ? value.clone().locale('en').format('YYYY-MM-DD') : '';
    },
    /**
     * Fetch and show the figures of the chosen period (or the server's
     * explanation of why it refuses the period).
     *
     * @private
     * @returns {Deferred}
     */
    _load: function () {
        var $content = this.$('.o_clearance_dashboard_content');
        return $.ajax({
            url: '/clearance/dashboard/summary',
            data: {
                date_from: this._day(this.fromPicker.getValue()),
                date_to: this._day(this.toPicker.getValue()),
            },
            dataType: 'html',
        }).then(function (html) {
            $content.html(html);
        }, function (xhr) {
            $content.html(xhr.responseText);
        });
    },
    /**
     * @private
     */
    _updateControlPanel: function () {
        this.update_control_panel({
            breadcrumbs: this.action_manager.get_breadcrumbs(),
            cp_content: {$buttons: this.$buttons},
        });
    },
});

core.action_registry.add('clearance_dashboard', Dashboard);

return Dashboard;

});
