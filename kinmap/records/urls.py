from django.urls import path

from . import care_views, lifecycle_views, relationship_views, views
from .lifecycle_views import change_page

urlpatterns = [
    path("", views.my_families, name="my-families"),
    path("families/start/", views.network_start, name="network-start"),
    path("families/<id:network_id>/", views.family, name="family"),
    path("families/<id:network_id>/close/", change_page(lifecycle_views.network_close), name="network-close"),
    path("families/<id:network_id>/reopen/", lifecycle_views.network_reopen, name="network-reopen"),
    path("families/<id:network_id>/people/add/", change_page(views.person_add), name="person-add"),
    path("families/<id:network_id>/people/<id:person_id>/", views.person, name="person"),
    path(
        "families/<id:network_id>/people/<id:person_id>/change/",
        change_page(views.person_edit),
        name="person-edit",
    ),
    path(
        "families/<id:network_id>/people/<id:person_id>/other-names/add/",
        change_page(views.other_name_add),
        name="other-name-add",
    ),
    path(
        "families/<id:network_id>/relationships/add/",
        change_page(relationship_views.relationship_add),
        name="relationship-add",
    ),
    path(
        "families/<id:network_id>/relationships/<id:rel_id>/",
        change_page(relationship_views.relationship_edit),
        name="relationship-edit",
    ),
    path(
        "families/<id:network_id>/relationships/<id:rel_id>/remove/",
        change_page(relationship_views.relationship_remove),
        name="relationship-remove",
    ),
    path(
        "families/<id:network_id>/households/add/",
        change_page(care_views.residence_add),
        name="residence-add",
    ),
    path(
        "families/<id:network_id>/households/stays/<id:residence_id>/",
        change_page(care_views.residence_edit),
        name="residence-edit",
    ),
    path(
        "families/<id:network_id>/households/<id:household_id>/address/",
        change_page(care_views.household_edit),
        name="household-edit",
    ),
    path("families/<id:network_id>/care/add/", change_page(care_views.care_add), name="care-add"),
    path("families/<id:network_id>/care/<id:care_id>/", change_page(care_views.care_add), name="care-edit"),
    path(
        "families/<id:network_id>/care-orders/add/",
        change_page(care_views.care_order_add),
        name="care-order-add",
    ),
    path(
        "families/<id:network_id>/care-orders/<id:order_id>/",
        change_page(care_views.care_order_add),
        name="care-order-edit",
    ),
    path(
        "families/<id:network_id>/parental-responsibility/add/", change_page(care_views.pr_add), name="pr-add"
    ),
    path(
        "families/<id:network_id>/parental-responsibility/<id:pr_id>/",
        change_page(care_views.pr_add),
        name="pr-edit",
    ),
]
