// Card holds of capped links know who asked for them (a digest of the client's key), so one client
// cannot hold every slot, and when the payer started confirming, which extends a short unpaid hold.
export const version = '0008_card_hold_clients'

export const sql = /* sql */ `
ALTER TABLE card_sale_holds ADD COLUMN client_key text;
ALTER TABLE card_sale_holds ADD COLUMN confirmed_at timestamptz;
CREATE INDEX card_sale_holds_client_idx ON card_sale_holds (link_id, client_key) WHERE status = 'held';
`
