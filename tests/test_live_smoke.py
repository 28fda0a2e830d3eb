import json
import urllib.request


def test_live_server_serves_public_pages_with_two_workers(papyrus_server):
    server = papyrus_server(workers=2)
    with urllib.request.urlopen(server.url + "/api/pages", timeout=5) as r:
        assert r.status == 200
        assert isinstance(json.load(r), list)
