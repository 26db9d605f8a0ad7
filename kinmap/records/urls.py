from django.urls import path

from . import lifecycle_views, views

urlpatterns = [
    path("", views.my_families, name="my-families"),
    path("families/start/", views.network_start, name="network-start"),
    path("families/<id:network_id>/", views.family, name="family"),
    path("families/<id:network_id>/close/", lifecycle_views.network_close, name="network-close"),
    path("families/<id:network_id>/reopen/", lifecycle_views.network_reopen, name="network-reopen"),
    path("families/<id:network_id>/people/add/", views.person_add, name="person-add"),
    path("families/<id:network_id>/people/<id:person_id>/", views.person, name="person"),
    path("families/<id:network_id>/people/<id:person_id>/change/", views.person_edit, name="person-edit"),
    path(
        "families/<id:network_id>/people/<id:person_id>/other-names/add/",
        views.other_name_add,
        name="other-name-add",
    ),
    path("families/<id:network_id>/relationships/add/", views.relationship_add, name="relationship-add"),
    path(
        "families/<id:network_id>/relationships/<id:rel_id>/",
        views.relationship_edit,
        name="relationship-edit",
    ),
    path(
        "families/<id:network_id>/relationships/<id:rel_id>/remove/",
        views.relationship_remove,
        name="relationship-remove",
    ),
    path("families/<id:network_id>/households/add/", views.residence_add, name="residence-add"),
    path(
        "families/<id:network_id>/households/stays/<id:residence_id>/",
        views.residence_edit,
        name="residence-edit",
    ),
    path(
        "families/<id:network_id>/households/<id:household_id>/address/",
        views.household_edit,
        name="household-edit",
    ),
    path("families/<id:network_id>/care/add/", views.care_add, name="care-add"),
    path("families/<id:network_id>/care/<id:care_id>/", views.care_add, name="care-edit"),
    path("families/<id:network_id>/care-orders/add/", views.care_order_add, name="care-order-add"),
    path("families/<id:network_id>/care-orders/<id:order_id>/", views.care_order_add, name="care-order-edit"),
    path("families/<id:network_id>/parental-responsibility/add/", views.pr_add, name="pr-add"),
    path("families/<id:network_id>/parental-responsibility/<id:pr_id>/", views.pr_add, name="pr-edit"),
]
