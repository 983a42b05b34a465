"""Collect only the botocore service models cognito-desk calls (the contrib hook takes all ~450).

The embedded service validates requests against the cognito-identity, STS and IAM models; the
client layer signs with botocore and resolves AWS profiles, which may call STS, SSO and SSO-OIDC.
"""

from pathlib import Path

from PyInstaller.utils.hooks import get_package_paths

SERVICES = ("cognito-identity", "sts", "iam", "sso", "sso-oidc")

hiddenimports = ["html.parser"]
_, _package_dir = get_package_paths("botocore")
_data = Path(_package_dir) / "data"
datas = [(str(path), "botocore/data") for path in _data.iterdir() if path.is_file()]
for _service in SERVICES:
    for path in (_data / _service).rglob("*"):
        if path.is_file():
            datas.append((str(path), str(Path("botocore/data") / path.parent.relative_to(_data))))
for path in Path(_package_dir).glob("*.pem"):
    datas.append((str(path), "botocore"))
