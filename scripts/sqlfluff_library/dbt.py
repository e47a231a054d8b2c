"""dbt's cross-database macros as sqlfluff's jinja templater renders them: DuckDB SQL of the same shape.

sqlfluff lints the project with its jinja templater (no dbt compile, no warehouse); `.sqlfluff` loads this
folder so `{{ dbt.datediff(...) }}` and the like render to parseable SQL. Only the macros the project calls.
"""


def cast(field, type_):
    return f"cast({field} as {type_})"


def safe_cast(field, type_):
    return f"try_cast({field} as {type_})"


def concat(fields):
    return " || ".join(fields)


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + ({interval}) * interval 1 {datepart})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def length(expression):
    return f"length({expression})"


def listagg(measure, delimiter_text="','", order_by_clause=None, limit_num=None):
    return f"string_agg({measure}, {delimiter_text} {order_by_clause or ''})"


def position(substring_text, string_text):
    return f"position({substring_text} in {string_text})"


def right(string_text, length_expression):
    return f"right({string_text}, {length_expression})"


def split_part(string_text, delimiter_text, part_number):
    return f"split_part({string_text}, {delimiter_text}, {part_number})"


def type_bigint():
    return "bigint"


def type_string():
    return "varchar"
