{{
    config(
        materialized='incremental',
        unique_key='lead_id',
        post_hook="{{ delete_vanished_leads() }}"
    )
}}
{#- One row per lead per funnel stage reached (contract), as intermediate/funnel decides it
    (int_lead_funnel_stages). Incremental: the leads whose stages were rewritten since this
    model's last run are copied again. -#}
-- depends_on: {{ ref('int_leads_golden') }}
{%- set incremental = lead_incremental() %}
with stages as (

    select * from {{ ref('int_lead_funnel_stages') }}
    {%- if incremental %}
    where lead_id in ({{ refreshed_since(ref('int_lead_funnel_stages')) }})
    {%- endif %}

),

final as (

    select * from stages

)

select * from final
