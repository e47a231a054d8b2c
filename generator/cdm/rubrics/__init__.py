"""The rubrics `cdm score` applies to a result: `mimicbench` (the default) and `cdmv1` (CDMv1's evaluators,
rule by rule). docs/cdm.md tables every difference between the two."""

from collections.abc import Callable

from generator.cdm.rubrics import cdmv1, mimicbench
from generator.cdm.rubrics.case_score import CaseScore, RubricName
from generator.cdm.runner import CaseResult

RUBRICS: dict[RubricName, Callable[[CaseResult], CaseScore]] = {
    "mimicbench": mimicbench.score_case,
    "cdmv1": cdmv1.score_case,
}
