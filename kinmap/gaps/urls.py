from django.urls import path

from kinmap.records.lifecycle_views import change_page

from . import action_views, setting_views, supervision_views, views

F = "families/<id:network_id>"
C = f"{F}/contacts/<id:contact_id>"

urlpatterns = [
    path(f"{F}/contacts/start/", change_page(views.contact_start), name="contact-start"),
    path(f"{C}/", views.contact_page, name="contact"),
    path(f"{C}/gaps/<id:gap_id>/outcome/", views.contact_gap_outcome, name="contact-gap-outcome"),
    path(f"{C}/gaps/<id:gap_id>/answer/<str:kind>/", views.contact_gap_answer, name="contact-gap-answer"),
    path(f"{C}/households/<id:household_id>/", views.contact_household, name="contact-household"),
    path(f"{C}/not-asked/", views.contact_not_asked_rest, name="contact-not-asked-rest"),
    path(f"{C}/close/", views.contact_close, name="contact-close"),
    path(f"{F}/gaps/", supervision_views.family_gap_history, name="gaps-history"),
    path(f"{F}/supervision/", supervision_views.supervision_family, name="gaps-supervision"),
    path(
        f"{F}/gaps/<id:gap_id>/not-applicable/",
        supervision_views.gap_not_applicable,
        name="gap-not-applicable",
    ),
    path(
        f"{F}/actions/<id:action_id>/done/", action_views.action_complete, name="supervisor-action-complete"
    ),
    path("supervision/", supervision_views.supervisor_dashboard, name="supervisor-dashboard"),
    path("supervision/area/", supervision_views.area_worklist, name="area-worklist"),
    path("settings/rules/", setting_views.rule_settings, name="gaps-rule-settings"),
    path("settings/rules/<str:rule_id>/", setting_views.rule_setting_edit, name="gaps-rule-setting-edit"),
    path(
        "settings/rules/<str:rule_id>/reset/",
        setting_views.rule_setting_reset,
        name="gaps-rule-setting-reset",
    ),
]
