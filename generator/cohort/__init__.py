"""`mimicbench generate-cohort`: many patients' admissions, concurrent and resumable."""
