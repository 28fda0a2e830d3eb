from django.urls import path

from .views import accounts, pages, revisions, search, teams

app_name = "web"

urlpatterns = [
    path("", pages.page_list, name="pages"),
    path("pages/new/", pages.page_new, name="page-new"),
    path("pages/preview/", pages.preview, name="preview"),
    path("pages/<int:page_id>/", pages.page_detail, name="page"),
    path("pages/<int:page_id>/edit/", pages.page_edit, name="page-edit"),
    path("pages/<int:page_id>/delete/", pages.page_delete, name="page-delete"),
    path("pages/<int:page_id>/history/", revisions.page_history, name="history"),
    path("pages/<int:page_id>/diff/", revisions.page_diff, name="diff"),
    path("pages/<int:page_id>/history/<int:number>/restore/", revisions.page_restore, name="restore"),
    path("search/", search.search, name="search"),
    path("login/", accounts.signin, name="signin"),  # "login": the rate limiter's sign-in rule covers it
    path("register/", accounts.register, name="register"),
    path("signout/", accounts.signout, name="signout"),
    path("password-reset/", accounts.password_reset, name="password-reset"),
    path("reset/<str:uidb64>/<str:token>/", accounts.password_reset_confirm, name="password-reset-confirm"),
    path("teams/", teams.team_list, name="teams"),
    path("teams/<int:team_id>/", teams.team_detail, name="team"),
]
