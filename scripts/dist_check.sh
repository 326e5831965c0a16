#!/usr/bin/env bash
# `make dist-check`: build the wheel and the sdist, install the wheel into a fresh
# virtualenv outside the checkout, migrate a new SQLite file, serve it, and read
# /api/v2/workspaces with a key from `webwork bootstrap --json`, and render the sign-in
# page. Proves that the package carries what the server needs (migrations and page
# templates included) and runs without the
# source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

.venv/bin/python -m build --outdir "$tmp/dist" . >"$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log"; exit 1; }
ls "$tmp"/dist/*.whl "$tmp"/dist/*.tar.gz >/dev/null
"$python" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet "$tmp"/dist/*.whl 2>&1 | grep -v '^WARNING: Location' || true

cd "$tmp"
export WEBWORK_DATABASE_URL="sqlite+aiosqlite:///$tmp/dist-check.db" WEBWORK_RATE_LIMIT=off
webwork="$tmp/venv/bin/webwork"
"$webwork" --version
"$tmp/venv/bin/python" -m webwork --version >/dev/null
"$webwork" db upgrade
boot=$("$webwork" bootstrap --email dist@example.com --firstname Dist --lastname Check --workspace Dist --json 2>/dev/null)
port=$("$tmp/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$webwork" serve --no-migrate --host 127.0.0.1 --port "$port" >"$tmp/serve.log" 2>&1 &
pid=$!
"$tmp/venv/bin/python" - "$port" "$boot" <<'PY'
import json, sys, time, urllib.request
port, boot = sys.argv[1], json.loads(sys.argv[2])
url = f"http://127.0.0.1:{port}/api/v2/workspaces"
request = urllib.request.Request(url, headers={"Authorization": f"Bearer {boot['api_key']}"})
for _ in range(100):
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            body = json.load(response)
            assert response.status == 200 and body["data"][0]["id"] == boot["workspace_id"], body
            print(f"dist-check: the installed wheel served GET /api/v2/workspaces -> {response.status}")
            break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("dist-check: the installed wheel did not answer")
# The pages' templates are package data: the sign-in page renders from the wheel.
with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as response:
    page = response.read().decode()
    assert response.status == 200 and 'name="password"' in page, page[:500]
    print("dist-check: the installed wheel rendered GET /login -> 200")
PY
