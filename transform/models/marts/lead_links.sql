{{
    config(
        materialized='incremental',
        unique_key=['touch_id', 'linked_touch_id'],
        incremental_strategy='delete+insert',
        post_hook=[
            "{{ identity_forget_vanished_links() }}",
            "{{ identity_relabel_merged_links() }}",
        ],
    )
}}
{#- Why two records are one lead: every link identity resolution kept, with the rule that made
    it or its match weight, and the fields that agreed. `touch_id` is the record that arrived
    (fct_lead_touches.touch_id), `linked_touch_id` the record it was matched with; `lead_id`
    is their lead today (relabelled after merges). Appended each run; forgotten touches take
    their links with them. -#}

with

kept_links as (

    select * from {{ ref('int_identity_kept_links') }}

),

assignments as (

    select touch_id, lead_id from {{ ref('int_identity_assignments') }}

),

final as (

    select
        kept_links.a_touch_id as touch_id,
        kept_links.b_touch_id as linked_touch_id,
        assignments.lead_id,
        kept_links.match_rule,
        kept_links.match_weight,
        kept_links.match_probability,
        kept_links.agreed_fields,
        kept_links.names_swapped,
        {%- for comparison in identity_comparisons() %}
        kept_links.gamma_{{ comparison.field }} as {{ comparison.field }}_level,
        {%- endfor %}
        {{ identity_now() }} as linked_at
    from kept_links
    join assignments on assignments.touch_id = kept_links.a_touch_id

)

select * from final
