{#-
    The leakage regex as a SQL string literal: every term of the `cdm_leakage_terms` seed as a whole word,
    longest first, dots escaped and any whitespace between words. It is read from the built seed when the
    model or test runs, because a literal pattern is compiled once per query while a pattern taken from a
    column is compiled again for every row (about a thousand times slower on the case marts).
    Unit tests (where `ref` names a fixture CTE) therefore read the real seed, not a fixture.
-#}
{% macro cdm_leakage_pattern() -%}
    {%- set seed = ref('cdm_leakage_terms') -%}
    {%- if not execute -%}
        {{ return("''") }}
    {%- endif -%}
    {%- set relation = seed if not (seed | string).startswith('__dbt__cte__') else adapter.get_relation(
        database=target.database, schema=generate_schema_name('seeds', none), identifier='cdm_leakage_terms'
    ) -%}
    {%- set query -%}
        select term from {{ relation }} order by {{ dbt.length('term') }} desc, term
    {%- endset -%}
    {%- set words = [] -%}
    {%- for term in run_query(query).columns[0].values() -%}
        {%- do words.append(term | replace("'", "''") | replace('.', '\\.') | replace(' ', '\\s+')) -%}
    {%- endfor -%}
    {{ return("'" ~ cdm_word_boundary() ~ "(" ~ words | join('|') ~ ")" ~ cdm_word_boundary() ~ "'") }}
{%- endmacro %}
