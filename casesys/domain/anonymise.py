"""Publication copies of rulings (SPEC §7): natural persons' names, ID
numbers, addresses and phone numbers masked; organisations stay named."""
from __future__ import annotations

import re
from collections.abc import Iterable

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def mask_person_name(name: str) -> str:
    """张三 → 张某, 欧阳娜娜 → 欧阳某某: keep the surname, mask the given name."""
    name = name.strip()
    if len(name) <= 1:
        return name
    surname_length = 2 if len(name) >= 4 else 1
    return name[:surname_length] + "某" * min(2, len(name) - surname_length)


def mask_address(address: str) -> str:
    """Keep the province/city/district, drop the street and number."""
    match = re.match(r"^(.*?(?:省|自治区|市))?(.*?(?:市|州|盟))?(.*?(?:区|县|旗|市))?", address)
    kept = "".join(part for part in (match.groups() if match else ()) if part)
    return (kept or "") + "（详细地址略）"


def anonymise(text: str, *, person_names: Iterable[str], addresses: Iterable[str]) -> str:
    """Mask what SPEC §7 lists in `text`; longest names first so that
    '张三丰' is not half-masked by '张三'."""
    for address in sorted(set(filter(None, addresses)), key=len, reverse=True):
        text = text.replace(address, mask_address(address))
    for name in sorted(set(filter(None, person_names)), key=len, reverse=True):
        text = text.replace(name, mask_person_name(name))
    text = ID_NUMBER.sub(lambda m: m.group(0)[:6] + "********" + "****", text)
    return PHONE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-2:], text)
