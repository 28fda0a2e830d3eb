"""List, read, create, edit (with preview and conflict handling) and delete pages."""
from types import SimpleNamespace

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from papyrus.wiki import selectors, services
from papyrus.wiki.models import Team
from papyrus.wiki.permissions import can_post_to_team, can_write

from .. import history
from ..forms import PageForm
from ..markdown import render as render_markdown
from .common import cached, readable_page, refusals, version_of, writable_page

PER_PAGE = 20


def _sign_in_first(request):
    return redirect(f"{reverse('web:signin')}?next={request.get_full_path()}")


def page_list(request):
    folder, tag = request.GET.get("folder", "")[:100], request.GET.get("tag", "")[:50]
    number = request.GET.get("page", "1")[:12]

    def compute():
        """The list and its paging as HTML: nothing in it depends on who is asking beyond
        what they may read (the cache key's visibility)."""
        pages = selectors.page_list(user=request.user, folder=folder, tag=tag).select_related("team")
        window = Paginator(pages, PER_PAGE).get_page(number)
        return render_to_string("web/_page_list_body.html", {"window": window, "folder": folder, "tag": tag})

    body = mark_safe(cached(request, ("list", folder, tag, number), compute))  # noqa: S308  # nosec B308 B703  # a template's output
    return render(request, "web/page_list.html", {"body": body, "folder": folder, "tag": tag})


@refusals
def page_detail(request, page_id):
    def compute():
        """The page's meta line and rendered body as HTML, and what the per-visitor parts need."""
        page = readable_page(request, page_id)
        body = render_to_string("web/_page_body.html", {"page": page, "html": render_markdown(page.content)})
        return {"pk": page.pk, "title": page.title, "author_id": page.author_id, "team_id": page.team_id,
                "body": body}

    page = cached(request, ("read", page_id), compute, page_id=page_id)
    writer_check = SimpleNamespace(author_id=page["author_id"], team_id=page["team_id"])
    return render(request, "web/page_detail.html", {
        "page": page, "body": mark_safe(page["body"]),  # noqa: S308  # nosec B308 B703  # sanitized before it was cached
        "can_write": can_write(request.user, writer_check)})


@require_POST
def preview(request):
    """The editor's Preview tab: the same renderer as the saved page."""
    return render(request, "web/_preview.html", {"html": render_markdown(request.POST.get("content", ""))})


def _teams_of(user):
    return list(selectors.team_list(user=user)) if user.is_authenticated else []


@require_http_methods(["GET", "POST"])
def page_new(request):
    user = request.user
    if not user.is_authenticated:
        return _sign_in_first(request)
    teams = _teams_of(user)
    form = PageForm(request.POST or None, teams=teams, with_team=True,
                    initial={"team": request.GET.get("team")})
    if request.method == "POST" and form.is_valid():
        team_id = form.cleaned_data["team"]
        if team_id is not None and not can_post_to_team(user, team_id):
            form.add_error("team", "You are not a member of this team.")
        else:
            page = services.page_create(author=user, team=Team.objects.filter(pk=team_id).first(),
                                        **form.page_fields())
            return redirect("web:page", page_id=page.pk)
    return render(request, "web/page_form.html", {"form": form, "page": None}, status=400 if form.errors else 200)


@refusals
@require_http_methods(["GET", "POST"])
def page_edit(request, page_id):
    if not request.user.is_authenticated:
        return _sign_in_first(request)
    page = writable_page(request, page_id)
    if request.method == "GET":
        form = PageForm(initial=PageForm.initial_for(page, version_of(page)))
        return render(request, "web/page_form.html", {"form": form, "page": page})
    form = PageForm(request.POST)
    if not form.is_valid():
        return render(request, "web/page_form.html", {"form": form, "page": page}, status=400)
    try:
        services.page_update(page=page, editor=request.user,
                             expected_version=form.cleaned_data["version"] or None, **form.page_fields())
    except services.StaleVersion as stale:
        return _conflict(request, form, stale.page)
    return redirect("web:page", page_id=page.pk)


def _conflict(request, form, current):
    """Refuse the save and show both versions; the form now carries the current version, so
    saving the merged text is a normal edit on top of it."""
    data = form.data.copy()
    data["version"] = version_of(current)
    yours = history.Version(0, form.cleaned_data["title"], form.cleaned_data["content"],
                            form.cleaned_data["tags"], request.user.name, None)
    theirs = history.Version(0, current.title, current.content, list(current.tags), "", current.updated_at)
    changes = history.diff(history.version_text(theirs), history.version_text(yours),
                           old_label="current", new_label="yours")
    return render(request, "web/page_form.html", {
        "form": PageForm(data), "page": current, "conflict": {"current": current, "changes": changes},
    }, status=409)


@refusals
@require_http_methods(["GET", "POST"])
def page_delete(request, page_id):
    if not request.user.is_authenticated:
        return _sign_in_first(request)
    page = writable_page(request, page_id)
    if request.method == "POST":
        services.page_delete(page=page)
        return redirect("web:pages")
    return render(request, "web/page_delete.html", {"page": page})
