{#- Clusters of this run: the connected components of the graph whose nodes are the new touches
    ('t:<touch_id>') and the existing leads they link to ('l:<lead_id>'), so an existing lead
    counts as one node and the graph stays the size of the run, not of the warehouse.

    Guard: a component of more than max_cluster_size distinct identities (distinct emails, or
    touches without one) is recomputed without the weakest rule's links, then without the next,
    down to email links only (one address is one person, whatever the size); its nodes are
    marked with guard_cluster_id for reporting. Each node keeps the widest rule level at which
    its component is small enough (`level`: the weakest rule rank its links may have). -#}
{%- set max_size = identity_settings()['max_cluster_size'] | int -%}
{%- set ranks = range(identity_rule_names() | length, 0, -1) | list -%}

with

links as (

    select
        't:' || a_touch_id as src,
        coalesce('l:' || b_lead_id, 't:' || b_touch_id) as dst,
        min(rule_rank) as rule_rank
    from {{ ref('int_identity_links') }}
    group by 1, 2

),

new_touches as (

    select * from {{ ref('int_identity_new_touches') }}

),

previous as (

    select * from {{ identity_previous_assignments() }}

),

node_members as (

    {# what each node stands for, to measure a cluster in distinct identities #}
    select 't:' || touch_id as node, coalesce('e:' || email_key, 't:' || touch_id) as identity
    from new_touches
    union all
    select 'l:' || previous.lead_id, coalesce('e:' || keys.email_key, 't:' || keys.touch_id)
    from previous
    join {{ ref('int_identity_touch_keys') }} as keys on keys.touch_id = previous.touch_id
    where previous.lead_id in (select substr(dst, 3) from links where dst like 'l:%')

),

nodes as (

    select distinct node from node_members

),

{%- for level in ranks %}
{%- set allowed = 'nodes' if loop.first else 'oversized_at_' ~ (level + 1) %}

edges_{{ level }} as (

    select src, dst from links
    where rule_rank <= {{ level }} and src in (select node from {{ allowed }})
      and dst in (select node from {{ allowed }})
    union all
    select dst, src from links
    where rule_rank <= {{ level }} and src in (select node from {{ allowed }})
      and dst in (select node from {{ allowed }})

),

components_{{ level }} as (

    select * from {{ identity_connected_components(allowed, 'edges_' ~ level) }}

),

oversized_at_{{ level }} as (

    select components.node, components.component, sizes.size
    from components_{{ level }} as components
    join (
        select components.component, count(distinct node_members.identity) as size
        from components_{{ level }} as components
        join node_members using (node)
        group by components.component
    ) as sizes using (component)
    where sizes.size > {{ max_size }}

),
{%- endfor %}

final as (

    select
        c{{ ranks[0] }}.node,
        case
            {%- for level in ranks[:-1] %}
            when o{{ level }}.node is null then {% if loop.first %}c{{ level }}.component{% else %}'g{{ level }}:' || c{{ level }}.component{% endif %}
            {%- endfor %}
            else 'g{{ ranks[-1] }}:' || c{{ ranks[-1] }}.component
        end as component,
        case
            {%- for level in ranks[:-1] %}
            when o{{ level }}.node is null then {{ level }}
            {%- endfor %}
            else {{ ranks[-1] }}
        end as level,
        o{{ ranks[0] }}.component as guard_cluster_id,
        o{{ ranks[0] }}.size as guard_cluster_size
    from components_{{ ranks[0] }} as c{{ ranks[0] }}
    {%- for level in ranks %}
    left join oversized_at_{{ level }} as o{{ level }} on o{{ level }}.node = c{{ ranks[0] }}.node
    {%- if not loop.first %}
    left join components_{{ level }} as c{{ level }} on c{{ level }}.node = c{{ ranks[0] }}.node
    {%- endif %}
    {%- endfor %}

)

select * from final
