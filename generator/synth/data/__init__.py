"""Small project-authored reference tables (lab items, ICD codes, medications, exams) read by `dictionaries`."""
