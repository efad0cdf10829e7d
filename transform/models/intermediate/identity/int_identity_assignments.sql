{{
    config(
        materialized='incremental',
        unique_key='touch_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        full_refresh=false,
        post_hook="{{ identity_forget_vanished_touches() }}",
    )
}}
{# The memory of identity resolution: touch_id -> lead_id, kept across runs.

    Each run matches only the touches it has not seen before, against every touch (through the
    blocking keys), and treats each existing lead as one node of the graph. Connected components
    of that small graph decide: a component with no existing lead becomes a new lead (its id
    derived from its earliest touch); with one, the new touches join it; with several, the
    oldest lead survives and the others are retired (their touches re-pointed here, the old id
    kept in original_lead_id -> marts.lead_id_aliases). `full_refresh=false`: a
    `dbt build --full-refresh` leaves this memory alone (ids would otherwise be re-derived and
    merges forgotten); to start identity over, drop the table on purpose.

    Guard: a component with more than max_cluster_size distinct identities (distinct emails,
    or touches without one) is recomputed without the weakest rule's links, then again with
    email links only; the touches involved are marked with guard_cluster_id for reporting. #}
{%- set s = identity_settings() -%}
{%- set max_size = s['max_cluster_size'] | int -%}
{%- set max_block = s['max_block_size'] | int -%}
{%- set now = identity_now() -%}

with

keys as (

    select * exclude (block_keys, keyed_at) from {{ ref('int_identity_touch_keys') }}

),

previous as (

    {% if is_incremental() -%}
    select * from {{ this }}
    {%- else -%}
    select
        null::varchar as touch_id,
        null::varchar as lead_id,
        null::varchar as original_lead_id,
        null::varchar as match_rule,
        null::timestamptz as assigned_at,
        null::timestamptz as updated_at,
        null::timestamptz as retired_at,
        null::varchar as guard_cluster_id,
        null::integer as guard_cluster_size
    where false
    {%- endif %}

),

new_touches as (

    select keys.*, null::varchar as lead_id
    from keys
    anti join previous using (touch_id)

),

{#- The blocks the new touches fall in, and every touch in them (the stored index is read,
    never rebuilt). -#}
new_touch_blocks as (

    select blocks.touch_id, blocks.block_key
    from {{ ref('int_identity_blocks') }} as blocks
    semi join new_touches using (touch_id)

),

touch_blocks as (

    select blocks.touch_id, blocks.block_key
    from {{ ref('int_identity_blocks') }} as blocks
    semi join new_touch_blocks using (block_key)

),

{#- Only touches that could match a new one are read in full: same email, same phone, or a
    shared block. At 1M touches and 10k new ones this is tens of thousands of rows. -#}
related_touch_ids as (

    select touch_id from keys where email_key in (select email_key from new_touches)
    union
    select touch_id from keys where phone_key in (select phone_key from new_touches)
    union
    select touch_id from touch_blocks

),

touches as (

    select keys.*, previous.lead_id
    from keys
    semi join related_touch_ids using (touch_id)
    left join previous using (touch_id)

),

{# ---------------------------------------------------------------------------------------- #}
{# Candidate links: each new touch against all touches, within blocks.                       #}
{# A link runs from a new touch (a) to a touch (b); b may be new or already assigned.        #}
{# ---------------------------------------------------------------------------------------- #}

{%- if identity_rule_enabled('email') %}
email_anchors as (

    {# Linking every touch of an address to every other is quadratic; a star around the
        group's first new touch connects the same people. #}
    select email_key, min(touch_id) as anchor_touch_id
    from new_touches
    where email_key is not null
    group by email_key

),

email_links as (

    select new_touches.touch_id as a_touch_id, email_anchors.anchor_touch_id as b_touch_id,
           {{ identity_rule_rank('email') }} as rule_rank
    from new_touches
    join email_anchors using (email_key)
    where new_touches.touch_id <> email_anchors.anchor_touch_id

    union all

    {# the group's anchor to one touch of each existing lead with the address #}
    select email_anchors.anchor_touch_id, min(touches.touch_id), {{ identity_rule_rank('email') }}
    from email_anchors
    join touches using (email_key)
    where touches.lead_id is not null
    group by email_anchors.anchor_touch_id, touches.lead_id

),
{%- endif %}

{%- if identity_rule_enabled('phone_and_name') %}
phone_blocks as (

    select phone_key from touches
    where phone_key in (select phone_key from new_touches)
    group by phone_key
    having count(*) <= {{ max_block }}

),

phone_links as (

    select a.touch_id as a_touch_id, b.touch_id as b_touch_id,
           {{ identity_rule_rank('phone_and_name') }} as rule_rank
    from new_touches as a
    join phone_blocks using (phone_key)
    join touches as b on b.phone_key = a.phone_key
    where b.touch_id <> a.touch_id
      and (b.lead_id is not null or a.touch_id < b.touch_id)
      and {{ identity_names_compatible('a', 'b', s['name_similarity']) }}

),
{%- endif %}

{%- if identity_rule_enabled('fuzzy_name_and_company') %}
usable_blocks as (

    select block_key from touch_blocks
    group by block_key
    having count(*) between 2 and {{ max_block }}

),

block_pairs as (

    select distinct a.touch_id as a_touch_id, b.touch_id as b_touch_id
    from new_touch_blocks as a
    semi join usable_blocks using (block_key)
    join touch_blocks as b using (block_key)
    where b.touch_id <> a.touch_id

),

fuzzy_links as (

    select pairs.a_touch_id, pairs.b_touch_id,
           {{ identity_rule_rank('fuzzy_name_and_company') }} as rule_rank
    from block_pairs as pairs
    join touches as a on a.touch_id = pairs.a_touch_id
    join touches as b on b.touch_id = pairs.b_touch_id
    where (b.lead_id is not null or a.touch_id < b.touch_id)
      and {{ identity_names_match('a', 'b', s['name_similarity']) }}

),
{%- endif %}

candidate_links as (

    select null::varchar as a_touch_id, null::varchar as b_touch_id, null::integer as rule_rank
    where false
    {%- if identity_rule_enabled('email') %} union all select * from email_links {%- endif %}
    {%- if identity_rule_enabled('phone_and_name') %} union all select * from phone_links {%- endif %}
    {%- if identity_rule_enabled('fuzzy_name_and_company') %} union all select * from fuzzy_links {%- endif %}

),

{# ---------------------------------------------------------------------------------------- #}
{# The graph: new touches are nodes 't:<touch_id>', existing leads are nodes 'l:<lead_id>'.  #}
{# ---------------------------------------------------------------------------------------- #}

links as (

    select
        candidate_links.a_touch_id,
        candidate_links.b_touch_id,
        b.lead_id as b_lead_id,
        't:' || candidate_links.a_touch_id as src,
        coalesce('l:' || b.lead_id, 't:' || candidate_links.b_touch_id) as dst,
        min(candidate_links.rule_rank) as rule_rank
    from candidate_links
    join touches as b on b.touch_id = candidate_links.b_touch_id
    group by all

),

node_members as (

    {# what each node stands for, to measure cluster size in distinct identities #}
    select 't:' || touch_id as node, touch_id, email_key from new_touches
    union all
    select 'l:' || previous.lead_id, previous.touch_id, keys.email_key
    from previous
    join keys using (touch_id)
    where previous.lead_id in (select b_lead_id from links)

),

nodes as (

    select distinct node from node_members

),

node_sizes as (

    select node, count(distinct coalesce('e:' || email_key, 't:' || touch_id)) as identities,
           list(distinct email_key) filter (where email_key is not null) as emails,
           count(*) filter (where email_key is null) as touches_without_email
    from node_members
    group by node

),

{%- for level in [3, 2, 1] %}
{%- set allowed = 'nodes' if level == 3 else 'oversized_at_' ~ (level + 1) %}

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

component_sizes_{{ level }} as (

    {# distinct identities: emails counted once, touches without email one each #}
    select components.component,
           count(distinct email.email) + sum(node_sizes.touches_without_email) as size
    from components_{{ level }} as components
    join node_sizes using (node)
    left join (
        select node, unnest(emails) as email from node_sizes
    ) as email using (node)
    group by components.component

),

oversized_at_{{ level }} as (

    select components.node, components.component, sizes.size
    from components_{{ level }} as components
    join component_sizes_{{ level }} as sizes using (component)
    where sizes.size > {{ max_size }}

),
{%- endfor %}

{# Each node keeps the widest level at which its component is small enough (email-only
    components are kept whatever their size: one address is one person). #}
resolved_nodes as (

    select
        c3.node,
        case
            when o3.node is null then c3.component
            when o2.node is null then 'g2:' || c2.component
            else 'g1:' || c1.component
        end as component,
        case
            when o3.node is null then 3
            when o2.node is null then 2
            else 1
        end as level,
        o3.component as guard_cluster_id,
        o3.size as guard_cluster_size
    from components_3 as c3
    left join oversized_at_3 as o3 using (node)
    left join components_2 as c2 using (node)
    left join oversized_at_2 as o2 using (node)
    left join components_1 as c1 using (node)

),

{# ---------------------------------------------------------------------------------------- #}
{# Which lead each component becomes.                                                        #}
{# ---------------------------------------------------------------------------------------- #}

existing_leads as (

    select
        lead_id,
        min(assigned_at) as created_at,
        min(received_at) as first_received_at
    from previous
    join keys using (touch_id)
    where lead_id in (select b_lead_id from links)
    group by lead_id

),

component_leads as (

    {# the oldest existing lead survives; a component of new touches only is named after its
        earliest touch #}
    select
        resolved_nodes.component,
        arg_min(
            coalesce(existing_leads.lead_id, 'lead_' || left(md5(new_touches.touch_id), 20)),
            (
                existing_leads.lead_id is null,
                coalesce(existing_leads.created_at, {{ now }}),
                coalesce(existing_leads.first_received_at, new_touches.received_at),
                coalesce(existing_leads.lead_id, new_touches.touch_id)
            )
        ) as lead_id
    from resolved_nodes
    left join existing_leads on resolved_nodes.node = 'l:' || existing_leads.lead_id
    left join new_touches on resolved_nodes.node = 't:' || new_touches.touch_id
    group by resolved_nodes.component

),

kept_links as (

    {# links that survived the guard: both ends in the same final component #}
    select links.*
    from links
    join resolved_nodes as src_node on src_node.node = links.src
    join resolved_nodes as dst_node on dst_node.node = links.dst
    where src_node.component = dst_node.component
      and links.rule_rank <= src_node.level

),

touch_best_rule as (

    select touch_id, min(rule_rank) as rule_rank
    from (
        select a_touch_id as touch_id, rule_rank from kept_links
        union all
        select b_touch_id, rule_rank from kept_links
    )
    group by touch_id

),

new_assignments as (

    select
        new_touches.touch_id,
        component_leads.lead_id,
        component_leads.lead_id as original_lead_id,
        coalesce({{ identity_rule_from_rank('touch_best_rule.rule_rank') }}, 'singleton') as match_rule,
        {{ now }} as assigned_at,
        {{ now }} as updated_at,
        null::timestamptz as retired_at,
        resolved_nodes.guard_cluster_id,
        resolved_nodes.guard_cluster_size::integer as guard_cluster_size
    from new_touches
    join resolved_nodes on resolved_nodes.node = 't:' || new_touches.touch_id
    join component_leads using (component)
    left join touch_best_rule on touch_best_rule.touch_id = new_touches.touch_id

),

lead_moves as (

    {# existing leads whose component is now named after another (older) lead #}
    select existing_leads.lead_id as from_lead_id, component_leads.lead_id as to_lead_id
    from existing_leads
    join resolved_nodes on resolved_nodes.node = 'l:' || existing_leads.lead_id
    join component_leads using (component)
    where component_leads.lead_id <> existing_leads.lead_id

),

updated_assignments as (

    {# touches already assigned whose lead was retired, or which were alone until a new
        touch linked to them #}
    select
        previous.touch_id,
        coalesce(lead_moves.to_lead_id, previous.lead_id) as lead_id,
        previous.original_lead_id,
        case
            when previous.match_rule = 'singleton' and touch_best_rule.rule_rank is not null
                then {{ identity_rule_from_rank('touch_best_rule.rule_rank') }}
            else previous.match_rule
        end as match_rule,
        previous.assigned_at,
        {{ now }} as updated_at,
        case when lead_moves.to_lead_id is not null then coalesce(previous.retired_at, {{ now }})
             else previous.retired_at end as retired_at,
        previous.guard_cluster_id,
        previous.guard_cluster_size
    from previous
    left join lead_moves on lead_moves.from_lead_id = previous.lead_id
    left join touch_best_rule using (touch_id)
    where lead_moves.to_lead_id is not null
       or (previous.match_rule = 'singleton' and touch_best_rule.rule_rank is not null)

),

final as (

    select * from new_assignments
    union all
    select * from updated_assignments

)

select * from final
