from django.urls import path

from kinmap.records.lifecycle_views import change_page

from . import views

urlpatterns = [
    path("families/<id:network_id>/carers/<id:person_id>/", views.carer, name="carer"),
    path(
        "families/<id:network_id>/carers/<id:person_id>/information/",
        change_page(views.information_add),
        name="information-add",
    ),
    path(
        "families/<id:network_id>/carers/<id:person_id>/invite/",
        change_page(views.invite),
        name="carer-invite",
    ),
    path("families/<id:network_id>/carers/<id:person_id>/pack/", views.pack, name="carer-pack"),
    path("families/<id:network_id>/carers/<id:person_id>/pack.pdf", views.pack_pdf, name="carer-pack-pdf"),
    path(
        "families/<id:network_id>/joint-appointments/<id:appointment_id>/",
        change_page(views.appointment_outcome),
        name="appointment-outcome",
    ),
    path("materials/", views.materials, name="materials"),
    path("materials/add/", views.material_edit, name="material-add"),
    path("materials/<id:material_id>/", views.material_edit, name="material-edit"),
    path("materials/<id:material_id>/withdraw/", views.material_withdraw, name="material-withdraw"),
    path("materials/<id:material_id>/restore/", views.material_restore, name="material-restore"),
]
