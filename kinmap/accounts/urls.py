from django.urls import path

from . import views

urlpatterns = [
    path("manage/users/", views.users, name="manage-users"),
    path("manage/users/new/", views.user_new, name="manage-user-new"),
    path("manage/users/<id:user_id>/deactivate/", views.user_deactivate, name="manage-user-deactivate"),
    path("manage/teams/", views.teams, name="manage-teams"),
    path(
        "manage/agencies/<id:agency_id>/safeguarding-lead/",
        views.agency_safeguarding_lead,
        name="manage-agency-safeguarding-lead",
    ),
    path("manage/allocations/", views.allocations, name="manage-allocations"),
    path(
        "manage/families/<id:network_id>/allocations/",
        views.network_allocations,
        name="manage-network-allocations",
    ),
    path(
        "manage/allocations/<id:allocation_id>/remove/",
        views.allocation_remove,
        name="manage-allocation-remove",
    ),
    path("manage/masked-details/", views.entitlements, name="manage-entitlements"),
]
