import * as initial from './0001_initial'
import * as dashboard from './0003_dashboard'
import * as linkSales from './0004_link_sales'
import * as cardSaleHolds from './0005_card_sale_holds'
import * as settlementQuota from './0006_settlement_quota'
import * as linkSlugs from './0007_link_slugs'
import * as cardHoldClients from './0008_card_hold_clients'
import * as sessionChannels from './0009_session_channels'
import * as serviceLinks from './0010_service_links'
import * as mcp from './0011_mcp'
import * as linkSessions from './0012_link_sessions'

// Applied in order; each runs once, recorded in schema_migrations.
export const migrations: ReadonlyArray<{ version: string; sql: string }> = [
  initial,
  dashboard,
  linkSales,
  cardSaleHolds,
  settlementQuota,
  linkSlugs,
  cardHoldClients,
  sessionChannels,
  serviceLinks,
  mcp,
  linkSessions,
]
