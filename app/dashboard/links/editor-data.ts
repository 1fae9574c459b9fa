// What the link editor needs from the server besides the link: files, whether cards are on, the
// smallest price the server settles on chain itself, and the account sessions pay (null: no sessions).
import { loadMinSettlementUsd } from '@/lib/rails/evm/Config'
import { loadSessionPayee } from '@/lib/rails/evm/session/Config'
import * as StripeRail from '@/lib/rails/stripe'
import type { Db } from '@/lib/store/db'
import * as Files from '@/lib/store/files'

export async function editorData(db: Db, merchantId: string) {
  const files = await Files.listFiles(db, merchantId)
  let stripeEnabled = false
  try {
    stripeEnabled = StripeRail.loadStripeConfig() !== null
  } catch {
    stripeEnabled = false
  }
  return {
    files: files.map((f) => ({ id: f.id, name: f.name, size: f.size })),
    stripeEnabled,
    maxFileBytes: Files.maxFileBytes,
    minSettlementUsd: loadMinSettlementUsd(),
    sessionPayee: loadSessionPayee(),
  }
}
