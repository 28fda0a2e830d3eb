import time, collections
from django.test import override_settings
from rest_framework.test import APIClient

def test_prof(signed_in, user, team_of, page_of, django_capture_on_commit_callbacks):
    team = team_of(user)
    for i in range(30):
        page_of(user, f"Public test {i}", content="test words " * 100)
    anon = APIClient()
    t = collections.defaultdict(float)
    def step(name, fn):
        s = time.process_time(); r = fn(); t[name] += time.process_time() - s; return r
    with override_settings(OPS_CACHE_RESPONSES=True):
        N = 100
        for i in range(N):
            step("health", lambda: anon.get("/health/live"))
            lst = step("list", lambda: anon.get("/api/pages"))
            step("read", lambda: anon.get(f"/api/pages/{lst.json()[0]['id']}"))
            step("search", lambda: anon.get("/api/search?q=test&limit=10"))
            with django_capture_on_commit_callbacks(execute=True):
                r = step("create", lambda: signed_in.post("/api/pages", {"title": f"k6 {i}", "content": "c", "tags": ["k6"], "teamId": team.id}, format="json"))
            nid = r.json()["id"]
            step("authread", lambda: signed_in.get(f"/api/pages/{nid}"))
            with django_capture_on_commit_callbacks(execute=True):
                step("patch", lambda: signed_in.patch(f"/api/pages/{nid}", {"content": "x"}, format="json"))
            with django_capture_on_commit_callbacks(execute=True):
                step("delete", lambda: signed_in.delete(f"/api/pages/{nid}"))
            step("read404", lambda: signed_in.get(f"/api/pages/{nid}"))
            step("me", lambda: signed_in.get(f"/api/auth/me"))
    for k, v in t.items():
        print(f"{k:10s} {v/N*1000:.2f} ms")
