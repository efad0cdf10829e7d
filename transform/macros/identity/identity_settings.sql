{#- Identity-resolution settings: `var('leadsync_identity')`, which leadsync passes from
    leadsync.yaml `identity:` (ingestion/config.py: IdentityConfig holds the defaults, and
    dbt_project.yml mirrors them for a plain `dbt build`; tests/transform/identity keeps the two
    equal). `rules` is not in leadsync.yaml: the accuracy benchmark switches rules off with it. -#}
{% macro identity_settings() -%}
    {%- set settings = {'rules': identity_rule_names()} -%}
    {%- do settings.update(var('leadsync_identity', {}) or {}) -%}
    {{ return(settings) }}
{%- endmacro %}

{#- Match rules, strongest first. The rank orders them: when the guard must cut an oversized
    cluster it drops the weakest rule's links first, and a touch reports the strongest rule that
    linked it. The first three are certain links (deterministic rules); `match_weight` is the
    Fellegi-Sunter score of a pair above the configured match probability. -#}
{% macro identity_rule_names() -%}
    {{ return(['email', 'phone_and_name', 'fuzzy_name_and_company', 'match_weight']) }}
{%- endmacro %}

{% macro identity_rule_rank(rule) -%}
    {{ return(identity_rule_names().index(rule) + 1) }}
{%- endmacro %}

{% macro identity_rule_enabled(rule) -%}
    {{ return(rule in identity_settings()['rules']) }}
{%- endmacro %}

{#- The SQL expression that names a rank back as its rule. -#}
{% macro identity_rule_from_rank(rank_expr) -%}
    case {{ rank_expr }}
    {%- for rule in identity_rule_names() %}
        when {{ loop.index }} then '{{ rule }}'
    {%- endfor %}
    end
{%- endmacro %}

{#- The time of this dbt run, one value for every identity model (a unit test overrides it). -#}
{% macro identity_now() -%}
    cast('{{ run_started_at.isoformat() }}' as timestamp with time zone)
{%- endmacro %}
