-- The account ids the usage events point at: one row per landing batch and account id in it.
-- int_records_with_unknown_account finds the unknown ids among them (a few thousand rows)
-- instead of anti-joining every event with the CRM accounts on every run, and then reads the
-- events of those ids only.
--
-- Incremental on the load ledger's extraction time, like int_health_user_first_use: a run folds
-- in only the batches extracted after the newest one already in the table. Appended, not
-- merged: a batch's rows are written once, so the same shape runs on DuckDB and on Spark (no
-- delete+insert there, and no day to overwrite a partition of). One row per batch and id, not
-- per id, so that every batch leaves its extraction time in the table: with one row per id the
-- watermark would stand still while batches bring only known ids, and each run would re-read
-- every event since the last new id.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail'
) }}

with

events as (
    select * from {{ ref('stg_usage__events') }}
),

new_batch_account_ids as (
    select
        batch_id,
        account_id,
        extracted_at
    from events
    where account_id is not null
    {%- if is_incremental() %}
        and extracted_at > (select max(extracted_at) from {{ this }})
    {%- endif %}
    group by batch_id, account_id, extracted_at
)

select * from new_batch_account_ids
