from django.urls import path

from . import views

urlpatterns = [
    path("families/<int:network_id>/carers/<int:person_id>/", views.carer, name="carer"),
    path(
        "families/<int:network_id>/carers/<int:person_id>/information/",
        views.information_add,
        name="information-add",
    ),
    path("families/<int:network_id>/carers/<int:person_id>/invite/", views.invite, name="carer-invite"),
    path("families/<int:network_id>/carers/<int:person_id>/pack/", views.pack, name="carer-pack"),
    path("families/<int:network_id>/carers/<int:person_id>/pack.pdf", views.pack_pdf, name="carer-pack-pdf"),
    path(
        "families/<int:network_id>/joint-appointments/<int:appointment_id>/",
        views.appointment_outcome,
        name="appointment-outcome",
    ),
    path("materials/", views.materials, name="materials"),
    path("materials/add/", views.material_edit, name="material-add"),
    path("materials/<int:material_id>/", views.material_edit, name="material-edit"),
    path("materials/<int:material_id>/withdraw/", views.material_withdraw, name="material-withdraw"),
    path("materials/<int:material_id>/restore/", views.material_restore, name="material-restore"),
]
