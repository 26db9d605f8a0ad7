from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_families, name="my-families"),
    path("families/start/", views.network_start, name="network-start"),
    path("families/<int:network_id>/", views.family, name="family"),
    path("families/<int:network_id>/people/add/", views.person_add, name="person-add"),
    path("families/<int:network_id>/people/<int:person_id>/", views.person, name="person"),
    path("families/<int:network_id>/people/<int:person_id>/change/", views.person_edit, name="person-edit"),
    path(
        "families/<int:network_id>/people/<int:person_id>/other-names/add/",
        views.other_name_add,
        name="other-name-add",
    ),
    path("families/<int:network_id>/relationships/add/", views.relationship_add, name="relationship-add"),
    path(
        "families/<int:network_id>/relationships/<int:rel_id>/",
        views.relationship_edit,
        name="relationship-edit",
    ),
    path(
        "families/<int:network_id>/relationships/<int:rel_id>/remove/",
        views.relationship_remove,
        name="relationship-remove",
    ),
    path("families/<int:network_id>/households/add/", views.residence_add, name="residence-add"),
    path(
        "families/<int:network_id>/households/stays/<int:residence_id>/",
        views.residence_edit,
        name="residence-edit",
    ),
    path(
        "families/<int:network_id>/households/<int:household_id>/address/",
        views.household_edit,
        name="household-edit",
    ),
    path("families/<int:network_id>/care/add/", views.care_add, name="care-add"),
    path("families/<int:network_id>/care/<int:care_id>/", views.care_add, name="care-edit"),
    path("families/<int:network_id>/parental-responsibility/add/", views.pr_add, name="pr-add"),
    path("families/<int:network_id>/parental-responsibility/<int:pr_id>/", views.pr_add, name="pr-edit"),
]
