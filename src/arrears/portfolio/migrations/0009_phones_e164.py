"""Phone numbers stored in E.164 (``13800138000`` → ``+8613800138000``, ``01012345678`` →
``+861012345678``) with their blind index recomputed in the new normal form (E.164, see
``core.phones.index_form``). Rows written before were all read as Chinese numbers, so each
is read in China; a value that does not read as a number keeps its text and gets the index
of the new form.

Keyset batches by id, one SELECT and one pipelined UPDATE each (as
``core.encryption_batches``); the values make one round trip through Python because they are
encrypted. Two rows of one party that become one number (``~<id>`` twins, as
``index_duplicates_separate`` keeps them) stay apart: each index is first written with its
row's ``~<id>``, then one statement strips it from the first row of each number.

Reversed: E.164 Chinese numbers go back to the bare national digits (trunk 0 kept for a
landline), other values are left, and the index goes back to the old normal form (digits
without +86/0086/86), written out below so the reversal does not depend on today's code.
"""

import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

from django.db import connection, migrations

from arrears.core import phones
from arrears.core.crypto import FORMAT, INDEX_HEX_CHARS, decrypt, encrypt, index_key

TABLE = "portfolio_contactpoint"
CONTEXT = f"{TABLE}.value"
BATCH_ROWS = 5_000


def _index(normal: str) -> str:
    """The blind index of a phone whose normal form is ``normal`` (``crypto.blind_index``)."""
    message = f"phone\x1f{normal}".encode()
    return hmac.new(index_key(), message, hashlib.sha256).hexdigest()[:INDEX_HEX_CHARS]


def _open(stored: str) -> str:
    return decrypt(stored, context=CONTEXT) if stored.startswith(f"{FORMAT}:") else stored


def _seal(clear: str, stored: str) -> str:
    return encrypt(clear, context=CONTEXT) if stored.startswith(f"{FORMAT}:") else clear


def _forward(clear: str) -> tuple[str, str]:
    try:
        value = phones.parse_phone(clear, "CN")
    except phones.PhoneProblem:
        value = clear
    return value, _index(phones.index_form(value))


def _old_normal(text: str) -> str:
    """The phone normal form before E.164: digits without +86 / 0086 / a leading 86 on 13."""
    text = text.strip()
    if text.startswith("+86"):
        text = text[3:]
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits or text


def _backward(clear: str) -> tuple[str, str]:
    value = clear
    if clear.startswith("+86") and ";" not in clear:
        national = re.sub(r"\D", "", phones.national(clear))
        value = national or clear
    return value, _index(_old_normal(value))


def _rewrite(rewrite: Callable[[str], tuple[str, str]]) -> None:
    quote = connection.ops.quote_name
    table, value, index = quote(TABLE), quote("value"), quote("value_index")
    select = (
        f"SELECT id, {value} FROM {table} WHERE id > %s AND kind = 'phone' AND {value} <> ''"
        f" ORDER BY id LIMIT {BATCH_ROWS}"
    )
    update = f"UPDATE {table} SET {value} = %s, {index} = %s WHERE id = %s"
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(select, [last])
            rows = cursor.fetchall()
            if not rows:
                break
            updates = []
            for pk, stored in rows:
                clear, new_index = rewrite(_open(stored))
                changed = clear != _open(stored)
                updates.append(
                    (_seal(clear, stored) if changed else stored, f"{new_index}~{pk}", pk)
                )
            cursor.executemany(update, updates)
            last = rows[-1][0]
        # Every index carries its row's ~id now; the first row of each number drops it.
        cursor.execute(
            f"UPDATE {table} SET {index} = SUBSTR({index}, 1, {INDEX_HEX_CHARS})"
            f" WHERE kind = 'phone' AND id IN (SELECT MIN(id) FROM {table}"
            f" WHERE kind = 'phone' AND {index} LIKE '%%~%%'"
            f" GROUP BY party_id, SUBSTR({index}, 1, {INDEX_HEX_CHARS}))"
        )


def phones_to_e164(apps: Any, schema_editor: Any) -> None:
    _rewrite(_forward)


def phones_to_digits(apps: Any, schema_editor: Any) -> None:
    _rewrite(_backward)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0008_encrypt_identifiers")]

    operations = [migrations.RunPython(phones_to_e164, phones_to_digits)]
