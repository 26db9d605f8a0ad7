from django.urls import path

from . import views

urlpatterns = [
    path("likely-duplicates/", views.queue, name="merge-queue"),
    path("likely-duplicates/<id:candidate_id>/", views.pair, name="merge-pair"),
    path("likely-duplicates/<id:candidate_id>/merge/", views.pair_merge, name="merge-pair-merge"),
    path("likely-duplicates/<id:candidate_id>/different/", views.pair_different, name="merge-pair-different"),
    path("merges/<id:merge_id>/", views.merge_detail, name="merge-detail"),
    path("merges/<id:merge_id>/undo/", views.merge_undo_view, name="merge-undo"),
]
