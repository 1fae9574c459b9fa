// Sales of capped links are reserved atomically before money moves, so a cap cannot be oversold.
export const version = '0004_link_sales'

export const sql = /* sql */ `
ALTER TABLE links ADD COLUMN sales_reserved integer NOT NULL DEFAULT 0;
UPDATE links SET sales_reserved = (
  SELECT count(*) FROM payments p WHERE p.link_id = links.id AND p.status = 'succeeded'
);
`
