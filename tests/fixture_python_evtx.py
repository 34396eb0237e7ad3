"""Reads a fixture EVTX file with python-evtx, an independent reader, and checks it.

Usage: fixture_python_evtx.py FILE EXPECTED_JSON

EXPECTED_JSON lists the records in file order as objects with record_id, event_id,
computer and data (Data Name -> expected text; NULL values are expected as "").
Exit codes: 0 all match, 1 a mismatch (printed), 3 the Evtx module is missing.
"""

import json
import sys
import xml.etree.ElementTree as ElementTree

try:
    from Evtx.Evtx import Evtx
except ImportError:
    print("python-evtx is not installed: module Evtx not found", file=sys.stderr)
    sys.exit(3)

NAMESPACE = "{http://schemas.microsoft.com/win/2004/08/events/event}"


def read_records(path):
    """Returns (file header check, chunk checks, parsed records) of the file at path."""
    with Evtx(path) as log:
        header_ok = log.get_file_header().verify()
        chunks_ok = [chunk.verify() for chunk in log.chunks()]
        records = [ElementTree.fromstring(record.xml()) for record in log.records()]
    return header_ok, chunks_ok, records


def compare(expected, event):
    """Returns the mismatches between one expected record and one parsed <Event>."""
    system = event.find(NAMESPACE + "System")
    found = {
        "record_id": int(system.find(NAMESPACE + "EventRecordID").text),
        "event_id": int(system.find(NAMESPACE + "EventID").text),
        "computer": system.find(NAMESPACE + "Computer").text,
    }
    problems = [
        f"{key}: expected {expected[key]!r}, found {found[key]!r}"
        for key in found
        if found[key] != expected[key]
    ]
    data = {
        element.get("Name"): element.text or ""
        for element in event.iter(NAMESPACE + "Data")
    }
    for name, text in expected["data"].items():
        # XML parsers turn CRLF into LF (XML 1.0 section 2.11), so compare that way.
        text = text.replace("\r\n", "\n")
        if data.get(name) != text:
            problems.append(f"Data {name}: expected {text!r}, found {data.get(name)!r}")
    return problems


def main():
    path, expected_path = sys.argv[1], sys.argv[2]
    with open(expected_path, encoding="utf-8") as file:
        expected_records = json.load(file)
    header_ok, chunks_ok, events = read_records(path)
    problems = []
    if not header_ok:
        problems.append("file header check failed")
    if not all(chunks_ok):
        bad = [index for index, ok in enumerate(chunks_ok) if not ok]
        problems.append(f"chunk checks failed for chunks {bad}")
    if len(events) != len(expected_records):
        problems.append(f"expected {len(expected_records)} records, found {len(events)}")
    for expected, event in zip(expected_records, events):
        for problem in compare(expected, event):
            problems.append(f"record {expected['record_id']}: {problem}")
    for problem in problems[:20]:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} mismatches in {path}", file=sys.stderr)
        sys.exit(1)
    print(f"python-evtx read {len(events)} records from {len(chunks_ok)} chunks")


if __name__ == "__main__":
    main()
