{#-
    The project's regular expressions, in DuckDB's RE2 dialect (`\b` word boundary, option strings). Models call
    these macros and never a regex function directly, so the options (case, dot-all) are set in one place.
-#}

{#- The word-boundary token of RE2. -#}
{% macro cdm_word_boundary() %}{{ return('\\b') }}{% endmacro %}


{#- True when `pattern` matches anywhere in `text`, ignoring case. -#}
{% macro cdm_regexp_matches_ci(text, pattern) %}regexp_matches({{ text }}, {{ pattern }}, 'i'){% endmacro %}


{#- Replace every match of `pattern` (case-insensitive; `.` also matches newlines) with `replacement`. -#}
{% macro cdm_regexp_replace_ci(text, pattern, replacement) -%}
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
