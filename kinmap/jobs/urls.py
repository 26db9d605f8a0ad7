from django.urls import path

from . import views

urlpatterns = [
    path("settings/rules/recomputes/<id:run_id>/", views.recompute_progress, name="jobs-recompute"),
]
