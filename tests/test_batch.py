"""forewarn batch: the journal, resuming, per-work failures, Parquet, and surviving SIGKILL."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forewarn.batch.journal import Journal, read_records
from forewarn.batch.runner import run_batch
from forewarn.errors import InputError
from forewarn.readers import read_path
from forewarn.version import model_version
from tests.conftest import EXAMPLE, validate_report
from tests.corpus import write_corpus
from tests.helpers import run_cli

DEEP = "[" * 100_000 + "]" * 100_000  # one JSON line nested far past Python's recursion limit
DEATH = "He died in the hospital that night."
CALM = "They walked to the lighthouse and back."


def _errors(stderr: str) -> list[str]:
    """The one-line errors a run printed (and no traceback)."""
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if line.startswith("forewarn: error:")]


def _jsonl(path: Path, *items: object) -> Path:
    """A JSONL file of ``items`` (a str is written as the line itself)."""
    lines = [item if isinstance(item, str) else json.dumps(item) for item in items]
    path.write_text("\n".join(lines) + "\n")
    return path


def _record(work_id: str, sha: str = "0" * 64) -> dict:
    return {"id": work_id, "sha256": sha, "model_version": "v1", "status": "ok", "report": {}}


def _by_id(path: Path) -> dict[str, dict]:
    records = read_records(path)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "an id was recorded twice"
    return {r["id"]: r for r in records}


def _assert_evidence_quotes(record: dict) -> None:
    """Evidence offsets index into the text forewarn reads from the work's file."""
    validate_report(record["report"])
    text = read_path(record["source"]).text
    for warning in record["report"]["documents"][0]["warnings"]:
        for e in warning["evidence"]:
            assert text[e["start"] : e["end"]] == e["quote"]


# -- the journal ------------------------------------------------------------------------------
def test_journal_appends_complete_lines_and_reads_them_back(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    with Journal(path) as journal:
        journal.append(_record("a", "1" * 64))
        journal.append(_record("b"))
    assert path.read_text().count("\n") == 2
    with Journal(path) as journal:
        done = journal.done("v1")
        assert journal.repaired == 0
    assert done["a"].sha256 == "1" * 64 and done["a"].status == "ok"
    assert set(done) == {"a", "b"}
    with Journal(path) as journal:
        assert journal.done("v2") == {}  # another model version: nothing is done


def test_torn_last_line_is_cut_and_later_appends_stay_valid(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    with Journal(path) as journal:
        journal.append(_record("a"))
    intact = path.read_bytes()
    torn = json.dumps(_record("b")).encode()[:23]  # a write cut short by SIGKILL
    path.write_bytes(intact + torn)
    with Journal(path) as journal:
        assert journal.repaired == len(torn)
        assert set(journal.done("v1")) == {"a"}
        journal.append(_record("c"))
    assert path.read_bytes().startswith(intact)
    assert [r["id"] for r in read_records(path)] == ["a", "c"]
    assert all(json.loads(line) for line in path.read_text().splitlines())


def test_complete_last_record_without_newline_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text(json.dumps(_record("a")) + "\n" + json.dumps(_record("b")))
    with Journal(path) as journal:
        assert journal.repaired == 0
        assert set(journal.done("v1")) == {"a", "b"}
        journal.append(_record("c"))
    assert [r["id"] for r in read_records(path)] == ["a", "b", "c"]


def test_damage_before_the_last_line_is_reported_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    text = json.dumps(_record("a")) + "\n{garbage\n" + DEEP + "\n" + json.dumps(_record("b")) + "\n"
    path.write_text(text)
    with Journal(path) as journal:
        assert journal.damaged == [2, 3] and journal.repaired == 0
        assert set(journal.done("v1")) == {"a", "b"}
    assert path.read_text() == text  # left as it was


def test_a_file_that_holds_no_record_is_not_taken_for_a_journal(tmp_path: Path) -> None:
    works = tmp_path / "works.jsonl"  # e.g. the input given as --out by mistake
    works.write_text(json.dumps({"id": "w1", "text": "a story"}) + "\n")
    with pytest.raises(InputError, match="not a forewarn batch journal"):
        Journal(works)
    assert works.read_text().count("\n") == 1


def test_a_journal_in_use_cannot_be_opened_twice(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    with Journal(path), pytest.raises(InputError, match="in use"):
        Journal(path)


# -- runs ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_resume_skips_done_works_and_rescans_changed_or_stale_ones(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    files = write_corpus(corpus, 8, seed=3)
    out = tmp_path / "out.jsonl"
    first = run_batch([str(corpus)], out, workers=1)
    assert (first.ok, first.skipped) == (8, 0)
    journal_after_first = out.read_bytes()

    again = run_batch([str(corpus)], out, workers=1)
    assert (again.scanned, again.skipped) == (0, 8)
    assert out.read_bytes() == journal_after_first

    # A changed file (new sha256) and a record from another model version are redone.
    files[0].write_text(files[0].read_text() + "\nHe died that winter.\n")
    lines = out.read_text().splitlines()
    stale = json.loads(lines[1])
    stale["model_version"] = "0.0.0+an-older-model"
    out.write_text("\n".join([lines[0], json.dumps(stale), *lines[2:]]) + "\n")
    third = run_batch([str(corpus)], out, workers=1)
    assert (third.scanned, third.skipped) == (2, 6)
    appended = read_records(out)[len(lines) :]
    changed_id = files[0].relative_to(corpus).as_posix()
    assert {r["id"] for r in appended} == {changed_id, stale["id"]}
    new = next(r for r in appended if r["id"] == changed_id)
    assert new["sha256"] == hashlib.sha256(files[0].read_bytes()).hexdigest()
    assert all(r["model_version"] == model_version() for r in appended)


@pytest.mark.slow
def test_bad_files_are_recorded_as_errors_and_the_others_finish(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 4, seed=5)
    (corpus / "scan.pdf.txt").write_bytes(b"%PDF-1.4\n binary")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "story.txt").write_bytes(EXAMPLE.read_bytes())
    out = tmp_path / "out.jsonl"

    proc = run_cli("batch", str(corpus), "--out", str(out), "--workers", "2")

    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("forewarn: error:")]
    assert len(errors) == 2 and "Traceback" not in proc.stderr
    assert any("scan.pdf.txt" in e and "PDF" in e for e in errors)
    records = _by_id(out)
    assert len(records) == 7
    assert records["scan.pdf.txt"]["status"] == "error"
    assert "PDF" in records["scan.pdf.txt"]["error"] and records["scan.pdf.txt"]["report"] is None
    assert records["empty.txt"]["error"] == "empty file"
    ok = [r for r in records.values() if r["status"] == "ok"]
    assert len(ok) == 5
    for record in ok:
        assert record["error"] is None and record["model_version"] == model_version()
        _assert_evidence_quotes(record)
    story = records["story.txt"]["report"]["documents"][0]
    assert "suicide-attempt" in {w["id"] for w in story["warnings"]}
    assert "7 works: 7 scanned (5 ok, 2 errors)" in proc.stderr


@pytest.mark.slow
def test_jsonl_inputs_with_text_path_and_broken_lines(tmp_path: Path) -> None:
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "calm.txt").write_text("They walked to the lighthouse and back.\n")
    lines = [
        json.dumps({"id": "w1", "text": "He died in the hospital that night."}),
        json.dumps({"id": 42, "path": "stories/calm.txt"}),
        "{not json",
        json.dumps({"id": "w3"}),
        json.dumps({"id": "w1", "text": "a duplicate id is ignored"}),
    ]
    works = tmp_path / "works.jsonl"
    works.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"

    proc = run_cli("batch", str(works), "--out", str(out), "--workers", "1")

    assert proc.returncode == 1, proc.stderr
    records = _by_id(out)
    assert set(records) == {"w1", "42", f"{works}:3", "w3"}
    death = records["w1"]["report"]["documents"][0]["warnings"]
    assert [w["id"] for w in death] == ["death"]
    assert death[0]["evidence"][0]["quote"] == "He died in the hospital that night."
    assert records["42"]["status"] == "ok" and records["42"]["source"].endswith("calm.txt")
    assert records[f"{works}:3"]["status"] == "error"
    assert "text" in records["w3"]["error"] and "path" in records["w3"]["error"]
    assert "1 duplicate ids ignored" in proc.stderr


@pytest.mark.slow
def test_parquet_table_holds_the_latest_record_of_each_work(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 5, seed=9)
    (corpus / "bad.txt").write_bytes(b"")
    out, table_path = tmp_path / "out.jsonl", tmp_path / "out.parquet"

    proc = run_cli("batch", str(corpus), "--out", str(out), "--parquet", str(table_path))

    assert proc.returncode == 1
    table = pq.read_table(table_path).to_pylist()
    records = _by_id(out)
    assert sorted(row["id"] for row in table) == sorted(records)
    for row in table:
        record = records[row["id"]]
        assert row["status"] == record["status"] and row["sha256"] == record["sha256"]
        if record["status"] == "ok":
            assert json.loads(row["report"]) == record["report"]
            present = record["report"]["documents"][0]["warnings"]
            assert [w["id"] for w in row["warnings"]] == [w["id"] for w in present]
        else:
            assert row["report"] is None and row["error"] == "empty file"


# -- SIGKILL at random moments, then resume ------------------------------------------------
def _worker_pids(token: str) -> list[int]:
    """Processes (ours) whose environment carries ``token``: the batch and its workers."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token.encode() in (entry / "environ").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.slow
def test_sigkill_at_random_moments_then_resume_scans_every_work_exactly_once(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 60, seed=11, words=(300, 1200))
    out = tmp_path / "out.jsonl"
    name, value = "FOREWARN_KILL_TEST", f"{os.getpid()}-{time.time_ns()}"
    token = f"{name}={value}"
    env = {**os.environ, name: value, "COLUMNS": "100"}
    cmd = [sys.executable, "-m", "forewarn", "batch", str(corpus), "--out", str(out)]
    rng = random.Random(20261125)
    # Kill points: once during start-up, then when the journal reaches random sizes (plus a
    # random few ms), so the kills land mid-batch however loaded the machine is.
    targets = [0, *sorted(rng.sample(range(1, 58), 4))]
    counts = []
    try:
        for target in targets:
            proc = subprocess.Popen(
                cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            deadline = time.monotonic() + 60
            while _lines(out) < target and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.05) if target else rng.uniform(0.05, 0.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            deadline = time.monotonic() + 30
            while _worker_pids(token) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _worker_pids(token) == [], "worker processes outlived the killed batch"
            counts.append(len(read_records(out)) if out.exists() else 0)
            if rng.random() < 0.5 and out.exists():  # as if the kill had cut a write short
                with out.open("ab") as stream:
                    stream.write(b'{"id":"part-a/work-0')
    finally:
        for pid in _worker_pids(token):  # only the processes this test started
            os.kill(pid, signal.SIGKILL)
    print("journal sizes after each kill:", counts)
    assert counts == sorted(counts), "a killed run lost finished results"
    assert sum(0 < c < 60 for c in counts) >= 2, f"the kills did not land mid-batch: {counts}"

    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)

    assert final.returncode == 0, final.stderr
    records = _by_id(out)  # parses every line: any torn tail was repaired
    expected = {p.relative_to(corpus).as_posix() for p in corpus.rglob("*.txt")}
    assert set(records) == expected
    assert all(r["status"] == "ok" for r in records.values())
    # The interrupted and resumed journal says what one uninterrupted run says.
    clean = tmp_path / "clean.jsonl"
    run_batch([str(corpus)], clean, workers=1)
    for work_id, record in _by_id(clean).items():
        assert records[work_id]["report"] == record["report"]
        assert records[work_id]["sha256"] == record["sha256"]


# -- hostile inputs and a failing disk ------------------------------------------------------
@pytest.mark.slow
def test_a_nested_or_malformed_jsonl_line_is_an_error_record_and_the_others_scan(
    tmp_path: Path,
) -> None:
    works = _jsonl(tmp_path / "works.jsonl", {"id": "a", "text": DEATH}, DEEP, "{not", {"id": 2})
    out = tmp_path / "out.jsonl"

    proc = run_cli("batch", str(works), "--out", str(out), "--fast", "--workers", "1")

    assert proc.returncode == 1
    errors = _errors(proc.stderr)
    assert errors[0] == f"forewarn: error: {works}:2: not JSON (nested too deeply)"
    assert errors[1].startswith(f"forewarn: error: {works}:3: not JSON (")
    assert len(errors) == 3
    records = _by_id(out)
    assert set(records) == {"a", f"{works}:2", f"{works}:3", "2"}
    assert records["a"]["status"] == "ok"
    assert records[f"{works}:2"]["error"] == "not JSON (nested too deeply)"


@pytest.mark.slow
def test_a_journal_with_a_too_deep_line_reopens_and_says_so(tmp_path: Path) -> None:
    works = _jsonl(tmp_path / "works.jsonl", {"id": "a", "text": DEATH}, {"id": "b", "text": CALM})
    out = tmp_path / "out.jsonl"
    cmd = ("batch", str(works), "--out", str(out), "--fast", "--workers", "1")
    assert run_cli(*cmd).returncode == 0
    first, second = out.read_text().splitlines()
    out.write_text(f"{first}\n{DEEP}\n{second}\n")

    proc = run_cli(*cmd)

    assert proc.returncode == 0, proc.stderr
    assert _errors(proc.stderr) == []
    assert f"{out}: line 2 is not a batch record (left as it is; ignored)" in proc.stderr
    assert "2 already done" in proc.stderr
    assert out.read_text() == f"{first}\n{DEEP}\n{second}\n"


@pytest.mark.slow
def test_scan_passages_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    big = {"id": "big", "text": "They walked on. " * 100_000}  # 1.5 MB
    passages = _jsonl(tmp_path / "p.jsonl", {"id": 1, "text": DEATH}, DEEP, big, CALM, {"id": 5})

    proc = run_cli(
        "scan", "--passages", str(passages), "--fast", env={"FOREWARN_MAX_INPUT_MB": "1"}
    )

    assert proc.returncode == 1
    errors = _errors(proc.stderr)
    assert errors[:2] == [
        f"forewarn: error: {passages}: line 2: nested too deeply",
        f"forewarn: error: {passages}: line 3: text is too large (1.5 MB; the limit is 1 MB)",
    ]
    assert len(errors) == 4
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [row["id"] for row in rows] == [1, None, "big", None, None]
    assert rows[1] == {"id": None, "line": 2, "error": "line 2: nested too deeply"}
    assert "warnings" in rows[0]


@pytest.mark.slow
def test_recorded_errors_are_skipped_on_rerun_unless_retry_errors(tmp_path: Path) -> None:
    works = _jsonl(
        tmp_path / "works.jsonl", {"id": "gone", "path": "missing.txt"}, {"id": "a", "text": CALM}
    )
    out = tmp_path / "out.jsonl"
    cmd = ("batch", str(works), "--out", str(out), "--fast", "--workers", "1")
    assert run_cli(*cmd).returncode == 1

    reruns = [run_cli(*cmd) for _ in range(2)]

    for proc in reruns:
        assert proc.returncode == 0, proc.stderr
        assert _errors(proc.stderr) == []
        assert "2 already done (1 recorded as an error; --retry-errors rescans it)" in proc.stderr
    assert [r["id"] for r in read_records(out)] == ["gone", "a"]

    retried = run_cli(*cmd, "--retry-errors")

    assert retried.returncode == 1
    assert _errors(retried.stderr) == [f"forewarn: error: {tmp_path / 'missing.txt'}: no such file"]
    assert [r["id"] for r in read_records(out)] == ["gone", "a", "gone"]


@pytest.mark.slow
def test_jsonl_text_obeys_the_input_size_limit(tmp_path: Path) -> None:
    big = "They walked on. " * 100_000  # 1.5 MB
    (tmp_path / "big.txt").write_text(big)
    huge_line = json.dumps({"id": "huge", "text": big * 5})  # 7.6 MB: not even read whole
    works = _jsonl(
        tmp_path / "works.jsonl",
        {"id": "text", "text": big},
        {"id": "file", "path": "big.txt"},
        huge_line,
        {"id": "small", "text": CALM},
    )
    out = tmp_path / "out.jsonl"

    proc = run_cli(
        "batch", str(works), "--out", str(out), "--fast", "--workers", "1",
        env={"FOREWARN_MAX_INPUT_MB": "1"},
    )  # fmt: skip

    assert proc.returncode == 1
    assert len(_errors(proc.stderr)) == 3
    records = _by_id(out)
    assert records["text"]["error"] == "text is too large (1.5 MB; the limit is 1 MB)"
    assert records["file"]["error"] == "file is too large (1.5 MB; the limit is 1 MB)"
    line = records[f"{works}:3"]
    assert line["status"] == "error" and line["error"].startswith("line is too large (7.6 MB")
    assert records["small"]["status"] == "ok"


#: Address space for one CLI run: far above what it needs (~1 GB), so that a regression that
#: reads without end (as /dev/full once was) fails the test instead of exhausting the machine.
_MEMORY = 3 << 30


def _run_limited(*args: str, file_size: int | None = None) -> subprocess.CompletedProcess[str]:
    """``forewarn ARGS`` under a memory bound and, if given, a file size bound (RLIMIT_FSIZE:
    a write past it fails with EFBIG, "File too large")."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (_MEMORY, _MEMORY))
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    cmd = [sys.executable, "-m", "forewarn", *args]
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run(
        cmd, capture_output=True, text=True, env=env, preexec_fn=limit, timeout=120
    )


@pytest.mark.slow
def test_a_full_disk_at_the_first_write_is_one_line_and_exit_1(tmp_path: Path) -> None:
    works = _jsonl(tmp_path / "works.jsonl", {"id": "a", "text": CALM})

    proc = _run_limited("batch", str(works), "--out", "/dev/full", "--fast", "--workers", "1")

    assert proc.returncode == 1
    assert _errors(proc.stderr) == [
        "forewarn: error: /dev/full: cannot write (No space left on device); every work "
        "recorded before is kept: run the same command again to resume"
    ]


def _six_works(tmp_path: Path) -> Path:
    items = [{"id": f"w{i}", "text": f"{DEATH} It was the {i}th winter."} for i in range(6)]
    return _jsonl(tmp_path / "works.jsonl", *items)


def _assert_stopped_cleanly_then_resumes(
    proc: subprocess.CompletedProcess[str], journal: Path, reason: str, resumed: Path
) -> None:
    assert proc.returncode == 1
    assert _errors(proc.stderr) == [
        f"forewarn: error: {journal}: cannot write ({reason}); every work recorded before is "
        "kept: run the same command again to resume"
    ]
    written = journal.read_bytes()
    assert written.endswith(b"\n"), "a write cut short was left in the journal"
    kept = [json.loads(line)["id"] for line in written.splitlines()]
    assert 0 < len(kept) < 6
    final = _by_id(resumed)
    assert set(final) == {f"w{i}" for i in range(6)}
    assert all(r["status"] == "ok" for r in final.values())


@pytest.mark.slow
def test_a_write_error_mid_run_stops_with_one_line_and_the_journal_resumes(
    tmp_path: Path,
) -> None:
    works, out = _six_works(tmp_path), tmp_path / "out.jsonl"
    cmd = ("batch", str(works), "--out", str(out), "--fast", "--workers", "1")
    reference = tmp_path / "reference.jsonl"
    run_cli("batch", str(works), "--out", str(reference), "--fast", "--workers", "1")
    sizes = [len(line) for line in reference.read_bytes().splitlines(keepends=True)]
    cap = sizes[0] + sizes[1] + sizes[2] // 2  # the file may not grow past 2.5 records

    proc = _run_limited(*cmd, file_size=cap)
    stopped = out.read_bytes()

    resumed = run_cli(*cmd)

    assert resumed.returncode == 0, resumed.stderr
    assert "2 already done" in resumed.stderr
    resumed_journal = tmp_path / "resumed.jsonl"
    out.rename(resumed_journal)
    out.write_bytes(stopped)  # check the journal as the failed run left it
    _assert_stopped_cleanly_then_resumes(proc, out, "File too large", resumed_journal)


def _user_namespaces() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _user_namespaces(), reason="needs unshare -rm to mount a small tmpfs")
@pytest.mark.slow
def test_enospc_mid_run_on_a_real_full_filesystem_then_resume(tmp_path: Path) -> None:
    works, disk = _six_works(tmp_path), tmp_path / "disk"
    disk.mkdir()
    batch = f"{sys.executable} -m forewarn batch {works} --out {disk}/out.jsonl --fast --workers 1"
    script = f"""
        mount -t tmpfs -o size=64k tmpfs {disk}
        head -c 57344 /dev/zero > {disk}/filler  # leaves 8 KB: fewer than three records
        if {batch} 2> {tmp_path}/stderr; then echo 0; else echo $?; fi > {tmp_path}/rc
        cp {disk}/out.jsonl {tmp_path}/stopped.jsonl
        rm {disk}/filler
        {batch} 2> {tmp_path}/resumed-stderr
        cp {disk}/out.jsonl {tmp_path}/resumed.jsonl
    """
    subprocess.run(["unshare", "-rm", "sh", "-ec", script], check=True, timeout=120)

    stopped = subprocess.CompletedProcess(
        [], int((tmp_path / "rc").read_text()), "", (tmp_path / "stderr").read_text()
    )
    assert "already done" in (tmp_path / "resumed-stderr").read_text()
    (tmp_path / "stopped.jsonl").rename(disk / "out.jsonl")  # named as the run named it
    _assert_stopped_cleanly_then_resumes(
        stopped, disk / "out.jsonl", "No space left on device", tmp_path / "resumed.jsonl"
    )


# -- a run in a log, and Ctrl-C ------------------------------------------------------------------
@pytest.mark.slow
def test_progress_lines_on_stderr_when_it_is_not_a_terminal(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 4, seed=5, words=(100, 200))
    out = tmp_path / "out.jsonl"
    result = run_cli(
        "batch", str(corpus), "-o", str(out), "--workers", "1", "--progress-every", "0"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # stdout stays pure output
    progress = [line for line in result.stderr.splitlines() if line.startswith("scanned ")]
    assert progress[0].startswith("scanned 1 of 4 works (25 %)") and "left" in progress[0]
    assert progress[-1].startswith("scanned 4 of 4 works (100 %)")


@pytest.mark.slow
def test_ctrl_c_finishes_and_journals_the_works_in_flight_then_exits(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 40, seed=7, words=(600, 1200))
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "forewarn", "batch", str(corpus), "-o", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _lines(out) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    asked = time.monotonic()
    stdout, stderr = proc.communicate(timeout=90)  # a generous bound, not a speed target
    waited = time.monotonic() - asked
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and stdout == ""
    assert "stopping: finishing the works in flight" in stderr
    assert "interrupted: the works in flight were finished and journalled" in stderr
    records = read_records(out)  # every line a complete record: nothing was cut short
    assert 2 <= len(records) < 40 and _lines(out) == len(records)
    print(f"exited {waited:.1f} s after Ctrl-C with {len(records)} works journalled")

    resumed = run_cli("batch", str(corpus), "-o", str(out), "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(records)} already done" in resumed.stderr
    assert set(_by_id(out)) == {p.relative_to(corpus).as_posix() for p in corpus.rglob("*.txt")}
