// Settlements the server submits and pays gas for, counted per merchant and minute in the database,
// so every instance sharing it enforces one limit (see lib/store/settlement-quota.ts).
export const version = '0006_settlement_quota'

export const sql = /* sql */ `
CREATE TABLE settlement_quota (
  scope text NOT NULL,
  window_start bigint NOT NULL,
  used integer NOT NULL,
  PRIMARY KEY (scope, window_start)
);
CREATE INDEX settlement_quota_window_idx ON settlement_quota (window_start);
`
