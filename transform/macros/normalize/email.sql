{#- The one rule that turns an email as written into the address leads are matched on: lower
    case, trimmed, no `mailto:`, no angle brackets or whitespace; empty becomes null.
    Used by the touches and the activity models, and rendered once more by the on-run-start
    hook below into the warehouse function leadsync_normalize_email(text), which `leadsync forget`
    calls, so Python never holds a second copy of the rule. -#}
{% macro normalize_email(expr) -%}
    nullif(regexp_replace(lower(trim({{ expr }})), '^mailto:|[<>\s]', '', 'g'), '')
{%- endmacro %}

{#- on-run-start: (re)create leadsync_normalize_email(text) in the warehouse from the macro above.
    DuckDB: a macro in the `main` schema of the warehouse file; PostgreSQL: an immutable SQL
    function in the `public` schema. Both are called as leadsync_normalize_email(x). -#}
{% macro create_normalize_email_function() -%}
    {{ return(adapter.dispatch('create_normalize_email_function', 'leadsync')()) }}
{%- endmacro %}

{% macro default__create_normalize_email_function() -%}
    create or replace macro main.leadsync_normalize_email(email) as {{ normalize_email('email') }}
{%- endmacro %}

{% macro postgres__create_normalize_email_function() -%}
    create or replace function public.leadsync_normalize_email(email text) returns text
    language sql immutable as $leadsync$ select {{ normalize_email('email') }} $leadsync$
{%- endmacro %}
