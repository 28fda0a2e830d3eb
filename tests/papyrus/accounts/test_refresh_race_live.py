"""Issue 19 item 4 with real concurrency: two HTTP requests carrying one refresh token, sent at
the same instant to a live server with two worker processes. Exactly one may win, and the
reuse revokes the family, the winner's new tokens included."""
import threading
import uuid

from tests.support.http import request

PASSWORD = "s3cret-Pass!"
ROUNDS = 8


def post(url: str, body: dict):
    return request("POST", url, body=body, timeout=20)


def test_two_concurrent_refreshes_with_one_token_never_both_succeed(papyrus_server):
    server = papyrus_server(workers=2)
    email = f"race-{uuid.uuid4().hex}@example.com"
    assert post(server.url + "/api/auth/register", {"name": "Race", "email": email, "password": PASSWORD}).status == 201
    outcomes = []
    for _ in range(ROUNDS):
        login = post(server.url + "/api/auth/login", {"email": email, "password": PASSWORD})
        assert login.status == 200
        refresh = login.cookies()["refreshToken"]
        barrier, results = threading.Barrier(2), [None, None]

        def race(i):
            barrier.wait()
            results[i] = post(server.url + "/api/auth/refresh", {"refreshToken": refresh})

        threads = [threading.Thread(target=race, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(reply.status for reply in results)
        outcomes.append(codes)
        assert codes == [200, 401], outcomes
        winner = next(reply.cookies() for reply in results if reply.status == 200)
        # The loser's attempt was reuse: the winner's chain is revoked too, refresh and access token.
        assert post(server.url + "/api/auth/refresh", {"refreshToken": winner["refreshToken"]}).status == 401
        me = request("GET", server.url + "/api/auth/me", headers={"Authorization": f"Bearer {winner['accessToken']}"})
        assert me.status == 401, "the winner's access token still works after the reuse"
