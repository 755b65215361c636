"""The scheduled external-link check, against a server on 127.0.0.1 only."""

from __future__ import annotations

import http.server
import threading

import pytest

from generator import links, pipeline


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):
        if self.path == "/sans-head":
            self.send_response(405)
        else:
            self.send_response(200 if self.path in ("/ok", "/sans-head") else 404)
        self.end_headers()

    def do_GET(self):
        self.send_response(200 if self.path in ("/ok", "/sans-head") else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_dead_links_are_reported_with_their_file(tree, server):
    tree.campus("c1", site_web=f"{server}/ok")
    tree.campus("c2", site_web=f"{server}/disparu")
    tree.campus("c3", site_web=f"{server}/sans-head")
    tree.campus("c4", site_web="http://127.0.0.1:9/ferme")
    catalog = pipeline.run(tree.root).catalog
    lines = links.report(links.check(links.external_links(catalog), timeout=2))
    assert lines[0] == f"content/campuses/c2.md:1: site_web: lien mort ? {server}/disparu — erreur HTTP 404"
    assert lines[1].startswith("content/campuses/c4.md:1: site_web: lien mort ? http://127.0.0.1:9/ferme — "
                               "aucune réponse (")
    assert lines[2] == "4 liens vérifiés, 2 en échec"
