from django.urls import path

from kinmap.records.lifecycle_views import change_page

from . import views

urlpatterns = [
    path("emergency-access/", views.break_glass, name="break-glass"),
    path("notifications/", views.notifications, name="notifications"),
    path("families/<id:network_id>/requests/", views.network_requests, name="network-requests"),
    path(
        "families/<id:network_id>/people/<id:person_id>/ask-another-agency/",
        change_page(views.request_new),
        name="request-new",
    ),
    path("families/<id:network_id>/sharing-decisions/", views.sharing_log, name="sharing-log"),
    path("requests/ask/<slug:token>/", views.request_from_search, name="request-from-search"),
    path("requests/", views.request_queue, name="request-queue"),
    path("requests/<id:request_id>/", views.request_detail, name="request-detail"),
    path("requests/<id:request_id>/answer/", views.request_answer, name="request-answer"),
    path("requests/<id:request_id>/decline/", views.request_decline, name="request-decline"),
]
