{#-
    Parent ranks (seq, keep_priority, is_kept, eid) come from the parent's section mart, computed once. Only the
    batch's detail keys are held (admission_batched): the window pass runs on them, and the wide detail rows are
    read once, at the end, joined to their ranks. A wide CTE read twice would be held whole while the mart sorts
    it (DuckDB materialises a view's CTEs that are read more than once, NOT MATERIALIZED notwithstanding), which
    made this mart's batches about a fifth slower (docs/benchmarks.md).
-#}
with emar as (

    select
        emar_id,
        subject_id,
        hadm_id,
        eid,
        t_rel_min,
        seq,
        keep_priority,
        is_kept
    from {{ ref('mart_packet_emar') }}
    where {{ in_admission_batch('hadm_id') }}

),

{#- The same table twice, each read once (so inlined): the keys for the ranking, the wide rows for the end. -#}
detail_key_rows as (  -- noqa: LT08

    select
        emar_id,
        subject_id,
        parent_field_ordinal
    from {{ ref('stg_mimic_hosp__emar_detail') }}

),

details as (

    select * from {{ ref('stg_mimic_hosp__emar_detail') }}

),

detail_keys as (

    select
        detail_key_rows.emar_id,
        detail_key_rows.subject_id,
        detail_key_rows.parent_field_ordinal,
        {{ dbt.safe_cast(dbt.split_part('detail_key_rows.parent_field_ordinal', "'.'", 1),
            api.Column.translate_type('integer')) }} as ordinal_major,
        {{ dbt.safe_cast(dbt.split_part('detail_key_rows.parent_field_ordinal', "'.'", 2),
            api.Column.translate_type('integer')) }} as ordinal_minor
    from detail_key_rows
    inner join emar
        on detail_key_rows.emar_id = emar.emar_id
        and detail_key_rows.subject_id = emar.subject_id

),



{#-
    seq and keep_priority both order a detail row by its parent (parent_seq, resp. parent_keep_priority, each
    unique within the admission) and then by its ordinals. So each equals the number of details of the
    parents before its own (a running sum over the narrow parent rows) plus its rank among its siblings
    (seq - details_before_in_seq): the wide detail rows go through one window pass (seq) instead of two.
-#}
detail_counts as (  -- noqa: LT08

    select
        emar_id,
        subject_id,
        count(*) as n_details
    from detail_keys
    group by emar_id, subject_id

),

parents as (

    select
        emar.emar_id,
        emar.subject_id,
        emar.hadm_id,
        emar.eid as parent_eid,
        emar.t_rel_min as parent_t_rel_min,
        emar.seq as parent_seq,
        emar.is_kept as parent_is_kept,
        coalesce(sum(detail_counts.n_details) over (
            partition by emar.hadm_id
            order by emar.seq
            rows between unbounded preceding and 1 preceding
        ), 0) as details_before_in_seq,
        coalesce(sum(detail_counts.n_details) over (
            partition by emar.hadm_id
            order by emar.keep_priority
            rows between unbounded preceding and 1 preceding
        ), 0) as details_before_in_keep_priority
    from emar
    inner join detail_counts
        on emar.emar_id = detail_counts.emar_id
        and emar.subject_id = detail_counts.subject_id

),

of_kept_and_dropped_parents as (

    select
        detail_keys.*,
        parents.hadm_id,
        parents.parent_eid,
        parents.parent_t_rel_min,
        parents.parent_seq,
        parents.parent_is_kept,
        parents.details_before_in_seq,
        parents.details_before_in_keep_priority
    from detail_keys
    inner join parents
        on detail_keys.emar_id = parents.emar_id
        and detail_keys.subject_id = parents.subject_id

),

ordered as (

    select
        *,
        row_number() over (
            partition by hadm_id
            order by
                parent_seq,
                ordinal_major nulls first,
                ordinal_minor nulls first,
                parent_field_ordinal nulls first
        ) as seq
    from of_kept_and_dropped_parents

),

ranked as (

    select
        details.*,
        ordered.hadm_id,
        ordered.parent_eid,
        ordered.parent_t_rel_min,
        ordered.parent_is_kept,
        ordered.seq,
        cast(ordered.details_before_in_keep_priority + (ordered.seq - ordered.details_before_in_seq) as bigint)
            as keep_priority
    {#- Two rows with one (emar_id, subject_id, parent_field_ordinal) repeat a seq: the mart's eid test fails. #}
    from ordered
    inner join details
        on ordered.emar_id = details.emar_id
        and ordered.subject_id = details.subject_id
        and ordered.parent_field_ordinal is not distinct from details.parent_field_ordinal

),

final as (

    select
        subject_id,
        hadm_id,
        {{ section_evidence_id('emar_details', ['hadm_id', 'seq']) }} as eid,
        parent_t_rel_min as t_rel_min,
        seq,
        keep_priority,
        {{ cap_keeps('emar_details', 'parent_is_kept') }} as is_kept,
        parent_eid,
        emar_id,
        emar_seq,
        parent_field_ordinal,
        administration_type,
        pharmacy_id,
        barcode_type,
        reason_for_no_barcode,
        complete_dose_not_given,
        dose_due,
        dose_due_unit,
        dose_given,
        dose_given_unit,
        will_remainder_of_dose_be_given,
        product_amount_given,
        product_unit,
        product_code,
        product_description,
        product_description_other,
        prior_infusion_rate,
        infusion_rate,
        infusion_rate_adjustment,
        infusion_rate_adjustment_amount,
        infusion_rate_unit,
        route,
        infusion_complete,
        completion_interval,
        new_iv_bag_hung,
        continued_infusion_in_other_location,
        restart_interval,
        side,
        site,
        non_formulary_visual_verification
    from ranked

)

select * from final
