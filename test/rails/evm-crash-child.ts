// Child process for evm-crash.test.ts: settles one MPP credential and is killed (SIGKILL) by the
// parent once the settlement transaction is in the mempool. Input comes from CRASH_INPUT (JSON).
import * as EvmRail from '@/lib/rails/evm'
import { openDb } from '@/lib/store/db'

type Input = {
  rpcUrl: string
  chainId: number
  token: `0x${string}`
  settlerPrivateKey: `0x${string}`
  dataDir?: string
  databaseUrl?: string
  challenge: EvmRail.MppChallenge
  payload: unknown
}

const input = JSON.parse(process.env.CRASH_INPUT ?? '{}') as Input
const handle = await openDb({ dataDir: input.dataDir, databaseUrl: input.databaseUrl })
const config = EvmRail.createEvmConfig({
  rpcUrl: input.rpcUrl,
  chainId: input.chainId,
  tokenAddress: input.token,
  settlerPrivateKey: input.settlerPrivateKey,
  pollingIntervalMs: 50,
  receiptTimeoutMs: 600_000,
})
const rail = EvmRail.createEvmRail(config, handle.db)
process.stdout.write('ready\n')
await rail.settleMppCredential({ challenge: input.challenge, payload: input.payload })
// Only reached if the parent failed to kill us after the broadcast.
process.stdout.write('settled\n')
await handle.close()
