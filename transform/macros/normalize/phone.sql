{#- One digit repeated after the calling code ("+1 555 555 5555", "0000000000") is a placeholder
    someone typed into a required field, not a number. `digits`: the number without "+". -#}
{% macro phone_is_placeholder(digits) -%}
    (length(replace(substr({{ digits }}, 2), right({{ digits }}, 1), '')) = 0)
{%- endmacro %}
