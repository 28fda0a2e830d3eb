"""Teams: create one, list yours, see a team's pages."""
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from papyrus.wiki import selectors, services
from papyrus.wiki.models import Team
from papyrus.wiki.permissions import can_post_to_team

from ..forms import TeamForm
from .common import Refused, refusals


@refusals
@require_http_methods(["GET", "POST"])
def team_list(request):
    user = request.user
    if not user.is_authenticated:
        raise Refused(403)
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.team_create(owner=user, name=form.cleaned_data["name"])
        return redirect("web:team", team_id=team.pk)
    return render(request, "web/team_list.html", {"teams": selectors.team_list(user=user), "form": form},
                  status=400 if form.errors else 200)


@refusals
def team_detail(request, team_id):
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Refused(404)
    if not can_post_to_team(request.user, team.pk):
        raise Refused(403)
    pages = selectors.page_list(user=request.user, team_id=team.pk)[:200]
    return render(request, "web/team_detail.html", {"team": team, "pages": pages})
