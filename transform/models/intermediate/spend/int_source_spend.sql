{#- Spend per lead source over all time (optional spend_csv input), latest version of each
    record; amounts like "$5k" are parsed (parse_scaled_number). Read by fct_source_summary. -#}
with spend_rows as (

    {{ latest_version_of(ref('stg_spend_csv__spend')) }}

),

final as (

    select
        lead_source_name as source_name,
        sum({{ parse_scaled_number('amount_raw') }}) as spend,
        min(upper(currency)) as currency
    from spend_rows
    group by lead_source_name

)

select * from final
