from django.urls import path

from . import views

F = "families/<id:network_id>"

urlpatterns = [
    path(f"{F}/chronology/", views.chronology, name="chronology"),
    path(f"{F}/chronology.csv", views.download, {"fmt": "csv"}, name="chronology-csv"),
    path(f"{F}/chronology.pdf", views.download, {"fmt": "pdf"}, name="chronology-pdf"),
]
