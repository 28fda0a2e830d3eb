"""Issue 19 item 4 with real concurrency: two HTTP requests carrying one refresh token, sent at
the same instant to a live server with two worker processes. Exactly one may win, and the
reuse revokes the family, the winner's new tokens included."""
import json
import threading
import urllib.error
import urllib.request
import uuid

PASSWORD = "s3cret-Pass!"
ROUNDS = 8


def post(url: str, body: dict | None = None, headers: dict | None = None):
    data = json.dumps(body).encode() if body is not None else b""
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as e:
        return e.code, []


def cookie_value(set_cookies: list[str], name: str) -> str:
    for header in set_cookies:
        key, _, rest = header.partition("=")
        if key == name:
            return rest.split(";", 1)[0]
    raise AssertionError(f"no {name} cookie in {set_cookies}")


def test_two_concurrent_refreshes_with_one_token_never_both_succeed(papyrus_server):
    server = papyrus_server(workers=2)
    email = f"race-{uuid.uuid4().hex}@example.com"
    status, cookies = post(server.url + "/api/auth/register", {"name": "Race", "email": email, "password": PASSWORD})
    assert status == 201
    outcomes = []
    for _ in range(ROUNDS):
        status, cookies = post(server.url + "/api/auth/login", {"email": email, "password": PASSWORD})
        assert status == 200
        refresh = cookie_value(cookies, "refreshToken")
        barrier, results = threading.Barrier(2), [None, None]

        def race(i):
            barrier.wait()
            results[i] = post(server.url + "/api/auth/refresh", {"refreshToken": refresh})

        threads = [threading.Thread(target=race, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(code for code, _ in results)
        outcomes.append(codes)
        assert codes == [200, 401], outcomes
        winner = next(c for code, c in results if code == 200)
        # The loser's attempt was reuse: the winner's chain is revoked too, refresh and access token.
        assert post(server.url + "/api/auth/refresh",
                    {"refreshToken": cookie_value(winner, "refreshToken")})[0] == 401
        req = urllib.request.Request(server.url + "/api/auth/me",
                                     headers={"Authorization": f"Bearer {cookie_value(winner, 'accessToken')}"})
        try:
            urllib.request.urlopen(req, timeout=10)
            raise AssertionError("the winner's access token still works after the reuse")
        except urllib.error.HTTPError as e:
            assert e.code == 401
