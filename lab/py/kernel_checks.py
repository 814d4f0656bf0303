"""The seed's checks from inside a "kernel" of the lab notebook (see kernel_launch.py).

Runs what notebook cells would run -- urllib requests, `%pip install` (pip in a subprocess),
pandas over boto3, `!aws s3 cp` -- with only the environment the kernel was given, and prints one
JSON object: {"checks": [{"name", "ok", "detail"}...]}. Exit status 0 whatever the outcome: the lab's
test decides what each outcome must be.
"""
import errno
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

from read_csv import read_csv

TIMEOUT = 20


def fetch(url, proxies=None):
    """GET url with the environment's proxies (or the given ones); returns (status, headers, body)."""
    handlers = [] if proxies is None else [urllib.request.ProxyHandler(proxies)]
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(url, timeout=TIMEOUT) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def check_https():
    status, _, body = fetch("https://files.lab.test/hello.txt")
    return status == 200 and "hello from files.lab.test" in body, f"{status} {body.strip()}"


def check_http():
    status, _, body = fetch("http://plain.lab.test/")
    return status == 200 and "hello from plain.lab.test" in body, f"{status} {body.strip()}"


def check_denied_explained():
    status, headers, body = fetch("http://blocked.lab.test/")
    reason = headers.get("X-Cordon-Reason")
    ok = status == 403 and reason == "not_allowlisted" and "Cordon denied" in body
    return ok, f"{status} {reason} {body.splitlines()[0] if body else ''}"


def check_denied_https():
    try:
        fetch("https://blocked.lab.test/")
        return False, "the request went through"
    except urllib.error.URLError as e:
        return "403" in str(e.reason), str(e.reason)


def check_pip():
    target = tempfile.mkdtemp(prefix="labpkg-")
    try:
        cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
               "--retries", "0", "--timeout", str(TIMEOUT), "--no-deps", "--target", target,
               "--index-url", "https://pkgs.lab.test/simple/", "labpkg"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            return False, (r.stderr.strip().splitlines() or ["pip failed"])[-1]
        sys.path.insert(0, target)
        import labpkg  # noqa: E402 -- installed just now

        return True, labpkg.hello()
    finally:
        shutil.rmtree(target, ignore_errors=True)


def check_pandas_s3():
    df = read_csv()
    return len(df) == 6, f"rows={len(df)}"


def check_aws_cli():
    cmd = ["aws", "s3", "cp", "s3://lab-data/iris.csv", "-", "--endpoint-url", "https://s3.lab.test",
           "--region", "us-east-1", "--cli-connect-timeout", "10"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return r.returncode == 0 and "sepal_length" in r.stdout, (r.stdout or r.stderr).strip().splitlines()[0]


def check_no_route():
    try:
        socket.create_connection(("198.51.100.10", 443), timeout=5).close()
        return False, "connected directly"
    except OSError as e:
        return e.errno == errno.ENETUNREACH, str(e)


def check_metadata_direct():
    status, _, body = fetch("http://169.254.169.254/latest/meta-data/instance-id")
    return status == 200 and body.startswith("i-"), f"{status} {body}"


def check_metadata_via_proxy():
    """Ask the proxy itself for the metadata service (NO_PROXY would send urllib around it)."""
    proxy = os.environ.get("HTTP_PROXY") or os.environ.get("http_proxy")
    if not proxy:
        return False, "no HTTP_PROXY in the kernel's environment"
    u = urllib.parse.urlsplit(proxy)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=TIMEOUT)
    try:
        conn.request("GET", "http://169.254.169.254/latest/meta-data/")
        r = conn.getresponse()
        reason = r.getheader("X-Cordon-Reason")
        return r.status == 403 and reason == "ip_literal_not_allowed", f"{r.status} {reason}"
    finally:
        conn.close()


CHECKS = {
    "https_allowlisted": check_https,
    "http_allowlisted": check_http,
    "denied_explained": check_denied_explained,
    "denied_https": check_denied_https,
    "pip_install": check_pip,
    "pandas_s3": check_pandas_s3,
    "aws_s3_cp": check_aws_cli,
    "no_route": check_no_route,
    "metadata_direct": check_metadata_direct,
    "metadata_via_proxy": check_metadata_via_proxy,
}


def main():
    only = set(sys.argv[1:])
    results = []
    for name, fn in CHECKS.items():
        if only and name not in only:
            continue
        try:
            ok, detail = fn()
        except Exception as e:  # a failing check is a result, not a crash
            ok, detail = False, f"{type(e).__name__}: {e}"
        results.append({"name": name, "ok": bool(ok), "detail": str(detail)[:500]})
    print(json.dumps({"checks": results}))


if __name__ == "__main__":
    main()
