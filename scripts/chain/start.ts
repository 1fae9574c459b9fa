// The local chain for the demo and tests: anvil on 127.0.0.1, TestUSDC and the session escrow deployed, demo accounts funded.
// Run directly: `ANVIL_PORT=8545 npx tsx scripts/chain/start.ts` (Ctrl-C, or scripts/chain/stop.ts, stops the node).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Address } from 'viem'
import { PortInUseError, startAnvil } from './anvil'
import { anvilAccount, deploySessionEscrow, deployTestUsdc } from './deploy'

export type LocalChain = {
  rpcUrl: string
  chainId: number
  /** TestUSDC address. */
  token: Address
  /** SessionEscrow address (the `evm`/`session` channel escrow). */
  escrow: Address
  /** PID of the anvil process (stop() kills exactly this process). */
  pid: number
  stop(): Promise<void>
}

export type StartLocalChainOptions = {
  /** 0 picks a free port (tests); the demo passes ANVIL_PORT or 8545. */
  port?: number
  chainId?: number
  /** Whole USDC minted to each of anvil accounts 1..9 (default 1000). */
  amount?: string
  /** Extra anvil arguments. */
  anvilArgs?: string[]
  /** The escrow's close grace period in seconds (default 15 minutes; at least 600). */
  closeGracePeriodSeconds?: number
}

/** Starts anvil, deploys TestUSDC (1000 USDC minted to anvil accounts 1..9) and SessionEscrow. */
export async function startLocalChain(options: StartLocalChainOptions = {}): Promise<LocalChain> {
  const anvil = await startAnvil({ port: options.port ?? 8545, chainId: options.chainId ?? 31337, args: options.anvilArgs })
  try {
    const { token } = await deployTestUsdc({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, amount: options.amount })
    const escrow = await deploySessionEscrow({
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      closeGracePeriodSeconds: options.closeGracePeriodSeconds,
    })
    return { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, token, escrow, pid: anvil.pid, stop: anvil.stop }
  } catch (error) {
    await anvil.stop()
    throw error
  }
}

/** Where the CLI records the anvil PID so scripts/chain/stop.ts can stop exactly that process. */
export function pidFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(import.meta.dirname, '..', '..', env.DATA_DIR ?? '.data', 'anvil.pid')
}

/** Reads ANVIL_PORT (default 8545) and rejects anything that is not a TCP port. */
export function anvilPortFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ANVIL_PORT ?? '8545'
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`ANVIL_PORT must be a TCP port (1-65535), got "${raw}"`)
  return port
}

async function main() {
  let chain: LocalChain
  try {
    chain = await startLocalChain({ port: anvilPortFromEnv() })
  } catch (error) {
    console.error(error instanceof PortInUseError ? error.message : `Could not start the local chain: ${(error as Error).message}`)
    process.exit(1)
  }
  console.log(`anvil        ${chain.rpcUrl} (chain ${chain.chainId}, pid ${chain.pid})`)
  console.log(`TestUSDC     ${chain.token}`)
  console.log(`escrow       ${chain.escrow} (SessionEscrow, evm/session channels)`)
  console.log(`funded       anvil accounts 1..9 with 1000 USDC each (${anvilAccount(1).address}, ...)`)
  console.log(`settler      anvil account 0 (${anvilAccount(0).address})`)
  console.log(
    `env          EVM_RPC_URL=${chain.rpcUrl} EVM_CHAIN_ID=${chain.chainId} EVM_TOKEN_ADDRESS=${chain.token} EVM_ESCROW_ADDRESS=${chain.escrow}`,
  )
  const pidFile = pidFilePath()
  mkdirSync(path.dirname(pidFile), { recursive: true })
  writeFileSync(pidFile, JSON.stringify({ pid: chain.pid, rpcUrl: chain.rpcUrl }))
  const shutdown = () =>
    void chain.stop().then(() => {
      rmSync(pidFile, { force: true })
      process.exit(0)
    })
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
