{#- Clusters the guard refused: a chain of links that would have made one "person" of more than
    max_cluster_size distinct identities (usually one bad link: a shared phone with similar
    names, a placeholder company). Its touches were kept apart by dropping the weakest rule's
    links; this lists each such cluster for the report, with what it became. -#}

with

assignments as (

    select * from {{ ref('int_identity_assignments') }}

),

final as (

    select
        guard_cluster_id,
        max(guard_cluster_size) as cluster_size,
        count(*) as touches_assigned,
        count(distinct lead_id) as leads_after_split,
        {{ identity_settings()['max_cluster_size'] }} as max_cluster_size,
        min(assigned_at) as detected_at
    from assignments
    where guard_cluster_id is not null
    group by guard_cluster_id

)

select * from final
