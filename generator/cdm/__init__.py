"""The clinical decision-making benchmark: cases from the warehouse, a tool-using runner, and scoring."""


class CdmError(Exception):
    """A problem the user can fix (missing file, wrong database); the message says what to do."""
