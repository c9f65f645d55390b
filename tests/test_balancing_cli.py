"""The command line's JSON contract: python -m recruit.balancing PROBLEM.json | - (recruit.balancing.__main__)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def problem_json(**overrides) -> dict:
    data = {
        "attributes": {"gender": {"type": "categorical"}, "age": {"type": "numeric", "weight": 1.0}},
        "participants": [
            {"id": f"p{i}", "values": {"gender": "FM"[i % 2], "age": 30 + 4 * i},
             "slots": ["Tue 18:00", "Thu 17:00"] if i % 3 else ["Tue 18:00"]}
            for i in range(9)
        ],
        "groups": [
            {"id": "A", "slot": "Tue 18:00", "min_size": 4, "max_size": 5},
            {"id": "B", "slot": "Thu 17:00", "min_size": 4, "max_size": 5},
        ],
        "cannot_link": [["p1", "p2"]],
        "must_link": [["p4", "p5"]],
        "seed": 1,
        "time_limit": 5,
    }
    data.update(overrides)
    return data


def run(*arguments, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "recruit.balancing", *arguments],
        cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120,
    )


def test_it_writes_the_solution_as_json(tmp_path):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem_json()))
    result = run(str(path))
    assert result.returncode == 0, result.stderr
    solution = json.loads(result.stdout)
    assert set(solution) >= {"assignment", "unassigned", "ssb", "sst", "index", "optimal", "lower_bound",
                             "seconds", "groups"}
    assert sorted(solution["assignment"]) == sorted(f"p{i}" for i in range(9))
    assert solution["unassigned"] == []
    assert solution["optimal"] is True and solution["lower_bound"] == solution["ssb"]
    assert solution["assignment"]["p4"] == solution["assignment"]["p5"]
    assert solution["assignment"]["p1"] != solution["assignment"]["p2"]
    group = solution["groups"][0]
    assert set(group) >= {"id", "size", "composition"}
    assert {"level": "F", "count": group["composition"]["categorical"]["gender"][0]["count"],
            "expected": group["composition"]["categorical"]["gender"][0]["expected"]} \
        == group["composition"]["categorical"]["gender"][0]
    assert set(group["composition"]["numeric"]["age"]) == {"mean", "min", "max", "pool_mean"}


def test_it_reads_the_problem_from_standard_input():
    result = run("-", stdin=json.dumps(problem_json()))
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["assignment"]) == 9


def test_it_exits_with_2_and_says_why_for_input_that_is_not_json():
    result = run("-", stdin="{not json")
    assert result.returncode == 2
    assert "the problem is not valid JSON" in result.stderr
    assert result.stdout == ""


def test_it_exits_with_2_naming_each_mistake_in_the_problem():
    data = problem_json()
    data["attributes"]["county"] = {"type": "ordinal"}
    data["groups"][1]["min_size"] = 7
    result = run("-", stdin=json.dumps(data))
    assert result.returncode == 2
    assert "attribute 'county' has unknown type 'ordinal'" in result.stderr
    assert "group 'B' has min_size 7 above its max_size 5" in result.stderr


def test_it_exits_with_2_and_gives_the_reasons_for_an_impossible_problem():
    data = problem_json(groups=[{"id": "A", "slot": "Tue 18:00", "min_size": 1, "max_size": 4}])
    result = run("-", stdin=json.dumps(data))
    assert result.returncode == 2
    assert "There are 9 participants but the groups seat at most 4" in result.stderr


def test_it_exits_with_2_for_a_missing_file(tmp_path):
    result = run(str(tmp_path / "nowhere.json"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_a_previous_assignment_is_repaired_with_few_moves():
    data = problem_json()
    first = json.loads(run("-", stdin=json.dumps(data)).stdout)
    data["previous_assignment"] = first["assignment"]
    data["participants"] = [p for p in data["participants"] if p["id"] != "p0"]
    result = run("-", stdin=json.dumps(data))
    assert result.returncode == 0, result.stderr
    solution = json.loads(result.stdout)
    assert len(solution["moved"]) <= 1
    assert "p0" not in solution["assignment"]
