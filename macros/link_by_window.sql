{#-
    For events without an admission (`orphans`, a relation or CTE with `event_key`, `subject_id` and a time),
    the one admission of the same subject whose padded window holds the event time:
    window = [least(admittime, edregtime) - pad, dischtime + pad], pad = var('link_padding_hours'), edges included.
    When several windows hold it (a shared ED registration, overlapping stays, or padding), the choice is the
    admission whose stay [admittime, dischtime] holds the event, else the first admission that follows it, else
    the one whose stay ended last before it; ties (overlapping stays) go to the latest admittime, then the highest
    hadm_id. Returns `event_key`, `hadm_id`.
-#}
{% macro window_links(orphans, event_key, event_time, admissions) -%}
    {%- set pad = var('link_padding_hours') | int -%}
    select
        {{ event_key }},
        hadm_id
    from (
        select
            orphans.{{ event_key }},
            admissions.hadm_id,
            row_number() over (
                partition by orphans.{{ event_key }}
                order by
                    case
                        when {{ event_time }} < admissions.admittime then 1
                        when {{ event_time }} > admissions.window_end then 2
                        else 0
                    end,
                    case
                        when {{ event_time }} < admissions.admittime
                            then {{ dbt.datediff(event_time, 'admissions.admittime', 'second') }}
                        when {{ event_time }} > admissions.window_end
                            then {{ dbt.datediff('admissions.window_end', event_time, 'second') }}
                        else 0
                    end,
                    admissions.admittime desc,
                    admissions.hadm_id desc
            ) as choice
        from {{ orphans }} as orphans
        inner join {{ admissions }} as admissions
            on orphans.subject_id = admissions.subject_id
            and {{ event_time }} >= {{ dbt.dateadd('hour', -pad, 'admissions.window_start') }}
            and {{ event_time }} <= {{ dbt.dateadd('hour', pad, 'admissions.window_end') }}
    ) as candidates
    where choice = 1
{%- endmacro %}
