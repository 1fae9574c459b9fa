// A link may be sold by the unit through `evm`/`session` payment channels beside (or instead of) per-call
// charges: `session` holds its unit type and suggested deposit (null: not sold as a session). A session-only
// link has no charge rails, so `rails` may now be empty.
export const version = '0012_link_sessions'

export const sql = /* sql */ `
ALTER TABLE links ADD COLUMN session jsonb;
`
