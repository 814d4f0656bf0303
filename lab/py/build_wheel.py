"""Build the lab's tiny wheel, labpkg 0.1.0, by hand (a wheel is a zip: PEP 427).

Usage: python3 build_wheel.py OUT_DIR  -> prints {"file": ..., "sha256": ...} as JSON.
No setuptools and no download: the lab must build it offline.
"""
import base64
import hashlib
import json
import os
import sys
import zipfile

NAME, VERSION = "labpkg", "0.1.0"
DIST = f"{NAME}-{VERSION}.dist-info"
FILES = {
    f"{NAME}/__init__.py": (
        '"""A package served by the Cordon lab\'s package index."""\n'
        f'__version__ = "{VERSION}"\n\n\n'
        "def hello():\n"
        f'    return "{NAME} {VERSION} installed through the Cordon proxy"\n'
    ),
    f"{DIST}/METADATA": (
        f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n"
        "Summary: A tiny package for the Cordon lab\n"
    ),
    f"{DIST}/WHEEL": "Wheel-Version: 1.0\nGenerator: cordon-lab\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}


def record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def main() -> None:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"{NAME}-{VERSION}-py3-none-any.whl")
    record = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as whl:
        for name, text in FILES.items():
            data = text.encode()
            whl.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data)
            record.append(f"{name},{record_hash(data)},{len(data)}")
        record.append(f"{DIST}/RECORD,,")
        whl.writestr(zipfile.ZipInfo(f"{DIST}/RECORD", (2024, 1, 1, 0, 0, 0)), "\n".join(record) + "\n")
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    print(json.dumps({"file": os.path.basename(path), "sha256": sha}))


if __name__ == "__main__":
    main()
