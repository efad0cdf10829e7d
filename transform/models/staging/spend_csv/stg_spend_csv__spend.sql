-- Marketing spend per lead source and month, one row per record version.
with source as (

    select * from {{ raw_or_empty(source('raw', 'spend')) }} as raw_rows

),

final as (

    select
        * exclude (_dlt_load_id, _dlt_id, month, amount),
        month as spend_month_raw,
        amount as amount_raw,
        _dlt_load_id as load_id,
        _dlt_id as dlt_row_id
    from source

)

select * from final
