{#- The links of this run that survived the oversize guard: both ends in the same final
    component, and the rule no weaker than the component's level. What made each lead, read
    by int_identity_assignments (the strongest rule per touch) and marts.lead_links. -#}

with

links as (

    select * from {{ ref('int_identity_links') }}

),

components as (

    select * from {{ ref('int_identity_components') }}

),

final as (

    select links.*
    from links
    join components as src_node on src_node.node = 't:' || links.a_touch_id
    join components as dst_node
        on dst_node.node = coalesce('l:' || links.b_lead_id, 't:' || links.b_touch_id)
    where src_node.component = dst_node.component
      and links.rule_rank <= src_node.level

)

select * from final
