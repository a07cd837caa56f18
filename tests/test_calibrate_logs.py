"""Call-log readers on real logs (../shared/logs, read in place) and on small hand-written ones;
the Anonymous Bank month end to end; privacy; the command line; the charts.

The real logs live outside the repository (several have no licence); set IVRSCORE_LOGS to point
elsewhere. Tests that need them skip, saying where they looked. Figures checked against the
Anonymous Bank records are recounted here from the file with the csv module, independently of
the readers.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

import ivrscore as ivr
from ivrscore.calibrate import LogFileError, ReadReport, plots, synthetic
from ivrscore.calibrate.predict import erlang_a_hour
from ivrscore.calibrate.readers import anonymous_bank, read
from ivrscore.cli import main

from .conftest import make_tree

LOGS = Path(
    os.environ.get("IVRSCORE_LOGS", Path(__file__).resolve().parents[2] / "shared" / "logs")
)
BANK = LOGS / "anonymous_bank" / "1999_01_January.txt"
QUEUE_LOG = LOGS / "asterisk_queue_log" / "pbxware_queue_log_2018_pseudonymised.csv"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not found (set IVRSCORE_LOGS to the shared/logs folder)")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- the generic CSV event log --------------------------------------------------------------------

TWO_QUEUES = """
name: Two queues
entry: menu
tasks: [{name: bills, share: 0.6}, {name: faults, share: 0.4}]
callers: {patience: {mean_s: 120}, choice_error: 0.1, wants_human: 0}
nodes:
  menu:
    type: menu
    options:
      "1": {say: For bills press 1., next: bills_q}
      "2": {say: For faults press 2., next: faults_q}
    on_failure: faults_q
  bills_q: {type: queue, wait: {mean_s: 60}, next: bills, meta: {log_ids: [Q-BILLS]}}
  bills: {type: agent, handles: [bills], transfer_to: faults_q}
  faults_q: {type: queue, wait: {mean_s: 90}, next: faults}
  faults: {type: agent, handles: [faults, bills]}
"""

GOOD = """call_id,timestamp,node,event,key,outcome,agent
c1,2024-03-04T10:00:00,menu,enter,,,
c2,2024-03-04T10:00:03,menu,enter,,,
c1,2024-03-04T10:00:09,menu,key,1,,
c1,2024-03-04T10:00:09,Q-BILLS,enter,,,
c2,2024-03-04T10:00:20,menu,no_input,,,
c2,2024-03-04T10:00:31,menu,key,2,,
c2,2024-03-04T10:00:31,faults_q,enter,,,
c1,2024-03-04T10:01:09,Q-BILLS,answer,,,DANA
c2,2024-03-04T10:02:01,faults_q,abandon,,,
c1,2024-03-04T10:05:09,bills,end,,resolved_by_agent,
"""


def test_generic_log_read_against_a_tree(write_file) -> None:  # type: ignore[no-untyped-def]
    tree = make_tree(TWO_QUEUES)
    cal = ivr.calibrate(tree, write_file(GOOD, "calls.csv"))
    assert cal.calls == 2
    assert cal.outcomes["abandoned"].value == 0.5
    assert cal.queues["bills_q"].asa.value == 60.0
    assert cal.queues["faults_q"].abandoned == 1
    keys = cal.menus["menu"].keys
    assert (keys["1"][0], keys["2"][0], keys[""][0]) == (1, 1, 1)  # one silence before the 2
    # c1 waited 9 s at the menu and 60 s in the queue and was answered; c2 hung up after 118 s
    assert cal.patience.exposure_s == 9 + 60 + 118
    assert cal.handle["bills"].mean.value == 240.0
    assert cal.agents_named == 1


def test_generic_log_bad_rows_are_counted_with_file_and_line(write_file) -> None:  # type: ignore[no-untyped-def]
    text = GOOD + (
        "c3,not a time +44 20 7946 0958,menu,enter,,,\n"
        "c3,2024-03-04T10:09:00,menu,entr,,,\n"
        "c3,2024-03-04T10:09:00,menu,end,,resolved,\n"
        "c1,2024-03-04T10:09:00,menu,key,1,,\n"
    )
    report = ReadReport()
    calls = list(read([write_file(text, "bad.csv")], report=report))
    assert len(calls) == 2
    assert report.skipped == 4
    assert dict(report.reasons) == {
        "bad timestamp": 1,
        "unknown event": 1,
        "unknown outcome": 1,
        "row after its call ended": 1,
    }
    assert report.messages[0].startswith("bad.csv:12: bad timestamp")
    assert "<number>" in report.messages[0] and "7946" not in report.messages[0]
    assert "did you mean 'enter'?" in report.messages[1]
    assert "did you mean 'resolved_by_agent'?" in report.messages[2]


def test_generic_log_without_a_needed_column(write_file) -> None:  # type: ignore[no-untyped-def]
    path = write_file("call,when,node\nc1,2024-01-01T00:00:00,menu\n", "cols.csv")
    with pytest.raises(LogFileError, match=r"cols.csv:1: the header has no 'timestamp', 'event'"):
        list(read([path], format="generic"))


def test_compressed_logs_and_unknown_formats(write_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gz = tmp_path / "calls.csv.gz"
    gz.write_bytes(gzip.compress(GOOD.encode()))
    assert len(list(read([gz]))) == 2
    with pytest.raises(LogFileError, match="not a call log"):
        list(read([write_file("hello\n", "x.txt")]))
    with pytest.raises(LogFileError, match="did you mean 'generic'"):
        list(read([gz], format="generc"))


def test_a_long_log_in_time_order_holds_few_calls_open(tmp_path: Path) -> None:
    """Memory is bounded by the calls in progress, not by the length of the log."""
    tree = make_tree(TWO_QUEUES)
    calls = synthetic.calls(tree, 3000, rng=4)
    rows = synthetic.write_generic(calls, tmp_path / "week.csv")
    report = ReadReport()
    assert sum(1 for _ in read([tmp_path / "week.csv"], report=report)) == 3000
    assert report.rows == rows > 15_000
    assert report.max_open < 30  # the most calls in progress together, over a week of 3,000


def test_ids_the_tree_does_not_have_are_counted_not_dropped(write_file) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace(
        "c2,2024-03-04T10:00:31,faults_q,enter", "c2,2024-03-04T10:00:31,SetQueue9,enter"
    )
    cal = ivr.calibrate(make_tree(TWO_QUEUES), write_file(text, "calls.csv"))
    assert cal.unmapped == {"SetQueue9": 1}
    assert any("1 events at 1 ids the tree does not have" in n for n in cal.notes)
    assert "SetQueue9: 1" in cal.summary()


def test_moves_the_tree_does_not_have_are_flagged(write_file) -> None:  # type: ignore[no-untyped-def]
    text = GOOD.replace(
        "c1,2024-03-04T10:01:09,Q-BILLS,answer,,,DANA", "c1,2024-03-04T10:01:09,faults,enter,,,"
    )
    cal = ivr.calibrate(make_tree(TWO_QUEUES), write_file(text, "calls.csv"))
    assert cal.off_tree == [("bills_q", "faults", 1)]
    assert "bills_q -> faults: 1 calls" in cal.summary()


# -- Anonymous Bank --------------------------------------------------------------------------------


def _recount(path: Path) -> dict[str, float]:
    """Figures of a month of records, recounted from the file (the documented exclusions:
    PHANTOM, negative durations, HANG with a service time)."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    kept = []
    for r in rows:
        if r["outcome"] == "PHANTOM":
            continue
        vt, qt, st = int(r["vru_time"]), int(r["q_time"]), int(r["ser_time"])
        if min(vt, qt, st) < 0 or (r["outcome"] == "HANG" and st > 0):
            continue
        kept.append(r)
    served = [r for r in kept if r["outcome"] == "AGENT"]
    for r in kept:
        r["queued"] = r["outcome"] == "AGENT" or r["q_start"] != "0:00:00" or int(r["q_time"]) > 0
    queued = [r for r in kept if r["queued"]]
    hang_q = [r for r in queued if r["outcome"] == "HANG"]
    exposure = sum(int(r["vru_time"]) + (int(r["q_time"]) if r["queued"] else 0) for r in kept)
    return {
        "rows": len(rows),
        "phantom": sum(r["outcome"] == "PHANTOM" for r in rows),
        "calls": len(kept),
        "hang": sum(r["outcome"] == "HANG" for r in kept),
        "queued": len(queued),
        "hang_queued": len(hang_q),
        "mean_handle": float(np.mean([int(r["ser_time"]) for r in served])),
        "exposure": float(exposure),
        "ps": sum(r["type"] == "PS" for r in kept),
        "servers": len({r["server"] for r in served} - {"NO_SERVER"}),
    }


@pytest.fixture(scope="module")
def bank() -> ivr.Calibration:
    return ivr.calibrate(anonymous_bank.tree(), need(BANK))  # type: ignore[arg-type]


def test_bank_month_is_read_as_the_documentation_says(bank: ivr.Calibration) -> None:
    truth = _recount(BANK)
    r = bank.read
    assert r.format == "anonymous_bank"
    assert r.rows == truth["rows"] == 31_599  # the count in SOURCES.md
    assert sum(r.ignored.values()) == truth["phantom"] == 240
    assert bank.calls == truth["calls"] == r.rows - 240 - r.skipped
    assert bank.outcomes["abandoned"].value * bank.calls == pytest.approx(truth["hang"])
    q = bank.queues["queue"]
    assert (q.calls, q.abandoned) == (truth["queued"], truth["hang_queued"])
    assert bank.tasks["ps"].value * bank.tasks["ps"].n == pytest.approx(truth["ps"])
    assert bank.task_method == "recorded"
    assert bank.unknown_task_codes == {"AA": 2}
    assert bank.agents_named == truth["servers"]


def test_bank_month_fits_patience_and_handle_times(bank: ivr.Calibration) -> None:
    truth = _recount(BANK)
    assert bank.handle_all.mean.value == pytest.approx(truth["mean_handle"])
    p = bank.patience
    assert p.exposure_s == pytest.approx(truth["exposure"])
    assert p.exponential.value == pytest.approx(truth["exposure"] / truth["hang"])
    assert p.lognormal is not None and bank.queue_patience is not None
    assert bank.queue_patience.events == truth["hang_queued"]
    # the calibrated tree holds them
    persona = bank.calibrated.personas[0]
    assert persona.patience.mean == pytest.approx(p.exponential.value, rel=1e-3)
    staffing = bank.calibrated.node("queue").staffing  # type: ignore[union-attr]
    assert staffing.handle_time_s == pytest.approx(truth["mean_handle"], rel=1e-3)


def test_bank_hazard_peaks_near_60_seconds(bank: ivr.Calibration) -> None:
    """Brown et al. (2005) and Gans, Koole & Mandelbaum (2003): a second peak of the hazard of
    hanging up near 60 s (an announcement)."""
    assert bank.queue_patience is not None
    h = bank.queue_patience.hazard
    later = (h["start_s"] >= 20) & (h["start_s"] < 150)
    peak = float(h["start_s"][later][np.argmax(h["hazard"][later])])
    assert 50 <= peak <= 60
    i = int(np.flatnonzero(h["start_s"] == peak)[0])
    around = np.r_[h["hazard"][i - 4 : i - 1], h["hazard"][i + 2 : i + 5]]
    assert h["hazard"][i] - 2 * h["se"][i] > around.max()  # a peak, not noise
    assert "highest at 55-60 s (after the first 20 s)" in bank.summary()


def test_bank_abandonment_per_hour_by_erlang_a(bank: ivr.Calibration) -> None:
    ck = bank.clock
    assert np.isfinite(ck["agents"]).all()
    busy = np.flatnonzero((ck["offered"] >= 50) & (ck["agents"] > 1))
    assert busy.size > 100
    # one busy hour, recomputed from its own figures with ivrscore.queueing
    i = int(busy[0])
    assert bank.queue_patience is not None
    pa, asa, _ = erlang_a_hour(
        round(float(ck["agents"][i]), 2),
        float(ck["offered"][i]),
        round(_handle_of_hour(int(ck["hour"][i]))),
        bank.queue_patience.exponential.value,
    )
    assert ck["p_abandon_predicted"][i] == pytest.approx(pa)
    assert ck["asa_predicted_s"][i] == pytest.approx(asa)
    # over the week: observed, predicted and their error, in the report
    err = bank.hourly_error()
    assert err["hours"] >= 90
    assert 0.08 < err["abandon_observed"] < 0.12
    assert abs(err["abandon_predicted"] - err["abandon_observed"]) < 0.05
    text = bank.summary()
    assert re.search(
        r"abandonment observed 10\.\d%, predicted \d+\.\d% \(mean absolute error", text
    )
    rows = [h for h in json.loads(bank.to_json())["hours"] if h["abandoned_predicted"] is not None]
    assert all(
        {"abandoned", "abandoned_predicted", "abandoned_z", "asa_s", "asa_predicted_s"} <= set(h)
        for h in rows
    )


def _handle_of_hour(hour: int) -> float:
    """Mean service time of the calls answered in one clock hour, recounted from the file."""
    import datetime as dt

    from ivrscore.calibrate._calibrate import MIN_HOUR_SERVICES

    with BANK.open(newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["outcome"] == "AGENT"]
    times = []
    for r in rows:
        if int(r["vru_time"]) < 0 or int(r["q_time"]) < 0:
            continue
        d = dt.datetime(1999, int(r["date"][2:4]), int(r["date"][4:6]))
        h, m, s = map(int, r["vru_entry"].split(":"))
        t = (d - dt.datetime(1970, 1, 1)).total_seconds() + h * 3600 + m * 60 + s
        answered = t + int(r["vru_time"]) + int(r["q_time"])
        if math.floor(answered / 3600) == hour:
            times.append(int(r["ser_time"]))
    assert len(times) >= MIN_HOUR_SERVICES
    return float(np.mean(times))


def test_bank_caller_and_customer_ids_never_appear(bank: ivr.Calibration, tmp_path: Path) -> None:
    with BANK.open(newline="") as f:
        ids = {r["customer_id"] for r in csv.DictReader(f, delimiter="\t")}
    ids = {i for i in ids if len(i) >= 6 and i != "0"}
    assert len(ids) > 3000
    bank.dump(tmp_path / "calibrated.yaml")
    outputs = [
        bank.summary(),
        bank.to_json(),
        bank.to_html(),
        (tmp_path / "calibrated.yaml").read_text(),
    ]
    for text in outputs:
        numbers = set(re.findall(r"\d{6,}", text))
        assert not numbers & ids


# -- Asterisk ---------------------------------------------------------------------------------------

IT_TREE = """
name: IT help desk
entry: IT_queue
tasks: [{name: it, share: 1}]
nodes:
  IT_queue: {type: queue, wait: {mean_s: 60}, next: desk}
  desk: {type: agent, handles: [it]}
"""


def test_asterisk_queue_log_export(tmp_path: Path) -> None:
    path = need(QUEUE_LOG)
    cal = ivr.calibrate(make_tree(IT_TREE), path)
    assert cal.read.format == "asterisk"
    q = cal.queues["IT_queue"]
    assert (q.calls, q.answered, q.abandoned) == (108, 93, 12)  # SOURCES.md's counts
    patience = cal.queue_patience
    assert patience is not None and patience.events == 12
    # SOURCES.md: the abandoned callers' waits, from ENTERQUEUE to ABANDON, add up to 1,141 s
    abandoned_waits = [5, 21, 40, 45, 53, 70, 74, 98, 146, 191, 197, 201]
    answered_waits = q.asa.value * q.answered
    assert patience.exposure_s == pytest.approx(sum(abandoned_waits) + answered_waits + 300)
    assert q.asa.value == pytest.approx(38.7, abs=1.0)  # CONNECT holdtime mean 38.7 s
    assert not cal.unmapped
    assert cal.agents_named >= 5
    text = cal.summary() + cal.to_json()
    assert "555000" not in text  # the pseudonymised caller ids


def test_asterisk_raw_queue_log_and_cel(write_file) -> None:  # type: ignore[no-untyped-def]
    queue_log = (
        "1366720340|1366720340.1|sales|NONE|ENTERQUEUE||5551234567|1\n"
        "1366720350|1366720340.1|sales|SIP/8007|RINGNOANSWER|1000\n"
        "1366720365|1366720340.1|sales|SIP/8007|CONNECT|25|1366720360.2|5\n"
        "1366720500|1366720340.1|sales|SIP/8007|COMPLETECALLER|25|135|1\n"
        "1366720600|1366720600.3|sales|NONE|ENTERQUEUE||5559876543|1\n"
        "1366720640|1366720600.3|sales|NONE|ABANDON|1|1|40\n"
        "garbage line\n"
    )
    cel = (
        "eventtype|eventtime|cid_name|cid_num|exten|context|uniqueid|linkedid|userfield\n"
        "CHAN_START|2013-04-23 12:32:10|Bob|5551234567|100|default|1366720340.1|1366720340.1|\n"
        "APP_START|2013-04-23 12:32:11|Bob|5551234567|s|main-ivr|1366720340.1|1366720340.1|\n"
        "APP_START|2013-04-23 12:32:19|Bob|5551234567|1|main-ivr|1366720340.1|1366720340.1|\n"
        "LINKEDID_END|2013-04-23 12:35:00|Bob|5551234567|s|main-ivr|1366720340.1|1366720340.1|\n"
    )
    tree = make_tree("""
        name: PBX
        entry: ivr
        tasks: [{name: sales, share: 1}]
        nodes:
          ivr:
            type: menu
            options: {"1": {next: sales_queue}}
            meta: {source: {context: main-ivr, extension: s}}
          sales_queue: {type: queue, wait: {mean_s: 30}, next: sales_agent}
          sales_agent: {type: agent, handles: [sales]}
    """)
    ql = write_file(queue_log, "queue_log")
    alone = ivr.calibrate(tree, ql)
    assert alone.read.skipped == 1 and "queue_log:7" in alone.read.messages[0]
    assert alone.queues["sales_queue"].asa.value == 25.0
    assert alone.queues["sales_queue"].abandoned == 1
    both = ivr.calibrate(tree, [ql, write_file(cel, "cel.psv")])
    assert both.calls == 2
    # the CEL call went through the menu; its key is inferred from the queue it reached
    assert both.menus["ivr"].keys["1"][0] == 1
    assert both.menus["ivr"].inferred == 1
    assert "main-ivr,1" in both.unmapped  # the dialplan step the tree folds into its option
    assert "5551234567" not in both.summary() + both.to_json()


def test_cel_fixture_reads(tmp_path: Path) -> None:
    path = need(LOGS / "asterisk_cel" / "wazo_acceptance_cel_fixture_excerpt.psv")
    report = ReadReport()
    calls = list(read([path], report=report))
    assert len(calls) == 2  # two scenarios, one linkedid each
    # the fixture's expected call logs: the first answered, the second not
    assert [any(e.kind == "answer" for e in c.events) for c in calls] == [True, False]
    assert calls[0].events[-1].t - calls[0].events[0].t == pytest.approx(6.742229, abs=1e-5)


# -- FreeSWITCH, Twilio, Amazon Connect, Genesys -----------------------------------------------------


def test_freeswitch_cdr_joins_legs_and_skips_copies() -> None:
    report = ReadReport()
    calls = list(read([need(LOGS / "freeswitch_cdr" / "lab_fs_cdr_csv_Master.csv")], report=report))
    assert report.format == "freeswitch"
    assert (report.rows, report.skipped, len(calls)) == (10, 2, 8)
    assert dict(report.reasons) == {"duplicate record": 2}
    report = ReadReport()
    calls = list(
        read([need(LOGS / "freeswitch_cdr" / "lab_blueivr_cdr_csv_excerpts.csv")], report=report)
    )
    queue_call = [c for c in calls if c.events[1].node == "3000"]
    assert len(queue_call) == 1
    answer = next(e for e in queue_call[0].events if e.kind == "answer")
    assert (answer.agent, answer.t - queue_call[0].events[0].t) == ("1001", 5.0)


def test_freeswitch_callcenter_variables(write_file) -> None:  # type: ignore[no-untyped-def]
    text = (
        "uuid,bleg_uuid,destination_number,start_stamp,answer_stamp,end_stamp,hangup_cause,"
        "cc_queue,cc_queue_joined_epoch,cc_queue_answered_epoch,cc_queue_canceled_epoch,"
        "cc_cancel_reason,cc_agent\n"
        "a1,,3000,2023-10-11 08:43:00,2023-10-11 08:43:00,2023-10-11 08:50:00,NORMAL_CLEARING,"
        "support@default,1697013790,1697013820,,,agent-7\n"
        "a2,,3000,2023-10-11 09:00:00,2023-10-11 09:00:00,2023-10-11 09:02:00,NORMAL_CLEARING,"
        "support@default,1697014810,,1697014890,BREAK_OUT,\n"
    )
    tree = make_tree("""
        name: FS
        entry: ivr
        tasks: [{name: help, share: 1}]
        nodes:
          ivr: {type: message, duration_s: 10, next: support_queue, meta: {log_ids: ["3000"]}}
          support_queue: {type: queue, wait: {mean_s: 30}, next: desk}
          desk: {type: agent, handles: [help]}
    """)
    cal = ivr.calibrate(tree, write_file(text, "cdr.csv"))
    q = cal.queues["support_queue"]
    assert (q.calls, q.answered, q.abandoned) == (2, 1, 1)
    assert q.asa.value == 30.0


def test_twilio_steps_fixture_and_a_path(write_file) -> None:  # type: ignore[no-untyped-def]
    report = ReadReport()
    calls = list(
        read([need(LOGS / "twilio_studio" / "studio_v2_execution_step.json")], report=report)
    )
    assert report.format == "twilio" and len(calls) == 1
    assert [e.kind for e in calls[0].events] == ["start", "end"]
    steps = {"steps": [
        {"execution_sid": "FN1", "name": "incomingCall", "transitioned_from": "Trigger", "transitioned_to": "gather", "date_created": "2024-01-01T10:00:00Z"},
        {"execution_sid": "FN1", "name": "keypress", "transitioned_from": "gather", "transitioned_to": "split", "date_created": "2024-01-01T10:00:08Z"},
        {"execution_sid": "FN1", "name": "match", "transitioned_from": "split", "transitioned_to": "bills_q", "date_created": "2024-01-01T10:00:08Z"},
        {"execution_sid": "FN1", "name": "callCompleted", "transitioned_from": "bills_q", "transitioned_to": "Ended", "date_created": "2024-01-01T10:03:00Z"},
    ]}  # fmt: skip
    steps["steps"].reverse()  # the API lists the newest first
    tree = make_tree(TWO_QUEUES.replace("  menu:\n", "  menu:\n    meta: {source: {id: gather}}\n"))
    cal = ivr.calibrate(tree, write_file(json.dumps(steps), "steps.json"))
    assert cal.calls == 1
    assert cal.menus["menu"].keys["1"][0] == 1 and cal.menus["menu"].inferred == 1
    assert cal.unmapped == {"split": 1}


def test_connect_flow_log_example_reads() -> None:
    report = ReadReport()
    calls = list(
        read(
            [need(LOGS / "amazon_connect" / "aws_docs_flow_log_example_SetQueue.json")],
            report=report,
        )
    )
    assert report.format == "connect" and len(calls) == 1
    assert calls[0].events[0].node == "SetQueue"  # no Identifier in the example: the block type


def test_connect_records_delivered_twice_are_kept_once(tmp_path: Path) -> None:
    tree = make_tree(TWO_QUEUES)
    calls = synthetic.calls(tree, 50, rng=1)
    synthetic.write_connect(calls, tree, tmp_path / "r.jsonl", tmp_path / "f.jsonl")
    text = (tmp_path / "r.jsonl").read_text()
    (tmp_path / "r2.jsonl").write_text(text + text.splitlines()[0] + "\n")
    cal = ivr.calibrate(tree, [tmp_path / "r2.jsonl", tmp_path / "f.jsonl"])
    assert cal.calls == 50
    assert cal.read.ignored == {"contact records delivered again (kept the latest)": 1}
    text = cal.summary() + cal.to_json()
    assert "+1555" not in text and "1555000" not in text


GENESYS = {
    "conversations": [
        {   # made up from the field reference in ../shared/logs/genesys/SOURCES.md
            "conversationId": "c-1", "conversationStart": "2024-02-05T09:00:00Z",
            "conversationEnd": "2024-02-05T09:09:00Z",
            "participants": [
                {"purpose": "customer", "sessions": [{"ani": "tel:+441234567890"}]},
                {"purpose": "ivr", "sessions": [{"flow": {"flowName": "Main IVR"}, "segments": [
                    {"segmentStart": "2024-02-05T09:00:00Z", "segmentEnd": "2024-02-05T09:00:40Z", "segmentType": "ivr"}]}]},
                {"purpose": "acd", "sessions": [{"segments": [
                    {"segmentStart": "2024-02-05T09:00:40Z", "segmentEnd": "2024-02-05T09:02:10Z", "segmentType": "interact", "queueId": "q-support"}]}]},
                {"purpose": "agent", "userId": "u-9", "sessions": [{"segments": [
                    {"segmentStart": "2024-02-05T09:02:10Z", "segmentEnd": "2024-02-05T09:09:00Z", "segmentType": "interact"}]}]},
            ],
        },
        {
            "conversationId": "c-2", "conversationStart": "2024-02-05T10:00:00Z",
            "participants": [
                {"purpose": "ivr", "sessions": [{"flow": {"flowName": "Main IVR"}, "segments": [
                    {"segmentStart": "2024-02-05T10:00:00Z", "segmentEnd": "2024-02-05T10:00:30Z", "segmentType": "ivr"}]}]},
                {"purpose": "acd", "sessions": [{"segments": [
                    {"segmentStart": "2024-02-05T10:00:30Z", "segmentEnd": "2024-02-05T10:03:00Z", "segmentType": "interact", "queueId": "q-support", "disconnectType": "peer"}]}]},
            ],
        },
        {"conversationId": "c-3", "participants": []},
    ]
}  # fmt: skip


def test_genesys_conversations(write_file) -> None:  # type: ignore[no-untyped-def]
    tree = make_tree("""
        name: Genesys
        entry: main
        tasks: [{name: help, share: 1}]
        nodes:
          main: {type: message, duration_s: 30, next: support, meta: {log_ids: [Main IVR]}}
          support: {type: queue, wait: {mean_s: 60}, next: desk, meta: {log_ids: [q-support]}}
          desk: {type: agent, handles: [help]}
    """)
    cal = ivr.calibrate(tree, write_file(json.dumps(GENESYS), "conversations.json"))
    assert cal.read.format == "genesys"
    assert cal.read.skipped == 1 and "not a conversation" in cal.read.messages[0]
    q = cal.queues["support"]
    assert (q.calls, q.answered, q.abandoned, q.asa.value) == (2, 1, 1, 90.0)
    assert cal.handle_all.mean.value == 410.0
    assert "441234567890" not in cal.summary() + cal.to_json()


# -- the command line -----------------------------------------------------------------------------


def test_cli_calibrate(capsys: pytest.CaptureFixture[str], write_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = write_file(TWO_QUEUES, "tree.yaml")
    log = write_file(GOOD + "c9,yesterday,menu,enter,,,\n", "calls.csv")
    out_tree = tmp_path / "calibrated.yaml"
    code, out, err = run(capsys, "calibrate", str(tree), str(log), "-o", str(out_tree))
    assert code == 0
    assert out.startswith("Calibration of 'Two queues' against 2 calls")
    assert "skipped 1 bad rows" in err and "calls.csv:12" in err
    assert ivr.load(out_tree).meta["calibrated"]["calls_used"] == 2
    code, out, err = run(capsys, "calibrate", str(tree), str(log), "--report", "json")
    assert code == 0, err
    assert json.loads(out)["calls"] == 2
    code, out, _ = run(capsys, "calibrate", str(tree), str(log), "--report", "html")
    assert code == 0 and out.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.csv"], "nope.csv: no such file"),
        (["--format", "connect", "calls.csv"], "no calls to calibrate from"),
        (["--tz", "Mars/Olympus", "calls.csv"], "unknown time zone"),
        (["--since", "soon", "calls.csv"], "not an ISO 8601 time"),
    ],
)
def test_cli_calibrate_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], write_file, args: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    tree = write_file(TWO_QUEUES, "tree.yaml")
    write_file(GOOD, "calls.csv")
    folder = tree.parent
    code, _, err = run(
        capsys,
        "calibrate",
        str(tree),
        *[str(folder / a) if a.endswith(".csv") else a for a in args],
    )
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


# -- charts ---------------------------------------------------------------------------------------


def test_charts_draw_on_the_axes_given(bank: ivr.Calibration) -> None:
    fig, axes = plt.subplots(2, 2)
    assert plots.survival(bank, ax=axes[0, 0]) is axes[0, 0]
    assert plots.hazard(bank, ax=axes[0, 1]) is axes[0, 1]
    assert plots.hourly(bank, ax=axes[1, 0]) is axes[1, 0]
    assert plots.hourly(bank, metric="calls", ax=axes[1, 1]) is axes[1, 1]
    assert len(axes[0, 0].lines) == 3  # Kaplan-Meier, exponential, log-normal
    assert axes[0, 1].get_xlabel() == "seconds"
    assert len(axes[1, 0].lines) >= 1 and axes[1, 0].get_xlim() == (-0.5, 167.5)
    plt.close(fig)


def test_charts_make_their_own_figure_without_axes() -> None:
    fit = ivr.calibrate(make_tree(TWO_QUEUES), synthetic.calls(make_tree(TWO_QUEUES), 400, rng=2))
    before = plt.get_fignums()
    ax = plots.hazard(fit.patience)
    assert ax.figure.number not in before  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="metric must be one of"):
        plots.hourly(fit, metric="nope")
    plt.close("all")
