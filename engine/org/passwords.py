"""The password policy for passwords people choose (``kuaiban users add`` and ``set-password``,
the web's password page): long enough, not the user name, not one of the passwords people
commonly choose (``common_passwords.txt`` beside this module), not one character over and
over. Accounts seeded by code (the demo users, tests) are given their password as it is.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from engine.errors import InvalidData
from engine.messages import msg

MIN_LENGTH = 10
MAX_LENGTH = 256  # scrypt hashes every character: a long password is work for the server
MIN_DISTINCT = 4  # "aaaaaaaaab" is not a password


@cache
def common_passwords() -> frozenset[str]:
    text = files("engine.org").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def problems(username: str, password: str) -> list[str]:
    """What is wrong with ``password`` for ``username`` (in Chinese); empty when it will do."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"密码至少 {MIN_LENGTH} 个字符")
    if len(password) > MAX_LENGTH:
        found.append(f"密码最多 {MAX_LENGTH} 个字符")
    folded = password.casefold()
    name = username.strip().casefold()
    if name and (folded == name or (len(name) >= 4 and name in folded)):
        found.append("密码不能是或包含用户名")
    if folded in common_passwords():
        found.append("这是常见密码，很容易被猜中，请换一个")
    if len(set(password)) < MIN_DISTINCT:
        found.append(f"密码至少要有 {MIN_DISTINCT} 个不同的字符")
    return found


def check(username: str, password: str, field: str = "password") -> None:
    """InvalidData on ``field`` unless ``password`` follows the policy."""
    found = problems(username, password)
    if found:
        raise InvalidData({field: "；".join(found)}, msg("account.weak_password", problems=found))
