"""Helpers for OpenRosa tests: a Digest-authenticating request and a filled
instance of a served XForm."""

import hashlib
import re
import uuid
import xml.etree.ElementTree as ET

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def digest_header(
    challenge: str, username: str, password: str, method: str, uri: str, count: int = 1
) -> str:
    params = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge.partition(" ")[2]))
    ha1 = md5(f"{username}:{params['realm']}:{password}")
    ha2 = md5(f"{method}:{uri}")
    cnonce, nc = uuid.uuid4().hex[:16], f"{count:08x}"
    response = md5(f"{ha1}:{params['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="{username}", realm="{params["realm"]}", nonce="{params["nonce"]}", '
        f'uri="{uri}", qop=auth, nc={nc}, cnonce="{cnonce}", response="{response}", '
        f'opaque="{params.get("opaque", "")}", algorithm=MD5'
    )


def call(client, method: str, path: str, username: str, password: str, **extra):
    """Ask, take the challenge, answer it: what a field client does."""
    first = getattr(client, method.lower())(path, **extra)
    if first.status_code != 401:
        return first
    for value in (extra.get("data") or {}).values():
        if hasattr(value, "seek"):
            value.seek(0)  # the refused first try read the files
    header = digest_header(first["WWW-Authenticate"], username, password, method.upper(), path)
    return getattr(client, method.lower())(path, HTTP_AUTHORIZATION=header, **extra)


def filled_instance(
    form_xml: bytes, values: dict[str, str], instance_id: str | None = None
) -> bytes:
    """The form's main instance with `values` filled in by field name."""
    root = ET.fromstring(form_xml)  # noqa: S314 (our own served form)
    main = next(iter(root.find(f"{H}head/{XF}model/{XF}instance")))
    for element in main.iter():
        name = element.tag.replace(XF, "")
        if name in values:
            element.text = values[name]
        if name == "instanceID":
            element.text = instance_id or f"uuid:{uuid.uuid4()}"
    ET.register_namespace("", XF[1:-1])
    text = ET.tostring(main, encoding="unicode").replace(f' xmlns="{XF[1:-1]}"', "")
    return text.replace("ns0:", "").encode()
