from django.urls import path

from . import views

urlpatterns = [
    path("people/search/", views.person_search, name="person-search"),
]
