{#- The health components and the model that scores each (docs/health.md), in the composite's
    order: read by the models that handle every component alike - the closed renewals with their
    component scores (int_health_closed_renewals) and the component validation. The composite
    (fct_account_health_daily) lists the same components. -#}
{% macro health_component_models() %}
    {{ return([
        ('deployment', 'int_health_deployment_daily'),
        ('stakeholder_coverage', 'int_health_stakeholder_daily'),
        ('adoption', 'int_health_adoption_daily'),
        ('value_realization', 'int_health_value_daily'),
        ('support', 'int_health_support_daily'),
        ('sentiment', 'int_health_sentiment_daily'),
        ('financial', 'int_health_financial_daily'),
    ]) }}
{% endmacro %}
