"""Alert delivery: new rows of the alert marts, posted once each to a Slack-compatible webhook.

One job per module, so each can be read and tested on its own:

- ``sources``  which published relations feed alerts, as one uniform alert shape
- ``ledger``   ``ops.alert_deliveries`` in the working warehouse: what was already sent
- ``messages`` an alert as a Slack-compatible payload (pure)
- ``delivery`` the webhook channel: POST with timeout and retries (urllib3 ``Retry``)
- ``outbox``   the channel used when no webhook is configured: a JSON-lines file
- ``dispatch`` send each new alert through a channel and record it in the ledger

Dagster lives only in ``dagster_project.assets.alerts``; nothing here imports it.
"""
