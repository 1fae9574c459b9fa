// Test helper: a private anvil on a free 127.0.0.1 port with TestUSDC and SessionEscrow deployed and
// 1000 USDC minted to anvil accounts 1..9. Call stop() in `after` (it kills that anvil by PID).
import { type LocalChain, startLocalChain } from '@/scripts/chain/start'
import { PortInUseError } from '@/scripts/chain/anvil'

export type TestChain = LocalChain

export type StartTestChainOptions = {
  chainId?: number
  /** Extra anvil arguments, e.g. ['--no-mining'] to hold transactions in the mempool. */
  anvilArgs?: string[]
  /** The escrow's close grace period in seconds (default 15 minutes). */
  closeGracePeriodSeconds?: number
}

export async function startTestChain(options: StartTestChainOptions = {}): Promise<TestChain> {
  // A free port can be taken between probing and binding; try a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startLocalChain({
        port: 0,
        chainId: options.chainId,
        anvilArgs: options.anvilArgs,
        closeGracePeriodSeconds: options.closeGracePeriodSeconds,
      })
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt >= 3) throw error
    }
  }
}
