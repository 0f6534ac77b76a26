{#
    The inputs of a CSM's daily view, shared by rpt_csm_portfolio and rpt_csm_priorities (one
    home, so both read the same book the same way): the import CTEs of the marts they read, and
    `book`, the accounts a CSM owns today (active in dim_accounts, with a current csm_email; the
    CRM extract has no assignment history). Emits CTEs followed by a comma: call it right after
    `with` and continue with the model's own CTEs.
#}
{% macro csm_book_ctes() %}
accounts as (
    select * from {{ ref('dim_accounts') }}
),

account_health as (
    select * from {{ ref('account_health') }}
),

forecast as (
    select * from {{ ref('fct_renewal_forecast') }}
),

motion as (
    select * from {{ ref('fct_renewal_motion') }}
),

playbook_tasks as (
    select * from {{ ref('fct_playbook_tasks') }}
),

expansion as (
    select * from {{ ref('account_expansion') }}
),

book as (
    select account_id, account_name, csm_email, current_arr
    from accounts
    where is_active and csm_email is not null
),
{% endmacro %}
