// Child process for evm-session-crash.test.ts: settles one channel's best voucher and is killed (SIGKILL)
// by the parent once the settle transaction is in the mempool. Input comes from CRASH_INPUT (JSON).
import type { Hex } from 'viem'
import * as EvmRail from '@/lib/rails/evm'
import * as SessionRail from '@/lib/rails/evm/session'
import { openDb } from '@/lib/store/db'

type Input = {
  rpcUrl: string
  chainId: number
  token: Hex
  escrow: Hex
  settlerPrivateKey: Hex
  dataDir?: string
  databaseUrl?: string
  channelId: Hex
}

const input = JSON.parse(process.env.CRASH_INPUT ?? '{}') as Input
const handle = await openDb({ dataDir: input.dataDir, databaseUrl: input.databaseUrl })
const config = EvmRail.createEvmConfig({
  rpcUrl: input.rpcUrl,
  chainId: input.chainId,
  tokenAddress: input.token,
  escrowAddress: input.escrow,
  settlerPrivateKey: input.settlerPrivateKey,
  pollingIntervalMs: 50,
  receiptTimeoutMs: 600_000,
})
const rail = SessionRail.createSessionRail({
  evmRail: EvmRail.createEvmRail(config, handle.db),
  db: handle.db,
  settings: SessionRail.sessionDefaults,
})
process.stdout.write('ready\n')
await rail.settleNow(input.channelId)
// Only reached if the parent failed to kill us after the broadcast.
process.stdout.write('settled\n')
await handle.close()
