from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_families, name="my-families"),
    path("families/start/", views.network_start, name="network-start"),
    path("families/<int:network_id>/", views.family, name="family"),
    path("families/<int:network_id>/people/add/", views.person_add, name="person-add"),
    path("families/<int:network_id>/people/<int:person_id>/", views.person_edit, name="person-edit"),
    path("families/<int:network_id>/relationships/add/", views.relationship_add, name="relationship-add"),
    path("families/<int:network_id>/households/add/", views.residence_add, name="residence-add"),
    path("families/<int:network_id>/care/add/", views.care_add, name="care-add"),
    path("families/<int:network_id>/care/<int:care_id>/", views.care_add, name="care-edit"),
]
