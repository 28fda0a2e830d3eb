from django.http import Http404, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from . import access, conf, exposition, multiproc


def metrics(request):
    """Prometheus text exposition of every worker's series; 404 when ENABLE_PROMETHEUS is false."""
    if not conf.enabled():
        raise Http404("metrics are disabled")
    denied = access.denial(request)
    if denied is not None:
        return denied
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"message": "Method not allowed"}, status=405, headers={"Allow": "GET, HEAD"})
    path = multiproc.directory()
    if path:
        multiproc.reap_dead(path)
    body = generate_latest(exposition.registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
