// `evm`/`session` payment channels (draft-evm-session-00, Server-Side Accounting): one row per channel
// with the accounting the spec names (accepted, spent, settled on chain), the server's own on-chain
// transactions per channel (opens and top-ups it relays, settles and closes), idempotent requests, and
// where the escrow's event watcher has read up to. Amounts are uint128 base units (numeric, exact).
export const version = '0009_session_channels'

export const sql = /* sql */ `
CREATE TABLE session_channels (
  channel_id text PRIMARY KEY,
  chain_id integer NOT NULL,
  escrow text NOT NULL,
  token text NOT NULL,
  payer text NOT NULL,
  payee text NOT NULL,
  authorized_signer text NOT NULL,
  signer_is_contract boolean NOT NULL DEFAULT false,
  deposit numeric(78, 0) NOT NULL,
  accepted numeric(78, 0) NOT NULL DEFAULT 0,
  best_signature text,
  spent numeric(78, 0) NOT NULL DEFAULT 0,
  settled_on_chain numeric(78, 0) NOT NULL DEFAULT 0,
  close_requested_at bigint NOT NULL DEFAULT 0,
  finalized boolean NOT NULL DEFAULT false,
  resource_key text NOT NULL,
  link_id text REFERENCES links(id),
  merchant_id text REFERENCES merchants(id),
  open_tx_hash text,
  opened_block bigint NOT NULL,
  close_tx_hash text,
  closing_since timestamptz,
  last_voucher_at timestamptz,
  unsettled_since timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- What every statement keeps true; the database refuses anything that would serve more than the vouchers cover.
  CONSTRAINT session_channels_accounting CHECK (0 <= spent AND spent <= accepted AND accepted <= deposit AND settled_on_chain <= deposit)
);
CREATE INDEX session_channels_merchant_idx ON session_channels (merchant_id, created_at);
CREATE INDEX session_channels_link_idx ON session_channels (link_id, created_at);
CREATE INDEX session_channels_live_idx ON session_channels (unsettled_since) WHERE NOT finalized;

CREATE TABLE session_transactions (
  id text PRIMARY KEY,
  channel_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('open', 'topUp', 'settle', 'close')),
  replay_key text UNIQUE,
  amount numeric(78, 0) NOT NULL,
  status text NOT NULL CHECK (status IN ('claimed', 'submitted', 'settled', 'failed')),
  tx_hash text,
  reason text NOT NULL,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One settle or close of a channel in flight at a time, across every instance.
CREATE UNIQUE INDEX session_transactions_payee_in_flight_idx ON session_transactions (channel_id)
  WHERE kind IN ('settle', 'close') AND status IN ('claimed', 'submitted');
CREATE INDEX session_transactions_unfinished_idx ON session_transactions (updated_at) WHERE status IN ('claimed', 'submitted');
CREATE INDEX session_transactions_channel_idx ON session_transactions (channel_id, created_at);

CREATE TABLE session_requests (
  challenge_id text NOT NULL,
  idempotency_key text NOT NULL,
  payload_digest text NOT NULL,
  channel_id text NOT NULL,
  action text NOT NULL,
  serves text NOT NULL,
  units integer NOT NULL,
  charged numeric(78, 0) NOT NULL,
  accepted numeric(78, 0) NOT NULL,
  spent numeric(78, 0) NOT NULL,
  tx_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (challenge_id, idempotency_key)
);

CREATE TABLE session_watch (
  chain_id integer NOT NULL,
  escrow text NOT NULL,
  next_block bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chain_id, escrow)
);
`
