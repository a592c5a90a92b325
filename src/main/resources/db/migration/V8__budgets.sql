-- Spend budgets (USD). Amounts are whole nano-dollars (1 USD = 1 000 000 000) so sums are exact.
-- budgets: limits an operator set for one principal (a team is a principal of kind team) or one virtual key;
--   scope: principal | key; a NULL limit means "the tier's default", 0 means "no limit".
-- budget_spend: spend per budget and calendar period (UTC) in local mode (state: local), so a restart does
--   not reset it; counter is <scope>:<subject id>:<period label>, e.g. principal:pr_x:2026-11-29.
-- Portable SQL (SQLite and PostgreSQL).
CREATE TABLE budgets (
    scope            TEXT   NOT NULL,
    subject_id       TEXT   NOT NULL,
    daily_nano_usd   BIGINT,
    monthly_nano_usd BIGINT,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (scope, subject_id)
);

CREATE TABLE budget_spend (
    counter         TEXT   NOT NULL PRIMARY KEY,
    period_end      BIGINT NOT NULL,
    spent_nano_usd  BIGINT NOT NULL
);
