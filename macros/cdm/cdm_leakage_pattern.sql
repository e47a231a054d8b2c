{#-
    Seed-driven regexes as SQL literals. A literal pattern is compiled once per query, while a pattern read
    from a column is compiled again for every row (about a thousand times slower), so these macros read the
    built seed when the model or test runs and inline its keywords. Unit tests (where `ref` names a fixture
    CTE) therefore read the real seed, not a fixture.
-#}

{#- The seed's rows (`columns`, ordered by `order_by`) as a list of tuples; empty while dbt only parses. -#}
{% macro cdm_seed_rows(seed_name, columns, order_by, where='true') -%}
    {%- set seed = ref(seed_name) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set relation = seed if not (seed | string).startswith('__dbt__cte__') else adapter.get_relation(
        database=target.database, schema=generate_schema_name('seeds', none), identifier=seed_name
    ) -%}
    {%- set query -%}
        select {{ columns | join(', ') }} from {{ relation }} where {{ where }} order by {{ order_by }}
    {%- endset -%}
    {{ return(run_query(query).rows) }}
{%- endmacro %}


{#- A seed keyword as a whole-word regex for a SQL literal: quotes doubled, dots escaped, any whitespace. -#}
{% macro cdm_keyword_literal_regex(keyword) -%}
    {{ return(keyword | replace("'", "''") | replace('.', '\\.') | replace(' ', '\\s+')) }}
{%- endmacro %}


{#- The seed's `column` values (rows matching `where`) as one SQL string literal: an alternation of whole
    words, longest first, each starting at a word boundary and, with `word_end`, ending at one. -#}
{% macro cdm_keywords_pattern(seed_name, column, where='true', word_end=true) -%}
    {%- set words = [] -%}
    {%- for row in cdm_seed_rows(seed_name, [column], dbt.length(column) ~ ' desc, ' ~ column, where) -%}
        {%- do words.append(cdm_keyword_literal_regex(row[0])) -%}
    {%- endfor -%}
    {%- if not words -%}
        {{ return("'^$'") }}
    {%- endif -%}
    {%- set end = cdm_word_boundary() if word_end else '' -%}
    {{ return("'" ~ cdm_word_boundary() ~ "(" ~ words | join('|') ~ ")" ~ end ~ "'") }}
{%- endmacro %}


{#- Every term of `cdm_leakage_terms` as a whole word, longest first, as one SQL string literal. -#}
{% macro cdm_leakage_pattern() -%}
    {{ return(cdm_keywords_pattern('cdm_leakage_terms', 'term')) }}
{%- endmacro %}


{#- `text` with every leakage term replaced by `___`, as varchar: what a CDM case shows the model. -#}
{% macro cdm_scrub(text) -%}
    cast({{ cdm_regexp_replace_ci(text, cdm_leakage_pattern(), "'___'") }} as varchar)
{%- endmacro %}


{#- A `case` giving the value of the first (pattern, value) pair whose pattern (a SQL string literal) matches
    `text`; null when none does or there are no pairs. -#}
{% macro cdm_first_match(text, cases) -%}
    {%- if not cases -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        case
        {%- for pattern, value in cases %}
            when {{ cdm_regexp_matches_ci(text, pattern) }} then '{{ value | replace("'", "''") }}'
        {%- endfor %}
        end
    {%- endif -%}
{%- endmacro %}


{#- The `value` of the first `cdm_imaging_keywords` row of `kind` (by priority, value) whose keyword occurs in
    `text` as a whole word; null when none does. -#}
{% macro cdm_imaging_class(text, kind) -%}
    {%- set cases = [] -%}
    {%- for keyword, value in cdm_seed_rows(
        'cdm_imaging_keywords', ['keyword', 'value'], 'priority, value, keyword', "kind = '" ~ kind ~ "'"
    ) -%}
        {%- do cases.append((
            "'" ~ cdm_word_boundary() ~ cdm_keyword_literal_regex(keyword) ~ cdm_word_boundary() ~ "'", value
        )) -%}
    {%- endfor -%}
    {{ cdm_first_match(text, cases) }}
{%- endmacro %}


{#- The first `cdm_procedure_keywords` category (by its lowest priority, then name) one of whose keywords starts a
    word of `text`; null when none does. -#}
{% macro cdm_procedure_category(text) -%}
    {%- set cases = [] -%}
    {%- for category, priority in cdm_seed_rows(
        'cdm_procedure_keywords', ['category', 'min(priority)'], 'min(priority), category', 'true group by category'
    ) -%}
        {%- do cases.append((
            cdm_keywords_pattern('cdm_procedure_keywords', 'keyword', "category = '" ~ category ~ "'", word_end=false),
            category
        )) -%}
    {%- endfor -%}
    {{ cdm_first_match(text, cases) }}
{%- endmacro %}
