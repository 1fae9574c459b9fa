// The merchant dashboard: sign-in nonces and sessions, and merchant webhook events and deliveries.
export const version = '0003_dashboard'

export const sql = /* sql */ `
CREATE TABLE siwe_nonces (
  nonce text PRIMARY KEY,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX siwe_nonces_expires_idx ON siwe_nonces (expires_at);

CREATE TABLE merchant_sessions (
  id text PRIMARY KEY,
  merchant_id text NOT NULL REFERENCES merchants(id),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX merchant_sessions_merchant_idx ON merchant_sessions (merchant_id);

CREATE TABLE webhook_events (
  id text PRIMARY KEY,
  merchant_id text NOT NULL REFERENCES merchants(id),
  type text NOT NULL CHECK (type IN ('payment.succeeded', 'payment.refunded')),
  payment_id text REFERENCES payments(id),
  payload text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webhook_events_payment_type_idx ON webhook_events (payment_id, type);
CREATE INDEX webhook_events_merchant_idx ON webhook_events (merchant_id, created_at);

CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  event_id text NOT NULL REFERENCES webhook_events(id),
  merchant_id text NOT NULL REFERENCES merchants(id),
  url text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  locked_until timestamptz,
  last_attempt_at timestamptz,
  last_response_status integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_merchant_idx ON webhook_deliveries (merchant_id, created_at);
`
