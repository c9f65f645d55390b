"""Group balancing: split participants into groups that each mirror the whole pool.

Plain Python and NumPy (HiGHS for the linear programs); no Django. The product calls:

    solve(problem) -> Solution                 balanced groups (raises Infeasible with reasons)
    evaluate(problem, assignment) -> Solution  figures and broken rules of a hand-made assignment
    repair(problem, previous_assignment, move_cost=None) -> Solution
                                               re-balance after dropouts, moving few people
    problem_from_dict(data) -> Problem         the JSON form (raises ProblemError naming each bad item)
    solution_to_dict(solution) -> dict
    colleague_pairs(practice_of) -> pairs      cannot-link pairs for colleagues from one practice

The objective is k-plus anticlustering's sum of squares between groups (Papenberg & Klau 2021; Papenberg 2024),
see `objective`; the command line (`python -m recruit.balancing`) and the algorithms are described in
docs/balancing.md.
"""

from .evaluate import evaluate
from .feasibility import Infeasible, Reason
from .links import colleague_pairs
from .problem import Attribute, Group, Participant, Problem, ProblemError, problem_from_dict, validate
from .repair import repair
from .report import Deviation, GroupReport, LevelCount, NumericSummary, Solution, solution_to_dict
from .solve import solve

__all__ = [
    "Attribute",
    "Deviation",
    "Group",
    "GroupReport",
    "Infeasible",
    "LevelCount",
    "NumericSummary",
    "Participant",
    "Problem",
    "ProblemError",
    "Reason",
    "Solution",
    "colleague_pairs",
    "evaluate",
    "problem_from_dict",
    "repair",
    "solution_to_dict",
    "solve",
    "validate",
]
