"""Thin HTTP callers of selectors (reads) and services (writes)."""
from functools import wraps
from urllib.parse import urlencode

from django.utils.dateparse import parse_datetime
from django.utils.http import parse_etags, quote_etag

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotAuthenticated, NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ops.openapi import error_responses

from . import cache, selectors, services
from .models import Page, Team
from .permissions import can_post_to_team, can_read, can_read_team, can_write
from .serializers import (PageInput, PageListParams, PageSerializer, SearchParams, SearchResultSerializer,
                          TeamSerializer)


LINKED_PARAMS = ("q", "tag", "folder", "teamId")  # the list's filters a page link carries on


def _link_header(request, *, params: dict, total: int) -> str:
    """RFC 8288 first/last/next/prev links built from the validated parameters only: whatever else
    the query string held is not echoed (it made the header outgrow a proxy's buffer: a 502)."""
    base = request.build_absolute_uri(request.path)
    limit, offset = params["limit"], params["offset"]
    kept = {k: params[k] for k in LINKED_PARAMS if params[k] not in ("", None)}

    def url(off):
        return f"<{base}?{urlencode({**kept, 'limit': limit, 'offset': off})}>"

    last = max(0, (total - 1) // limit * limit)
    links = [f'{url(0)}; rel="first"', f'{url(last)}; rel="last"']
    if offset + limit < total:
        links.append(f'{url(offset + limit)}; rel="next"')
    if offset > 0:
        links.append(f'{url(max(0, offset - limit))}; rel="prev"')
    return ", ".join(links)


def _require_user(request):
    if not request.user.is_authenticated:
        raise NotAuthenticated("Sign in to do this")


def _check_team_for_post(user, team_id: int) -> None:
    """400 for an unknown team, 403 for a team `user` is not in. One query for a member (a team
    with a member exists); the existence query only for staff and refusals."""
    member = can_post_to_team(user, team_id)
    if (not member or user.is_staff) and not Team.objects.filter(pk=team_id).exists():
        raise ValidationError({"teamId": ["Unknown team"]})
    if not member:
        raise PermissionDenied("You are not a member of this team")


# --- ETag / If-Match: a write naming a version the page has left is refused with 412 ----------

class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The page has changed since you read it (If-Match does not match its ETag)"
    default_code = "precondition_failed"


def if_match(request):
    """The versions If-Match names, or None when absent or `*` (today's unconditional write)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    etags = parse_etags(header)
    if "*" in etags:
        return None
    return [etag[1:-1] for etag in etags if etag.startswith('"')]  # weak ETags never match


def with_etag(view_method):
    """Add the page's ETag to a 200/201 page response (cached ones too: built from the data)."""
    @wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        response = view_method(view, request, *args, **kwargs)
        data = response.data if response.status_code in (200, 201) else None
        if isinstance(data, dict) and data.get("updatedAt"):
            response["ETag"] = quote_etag(selectors.page_version(
                page_id=data["id"], updated_at=parse_datetime(data["updatedAt"])))
        return response
    return wrapper


def refuse_stale(view_method):
    @wraps(view_method)
    def wrapper(*args, **kwargs):
        try:
            return view_method(*args, **kwargs)
        except services.StaleVersion:
            raise PreconditionFailed() from None
    return wrapper


class PageListView(APIView):
    @extend_schema(parameters=[PageListParams], responses={200: PageSerializer(many=True)})
    @cache.cached_response
    def get(self, request):
        params = PageListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        ids, total = selectors.page_window(user=request.user, q=p["q"], tag=p["tag"], folder=p["folder"],
                                           team_id=p["teamId"], offset=p["offset"], limit=p["limit"])
        response = Response(cache.page_representations(ids, selectors.pages_by_id))
        response["X-Total-Count"] = str(total)
        response["Link"] = _link_header(request, params=p, total=total)
        return response

    @extend_schema(request=PageSerializer, responses={201: PageSerializer, **error_responses(401, 403)})
    def post(self, request):
        _require_user(request)
        data = PageInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        team_id = fields.pop("team_id", None)
        if team_id is not None:
            _check_team_for_post(request.user, team_id)
        page = services.page_create(author=request.user, team_id=team_id, **fields)
        return Response(PageSerializer(page).data, status=status.HTTP_201_CREATED)


class PageDetailView(APIView):
    @staticmethod
    def _found(page_id, viewer=None):
        page = selectors.page_get(page_id=page_id, viewer=viewer)
        if page is None:
            raise NotFound("Page not found")
        return page

    def _page(self, request, page_id, *, write=False):
        page = self._found(page_id, viewer=request.user)
        if not can_read(request.user, page):
            raise PermissionDenied("You cannot read this page")
        if write:
            _require_user(request)
            if not can_write(request.user, page):
                raise PermissionDenied("You cannot change this page")
        return page

    @extend_schema(responses={200: PageSerializer, **error_responses(403)})
    @with_etag
    def get(self, request, page_id):
        fetched = []  # on a miss, the page as read, with the reader's role along

        def compute():
            fetched.append(self._found(page_id, viewer=request.user))
            return PageSerializer(fetched[0]).data

        data = cache.cached_page(page_id, compute)
        readable = can_read(request.user, fetched[0]) if fetched else can_read_team(request.user, data["teamId"])
        if not readable:
            raise PermissionDenied("You cannot read this page")
        return Response(data)

    def _update(self, request, page_id, *, partial):
        page = self._page(request, page_id, write=True)
        data = PageInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        try:
            page = services.page_update(page=page, editor=request.user, expected_version=if_match(request),
                                        **data.validated_data)
        except Page.DoesNotExist:  # deleted since it was read
            raise NotFound("Page not found") from None
        return Response(PageSerializer(page).data)

    @extend_schema(request=PageSerializer, responses={200: PageSerializer, **error_responses(401, 403, 412)})
    @refuse_stale
    @with_etag
    def patch(self, request, page_id):
        return self._update(request, page_id, partial=True)

    @extend_schema(request=PageSerializer, responses={200: PageSerializer, **error_responses(401, 403, 412)})
    @refuse_stale
    @with_etag
    def put(self, request, page_id):
        return self._update(request, page_id, partial=False)

    @extend_schema(responses={204: None, **error_responses(401, 403, 412)})
    @refuse_stale
    def delete(self, request, page_id):
        services.page_delete(page=self._page(request, page_id, write=True), expected_version=if_match(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SearchView(APIView):
    @extend_schema(parameters=[SearchParams], responses={200: SearchResultSerializer(many=True)})
    @cache.cached_response
    def get(self, request):
        params = SearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        q = params.validated_data["q"].strip()
        if not q:
            return Response([])
        return Response(selectors.page_search(user=request.user, q=q, limit=params.validated_data["limit"]))


class TeamListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: TeamSerializer(many=True)})
    def get(self, request):
        return Response(TeamSerializer(selectors.team_list(user=request.user), many=True).data)

    @extend_schema(request=TeamSerializer, responses={201: TeamSerializer})
    def post(self, request):
        data = TeamSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = services.team_create(owner=request.user, name=data.validated_data["name"])
        team.role = "owner"
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)
