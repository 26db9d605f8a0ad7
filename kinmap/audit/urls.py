from django.urls import path

from . import views

urlpatterns = [
    path("audit/", views.home, name="audit-home"),
    path("audit/families/<id:network_id>/", views.network_trail, name="audit-network"),
    path("audit/users/<id:user_id>/", views.user_trail, name="audit-user"),
]
