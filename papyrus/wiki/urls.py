from django.urls import path

from . import api

urlpatterns = [
    path("pages", api.PageListView.as_view(), name="page-list"),
    path("pages/<int:page_id>", api.PageDetailView.as_view(), name="page-detail"),
    path("search", api.SearchView.as_view(), name="search"),
    path("teams", api.TeamListView.as_view(), name="team-list"),
]
