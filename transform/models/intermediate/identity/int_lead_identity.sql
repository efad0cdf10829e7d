{{
    config(
        materialized='incremental',
        unique_key='touch_id',
        incremental_strategy='delete+insert',
        post_hook="{{ identity_forget_vanished_touches() }}",
    )
}}
{#- One row per touch: the person (lead_id) it belongs to, the strongest rule that linked it
    and how many touches that person has. Downstream models join on touch_id. Incremental: a
    run rewrites only the touches of leads that changed in it (new touches, merges), so the
    cluster sizes stay right without re-reading the warehouse. -#}

with

assignments as (

    select * from {{ ref('int_identity_assignments') }}

),

changed_leads as (

    select distinct lead_id from assignments
    {% if is_incremental() -%}
    where updated_at > (select coalesce(max(updated_at), '-infinity'::timestamptz) from {{ this }})
    {%- endif %}

),

final as (

    select
        touch_id,
        lead_id,
        match_rule,
        count(*) over (partition by lead_id) as cluster_size,
        original_lead_id,
        assigned_at,
        updated_at,
        guard_cluster_id is not null as was_split_by_guard
    from assignments
    semi join changed_leads using (lead_id)

)

select * from final
