from django.urls import path

from . import views

F = "families/<int:network_id>"

urlpatterns = [
    path(f"{F}/genogram.svg", views.download, {"fmt": "svg"}, name="genogram-svg"),
    path(f"{F}/genogram.png", views.download, {"fmt": "png"}, name="genogram-png"),
    path(f"{F}/genogram.pdf", views.download, {"fmt": "pdf"}, name="genogram-pdf"),
]
