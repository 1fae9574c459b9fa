// Every slug a link ever had stays its merchant's: a renamed link's old URL redirects to its current
// one, a deleted link's answers 410, and no other merchant can claim either (lib/store/link-slugs.ts).
export const version = '0007_link_slugs'

export const sql = /* sql */ `
CREATE TABLE link_slugs (
  slug text PRIMARY KEY,
  merchant_id text NOT NULL REFERENCES merchants(id),
  link_id text REFERENCES links(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX link_slugs_link_idx ON link_slugs (link_id);

INSERT INTO link_slugs (slug, merchant_id, link_id) SELECT slug, merchant_id, id FROM links;
`
