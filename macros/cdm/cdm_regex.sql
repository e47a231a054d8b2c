{#-
    Regular expressions differ across engines: DuckDB uses RE2 (`\b` word boundary, option strings),
    Postgres-style engines use POSIX ARE (`\y`, `~*`). Models call these macros and never a regex function
    directly. `default__` is the Postgres form; `duckdb__` the DuckDB one.
-#}

{#- The word-boundary token of the engine's regex dialect. -#}
{% macro cdm_word_boundary() -%}
    {{ return(adapter.dispatch('cdm_word_boundary', 'mimicbench')()) }}
{%- endmacro %}
{% macro default__cdm_word_boundary() %}{{ return('\\y') }}{% endmacro %}
{% macro duckdb__cdm_word_boundary() %}{{ return('\\b') }}{% endmacro %}


{#- True when `pattern` matches anywhere in `text`, ignoring case. -#}
{% macro cdm_regexp_matches_ci(text, pattern) -%}
    {{ return(adapter.dispatch('cdm_regexp_matches_ci', 'mimicbench')(text, pattern)) }}
{%- endmacro %}
{% macro default__cdm_regexp_matches_ci(text, pattern) %}({{ text }} ~* {{ pattern }}){% endmacro %}
{% macro duckdb__cdm_regexp_matches_ci(text, pattern) %}regexp_matches({{ text }}, {{ pattern }}, 'i'){% endmacro %}


{#- Replace every match of `pattern` (case-insensitive; `.` also matches newlines) with `replacement`. -#}
{% macro cdm_regexp_replace_ci(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('cdm_regexp_replace_ci', 'mimicbench')(text, pattern, replacement)) }}
{%- endmacro %}
{% macro default__cdm_regexp_replace_ci(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement }}, 'gi')
{%- endmacro %}
{% macro duckdb__cdm_regexp_replace_ci(text, pattern, replacement) -%}
    regexp_replace({{ text }}, '(?is)' || {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}


{#- A seed keyword as a regex: dots escaped, any run of whitespace between words. -#}
{% macro cdm_keyword_regex(keyword) -%}
    replace(replace({{ keyword }}, '.', '\.'), ' ', '\s+')
{%- endmacro %}


{#- Collapse every run of whitespace (newlines included) into one space and trim. -#}
{% macro cdm_squash_whitespace(text) -%}
    trim({{ cdm_regexp_replace_ci(text, "'\\s+'", "' '") }})
{%- endmacro %}


{#- Remove leading and trailing whitespace, newlines included (SQL `trim` removes spaces only). -#}
{% macro cdm_trim_space(text) -%}
    {{ cdm_regexp_replace_ci(text, "'^\\s+|\\s+$'", "''") }}
{%- endmacro %}
