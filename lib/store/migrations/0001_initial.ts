// Initial schema. Migrations are append-only: never edit a shipped one, add the next file.
export const version = '0001_initial'

export const sql = /* sql */ `
CREATE TABLE merchants (
  id text PRIMARY KEY,
  address text NOT NULL UNIQUE,
  name text NOT NULL DEFAULT '',
  webhook_url text,
  webhook_secret text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE links (
  id text PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  merchant_id text NOT NULL REFERENCES merchants(id),
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  price_usd text NOT NULL,
  rails jsonb NOT NULL,
  recipient text NOT NULL,
  resource jsonb NOT NULL,
  access_policy jsonb NOT NULL,
  max_payments integer,
  expires_at timestamptz,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX links_merchant_idx ON links (merchant_id);

CREATE TABLE files (
  id text PRIMARY KEY,
  merchant_id text NOT NULL REFERENCES merchants(id),
  name text NOT NULL,
  content_type text NOT NULL,
  size integer NOT NULL,
  bytes bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE settlements (
  replay_key text PRIMARY KEY,
  rail text NOT NULL,
  status text NOT NULL CHECK (status IN ('claimed', 'submitted', 'settled', 'failed')),
  tx_hash text,
  payer text,
  amount text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX settlements_status_idx ON settlements (status);

CREATE TABLE payments (
  id text PRIMARY KEY,
  settlement_key text NOT NULL UNIQUE,
  link_id text REFERENCES links(id),
  merchant_id text REFERENCES merchants(id),
  resource_key text NOT NULL,
  protocol text NOT NULL CHECK (protocol IN ('mpp', 'x402', 'webhook')),
  method text NOT NULL CHECK (method IN ('evm', 'stripe')),
  amount text NOT NULL,
  currency text NOT NULL,
  amount_usd text NOT NULL,
  payer text,
  reference text NOT NULL,
  challenge_id text,
  status text NOT NULL CHECK (status IN ('succeeded', 'refunded')),
  delivery text NOT NULL DEFAULT 'pending' CHECK (delivery IN ('pending', 'delivered', 'failed')),
  delivery_error text,
  receipt jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  refunded_at timestamptz
);
CREATE INDEX payments_link_idx ON payments (link_id, created_at);
CREATE INDEX payments_merchant_idx ON payments (merchant_id, created_at);

CREATE TABLE access_grants (
  token_hash text PRIMARY KEY,
  payment_id text NOT NULL REFERENCES payments(id),
  resource_key text NOT NULL,
  expires_at timestamptz,
  uses_left integer,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE challenge_counts (
  resource_key text NOT NULL,
  day text NOT NULL,
  count bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (resource_key, day)
);

CREATE TABLE stripe_events (
  event_id text PRIMARY KEY,
  type text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rate_limits (
  bucket text NOT NULL,
  window_start bigint NOT NULL,
  count integer NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, window_start)
);
`
