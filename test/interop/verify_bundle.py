#!/usr/bin/env python3
"""Checks an unpacked evidence bundle by following its VERIFY.md, with Python's
standard library only: none of the ledger's code.

    verify_bundle.py <dir>              recompute every event hash (section 3:
                                        v2 hashes each line's hashed form as
                                        it stands, v1 rebuilds it in RFC 8785
                                        form), every carried value against its
                                        commitment, every leaf and the multiproof
                                        (v2) or each inclusion proof (v1) up
                                        to the checkpoint's root (RFC 9162,
                                        section 4), stream chains
    verify_bundle.py <dir> --sha256sums print manifest.json's digests as
                                        `sha256sum -c` reads them (section 1)

Signatures (manifest.sig, checkpoint.note) are left to Go's sumdb/note: the
standard library has no Ed25519. Exits 0 when everything holds, 1 listing
every failure otherwise.
"""

import base64
import hashlib
import json
import math
import re
import sys
from pathlib import Path


def canonical(value):
    """RFC 8785: JSON with sorted keys (UTF-16 code units), no whitespace, ECMAScript numbers."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return canonical_string(value)
    if isinstance(value, (int, float)):
        return canonical_number(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(canonical_string(k) + ":" + canonical(value[k]) for k in keys) + "}"
    raise ValueError(f"not JSON: {value!r}")


ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def canonical_string(text):
    out = []
    for ch in text:
        if ch in ESCAPES:
            out.append(ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def canonical_number(number):
    """ECMAScript Number.prototype.toString: the shortest round-trip digits, laid out as ES prints them."""
    if isinstance(number, int) and abs(number) < 2**53:
        return str(number)
    number = float(number)
    if not math.isfinite(number):
        raise ValueError("RFC 8785 has no NaN or Infinity")
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    # repr gives the shortest digits that round-trip, as ECMAScript does; only the layout differs.
    mantissa, _, exponent = repr(abs(number)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + int(exponent or 0)  # the value is 0.<digits> * 10^point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e > 0 else "-") + str(abs(e))


def sha256(data):
    return hashlib.sha256(data).digest()


def event_hash(event):
    """VERIFY.md section 3: SHA-256 over the canonical event without position, values and integrity.hash."""
    hashed = {k: event[k] for k in ("eventId", "type", "schemaVersion", "stream", "revision", "data", "metadata")}
    hashed["integrity"] = {"prevHash": event["integrity"]["prevHash"]}
    if event["integrity"].get("hashScheme") == 2:
        hashed["integrity"]["hashScheme"] = 2
    return hashlib.sha256(canonical(hashed).encode("utf-8")).hexdigest()


def value_at(root, pointer):
    """RFC 6901: the value a JSON Pointer names, or None when nothing is there."""
    if not pointer.startswith("/"):
        return None
    at = root
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(at, dict) and token in at:
            at = at[token]
        elif isinstance(at, list) and token.isdigit() and int(token) < len(at):
            at = at[int(token)]
        else:
            return None
    return at


def check_values(where, event, values):
    """VERIFY.md, erasable values: each carried value with its salt opens the commitment at its pointer."""
    if not isinstance(values, dict):
        return [f"{where}: its values are not an object"]
    failures = []
    for pointer, entry in values.items():
        held = value_at(event, pointer)
        commitment = held.get("$commitment") if isinstance(held, dict) and len(held) == 1 else None
        if not isinstance(commitment, str):
            failures.append(f"{where}: {pointer} holds no commitment")
            continue
        salt = entry.get("salt") if isinstance(entry, dict) else None
        if not isinstance(salt, str) or not re.fullmatch(r"[0-9a-f]{64}", salt) or "value" not in entry:
            failures.append(f"{where}: the value carried for {pointer} is not {{salt, value}}")
            continue
        opened = hashlib.sha256(bytes.fromhex(salt) + canonical(entry["value"]).encode("utf-8")).hexdigest()
        if opened != commitment:
            failures.append(f"{where}: the value carried for {pointer} does not open its commitment")
    return failures


def root_from_inclusion(index, size, leaf, proof):
    """RFC 9162 section 2.1.3.2: the root an inclusion proof leads to, or None when its length is wrong."""
    if index >= size:
        return None
    fn, sn, node = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            node = sha256(b"\x01" + sibling + node)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = sha256(b"\x01" + node + sibling)
        fn, sn = fn >> 1, sn >> 1
    return node if sn == 0 else None


def checkpoint_of(note):
    """VERIFY.md section 2: origin, size and root are the note's first three lines."""
    lines = note.split("\n")
    return lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)


def verify(directory):
    failures = []
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    origin, size, root = checkpoint_of((directory / "checkpoint.note").read_text("utf-8"))
    if origin != manifest["origin"] or size != manifest["checkpoint"]["treeSize"] or (
        base64.b64encode(root).decode() != manifest["checkpoint"]["rootHash"]
    ):
        failures.append("checkpoint.note: not the checkpoint manifest.json names")
    if manifest["format"] == "govledger-evidence-bundle/v2":
        return verify_v2(directory, size, root, failures)
    events = (directory / "events.jsonl").read_text("utf-8").splitlines()
    proofs = (directory / "proofs.jsonl").read_text("utf-8").splitlines()
    if len(events) != len(proofs):
        failures.append(f"events.jsonl has {len(events)} lines, proofs.jsonl {len(proofs)}")
    last_in_stream = {}
    for n, (event_line, proof_line) in enumerate(zip(events, proofs), start=1):
        try:
            failures.extend(check_line(n, event_line, proof_line, size, root, last_in_stream))
        except (ValueError, KeyError, TypeError) as error:
            failures.append(f"line {n}: not an event and its proof as VERIFY.md describes them ({error!r})")
    return failures, len(events), size


# VERIFY.md section 3 (v2): the prefix of each events.jsonl line; its hashed form follows, then "}".
EVENT_LINE = re.compile(r'\{"position":"([1-9][0-9]*)","leafIndex":(0|[1-9][0-9]*),"hash":"([0-9a-f]{64})","event":')


def verify_v2(directory, size, root, failures):
    """VERIFY.md sections 3 and 4 of a v2 bundle: each hashed form as it stands, then one multiproof for every leaf."""
    content = (directory / "events.jsonl").read_bytes()
    if content and not content.endswith(b"\n"):
        failures.append("events.jsonl: the last line does not end with a newline")
    leaves, last_in_stream, last_position = [], {}, 0
    for n, line in enumerate(content.split(b"\n")[:-1], start=1):
        head = EVENT_LINE.match(line.decode("utf-8", "replace"))
        if not head or not line.endswith(b"}"):
            failures.append(f"events.jsonl line {n}: not a v2 event line as VERIFY.md describes it")
            return failures, n, size
        position, leaf_index, recorded = int(head.group(1)), int(head.group(2)), head.group(3)
        # The hashed form runs from the prefix to where its JSON ends; then "}" or the carried values.
        text = line.decode("utf-8", "replace")
        try:
            event, end = json.JSONDecoder().raw_decode(text, len(head.group(0)))
        except ValueError as error:
            failures.append(f"events.jsonl line {n}: its hashed form is not JSON ({error!r})")
            continue
        rest, values = text[end:], None
        if rest != "}":
            try:
                values = json.loads("{" + rest[1:])["values"] if rest.startswith(',"values":') else None
            except (ValueError, KeyError):
                values = None
            if values is None:
                failures.append(f"events.jsonl line {n}: after its hashed form comes neither }} nor its values")
                continue
        hashed = text[len(head.group(0)) : end].encode("utf-8")
        recomputed = hashlib.sha256(hashed).hexdigest()
        if recomputed != recorded:
            failures.append(f"events.jsonl line {n}: the event hashes to {recomputed}, not its recorded {recorded}")
        if position <= last_position:
            failures.append(f"events.jsonl line {n}: position {position} does not follow {last_position}")
        if leaves and leaf_index <= leaves[-1][0] or leaf_index >= size:
            failures.append(f"events.jsonl line {n}: leaf index {leaf_index} does not rise within the tree of {size}")
            return failures, n, size
        last_position = position
        leaves.append((leaf_index, sha256(b"\x00" + bytes.fromhex(recorded))))
        try:
            failures.extend(check_link(n, event, recorded, last_in_stream))
            if values is not None:
                failures.extend(check_values(f"events.jsonl line {n}", event, values))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            failures.append(f"events.jsonl line {n}: its hashed form is not an event ({error!r})")
    try:
        proof = [base64.b64decode(h, validate=True) for h in (directory / "multiproof.txt").read_text("ascii").split()]
    except ValueError as error:
        failures.append(f"multiproof.txt: not one base64 hash a line ({error!r})")
        return failures, len(leaves), size
    if not leaves or multiproof_root(size, leaves, proof) != root:
        failures.append("multiproof.txt: the events' leaves and the proof do not lead to the checkpoint's root")
    return failures, len(leaves), size


def multiproof_root(size, leaves, proof):
    """VERIFY.md section 4: rebuild the root from the leaves, taking every subtree without one from the proof."""
    state = {"leaf": 0, "proof": 0}

    def subtree(lo, hi):
        if state["leaf"] == len(leaves) or leaves[state["leaf"]][0] >= hi:
            if state["proof"] == len(proof):
                raise IndexError("too few proof hashes")
            state["proof"] += 1
            return proof[state["proof"] - 1]
        if hi - lo == 1:
            state["leaf"] += 1
            return leaves[state["leaf"] - 1][1]
        k = 1
        while k * 2 < hi - lo:
            k *= 2
        left = subtree(lo, lo + k)
        return sha256(b"\x01" + left + subtree(lo + k, hi))

    try:
        root = subtree(0, size)
    except IndexError:
        return None
    return root if state["proof"] == len(proof) else None


def check_link(n, event, recorded, last_in_stream):
    """VERIFY.md section 3: within a stream, prevHash is the hash of the previous revision, when both are here."""
    previous = last_in_stream.get(event["stream"])
    last_in_stream[event["stream"]] = (event["revision"], recorded)
    if previous and previous[0] + 1 == event["revision"] and previous[1] != event["integrity"]["prevHash"]:
        return [f"events.jsonl line {n}: prevHash is not the hash of revision {previous[0]} of {event['stream']}"]
    return []


def check_line(n, event_line, proof_line, size, root, last_in_stream):
    """VERIFY.md sections 3 and 4 for one event and its proof line."""
    failures = []
    event, proof = json.loads(event_line), json.loads(proof_line)
    if canonical(event) != event_line:
        failures.append(f"events.jsonl line {n}: not in RFC 8785 canonical form")
    recomputed = event_hash(event)
    if recomputed != event["integrity"]["hash"] or recomputed != proof["eventHash"]:
        failures.append(f"events.jsonl line {n}: event {event['eventId']} hashes to {recomputed}, not its recorded hash")
    leaf = sha256(b"\x00" + bytes.fromhex(recomputed))
    path = [base64.b64decode(h, validate=True) for h in proof["proof"]]
    if proof["eventId"] != event["eventId"] or root_from_inclusion(proof["leafIndex"], size, leaf, path) != root:
        failures.append(f"proofs.jsonl line {n}: the inclusion proof of {event['eventId']} does not lead to the checkpoint's root")
    if "values" in event:
        failures.extend(check_values(f"events.jsonl line {n}", event, event["values"]))
    return failures + check_link(n, event, recomputed, last_in_stream)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = Path(argv[1])
    if argv[2:] == ["--sha256sums"]:
        for f in json.loads((directory / "manifest.json").read_text("utf-8"))["files"]:
            print(f"{f['sha256']}  {f['name']}")
        return 0
    failures, events, size = verify(directory)
    for failure in failures:
        print(f"FAIL: {failure}")
    if failures:
        return 1
    print(f"OK: {events} event hashes recomputed and their leaves lead to the root of tree size {size}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
