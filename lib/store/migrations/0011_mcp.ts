// Payments can arrive over MCP (a JSON-RPC `_meta` credential), and a link can be sold as an MCP tool:
// `mcp_tool` holds its tool name, description and input schema (null: not a tool). Tool names are unique
// across the server, as one /mcp lists every merchant's tools.
export const version = '0011_mcp'

export const sql = /* sql */ `
ALTER TABLE payments DROP CONSTRAINT payments_protocol_check;
ALTER TABLE payments ADD CONSTRAINT payments_protocol_check CHECK (protocol IN ('mpp', 'x402', 'webhook', 'mcp'));
ALTER TABLE links ADD COLUMN mcp_tool jsonb;
CREATE UNIQUE INDEX links_mcp_tool_name_idx ON links ((mcp_tool->>'name')) WHERE mcp_tool IS NOT NULL;
`
