"""Command line: python -m recruit.balancing PROBLEM.json (or - for standard input).

Writes the solution as JSON to standard output. With "previous_assignment" in the problem, re-balances it
moving few people (`repair`). Exit code 2, with the reasons on standard error, for input that is not valid
JSON, a malformed problem, or one that has no solution. See docs/balancing.md for both JSON forms.
"""

from __future__ import annotations

import argparse
import json
import sys

from .feasibility import Infeasible
from .problem import ProblemError, problem_from_dict
from .repair import repair
from .report import solution_to_dict
from .solve import solve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m recruit.balancing",
        description="Split participants into balanced groups. Reads a problem as JSON, writes the solution.",
    )
    parser.add_argument("problem", help="the problem as a JSON file, or - to read standard input")
    arguments = parser.parse_args(argv)

    try:
        if arguments.problem == "-":
            data = json.load(sys.stdin)
        else:
            with open(arguments.problem, encoding="utf-8") as handle:
                data = json.load(handle)
    except OSError as error:
        print(f"error: cannot read {arguments.problem}: {error.strerror}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as error:
        print(f"error: the problem is not valid JSON: {error}", file=sys.stderr)
        return 2

    try:
        problem = problem_from_dict(data)
        previous = data.get("previous_assignment")
        if previous is not None:
            if not isinstance(previous, dict):
                raise ProblemError(["previous_assignment must be an object mapping participant id to group id"])
            solution = repair(problem, previous)
        else:
            solution = solve(problem)
    except ProblemError as error:
        print("error: the problem is invalid:", file=sys.stderr)
        for message in error.messages:
            print(f"  - {message}", file=sys.stderr)
        return 2
    except Infeasible as error:
        print("error: no assignment satisfies the constraints:", file=sys.stderr)
        for reason in error.reasons:
            print(f"  - {reason.message}", file=sys.stderr)
        return 2

    json.dump(solution_to_dict(solution), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
