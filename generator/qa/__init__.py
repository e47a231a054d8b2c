"""`mimicbench qa`: long-context questions across a patient's admissions, with gold answers from the warehouse
(models/marts/qa), kept only where the conversations state them, in contexts of controlled length."""


class QaError(Exception):
    """A QA input or output that cannot be used; the message says what to do."""
