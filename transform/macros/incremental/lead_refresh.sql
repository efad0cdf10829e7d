{#-
    Helpers for the lead-grain incremental models (int_lead_accounts, int_leads_qualified, the
    funnel models, dim_leads, dim_accounts).

    Every such model stamps the rows it (re)computes with `refreshed_at` = this dbt run's start
    time. A downstream model recomputes the leads whose upstream row was stamped after its own
    newest stamp (`refreshed_since`), so a model that was skipped in a run (a failed upstream
    test) catches up on the next one, and a --full-refresh upstream makes every downstream model
    recompute everything.
-#}

{#- This run's stamp (the same value in every model of one `dbt build`). -#}
{% macro this_run_at() -%}
    '{{ run_started_at.isoformat() }}'::timestamptz
{%- endmacro %}

{#- The newest stamp in this model's table: rows of upstream models stamped later are new to it. -#}
{% macro refresh_watermark(column='refreshed_at') -%}
    (select coalesce(max({{ column }}), '-infinity'::timestamptz) from {{ this }})
{%- endmacro %}

{#- Ids in `relation` whose `column` stamp is newer than this model's watermark. -#}
{% macro refreshed_since(relation, key='lead_id', column='refreshed_at') -%}
    select {{ key }} from {{ relation }} where {{ column }} > {{ refresh_watermark() }}
{%- endmacro %}

{#- Post-hook: drop the leads that no longer exist (merged into another lead, or erased).
    delete+insert only replaces the leads a run recomputed; a lead that vanished is in no batch.
    Set per folder in dbt_project.yml; a table model in such a folder is rebuilt whole, so
    there is nothing to delete and the hook renders empty (dbt skips an empty hook). -#}
{% macro delete_vanished_leads(extra_condition=none) -%}
    {%- if model.config.materialized != 'incremental' -%}{{ return('') }}{%- endif -%}
    delete from {{ this }}
    where lead_id not in (select lead_id from {{ ref('int_leads_golden') }})
    {%- if extra_condition %} or ({{ extra_condition }}){% endif %}
{%- endmacro %}

{#- is_incremental(), and the table already has the columns the incremental branch reads. A table
    built by an older version of the project (a plain table, without the watermark columns) is
    then recomputed once in full through the incremental path, which adds the new columns
    (on_schema_change='append_new_columns'), so no --full-refresh is needed after an upgrade. -#}
{% macro lead_incremental(required_columns=['refreshed_at']) -%}
    {%- if not is_incremental() -%}{{ return(false) }}{%- endif -%}
    {%- set present = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- for column in required_columns -%}
        {%- if column | lower not in present -%}{{ return(false) }}{%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}
