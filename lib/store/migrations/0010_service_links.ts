// Service links (the paid API gateway) keep their upstream API key sealed in a table of its own, so the
// links rows the dashboard and the checkout read never carry it. The link's configuration (upstream URL,
// price rules, secret header name and hint) lives in links.resource like every other kind.
export const version = '0010_service_links'

export const sql = /* sql */ `
CREATE TABLE link_upstream_secrets (
  link_id text PRIMARY KEY REFERENCES links(id) ON DELETE CASCADE,
  sealed text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`
