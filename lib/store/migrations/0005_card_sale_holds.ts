// Card payments take part in the sales cap: a checkout's PaymentIntent holds a slot of a capped link
// until it is paid (the hold becomes the sale), canceled, or expires unpaid (the slot is released).
export const version = '0005_card_sale_holds'

export const sql = /* sql */ `
CREATE TABLE card_sale_holds (
  link_id text NOT NULL REFERENCES links(id),
  challenge_id text NOT NULL,
  payment_intent_id text UNIQUE,
  status text NOT NULL CHECK (status IN ('held', 'sold', 'released')),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (link_id, challenge_id)
);
CREATE INDEX card_sale_holds_expiry_idx ON card_sale_holds (expires_at) WHERE status = 'held';

-- Card sales were not counted until now: count every succeeded payment of a capped link, keeping any
-- higher count (a crypto sale in flight while this runs holds a slot that is not a payment yet).
UPDATE links SET sales_reserved = GREATEST(sales_reserved, (
  SELECT count(*) FROM payments p WHERE p.link_id = links.id AND p.status = 'succeeded'
)) WHERE max_payments IS NOT NULL;
`
