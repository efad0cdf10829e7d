{#- This run's candidate pairs with their agreement level on every field
    (macros/identity/comparison_levels.sql). The input of both the EM training (as pattern
    counts) and the scoring (int_identity_links). -#}

with

candidates as (

    select * from {{ ref('int_identity_candidate_pairs') }}

),

final as (

    select * from {{ identity_compared_pairs('candidates') }}

)

select * from final
