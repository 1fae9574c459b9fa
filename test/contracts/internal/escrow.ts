// Shared setup for escrow and session-client tests: a private anvil with TestUSDC and SessionEscrow,
// the compiled ABIs, anvil accounts in fixed roles, and helpers that send, sign and read.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import {
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type TestClient,
  type TransactionReceipt,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  getAddress,
  http,
  parseEventLogs,
} from 'viem'
import type { LocalAccount } from 'viem/accounts'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Evm from '@/lib/protocol/methods/evm'
import { loadArtifact } from '@/scripts/chain/compile'
import { anvilAccount, localChain } from '@/scripts/chain/deploy'
import { type TestChain, startTestChain } from '@/test/support/chain'

export type Call = { address?: Address; abi?: Abi; functionName: string; args?: readonly unknown[] }

export type ChannelRecord = {
  payer: Address
  payee: Address
  token: Address
  authorizedSigner: Address
  deposit: bigint
  settled: bigint
  closeRequestedAt: bigint
  finalized: boolean
}

export type EscrowFixture = {
  chain: TestChain
  publicClient: PublicClient
  testClient: TestClient
  escrow: Address
  token: Address
  tokenAbi: Abi
  walletAbi: Abi
  walletBytecode: Hex
  domain: EvmSession.Voucher.Domain
  tokenDomain: Evm.TokenDomain
  /** anvil 1 (1000 USDC). */
  payer: LocalAccount
  /** anvil 2: the server's address. */
  payee: LocalAccount
  /** anvil 3: anyone else. */
  stranger: LocalAccount
  /** anvil 4: submits relayed calls and pays their gas. */
  relayer: LocalAccount
  /** Sends a call (the escrow by default) and returns its receipt; fails the test if it reverted. */
  send(account: LocalAccount, call: Call): Promise<TransactionReceipt>
  /**
   * Asserts the call reverts with `errorName` (a custom error name, or a revert reason substring): first as a
   * simulation, then as a mined transaction, which must change no balance and no channel record.
   */
  rejects(account: LocalAccount, call: Call, errorName: string, watch?: { channelId?: Hex; addresses?: Address[] }): Promise<void>
  balanceOf(address: Address): Promise<bigint>
  getChannel(channelId: Hex): Promise<ChannelRecord>
  approve(owner: LocalAccount, amount: bigint): Promise<void>
  /** approve + open from `payer`; returns the channel id and salt. */
  open(parameters: { payer?: LocalAccount; payee?: Address; deposit: bigint; authorizedSigner?: Address; salt?: Hex }): Promise<{
    channelId: Hex
    salt: Hex
    receipt: TransactionReceipt
  }>
  signVoucher(signer: LocalAccount, channelId: Hex, cumulativeAmount: bigint, domain?: EvmSession.Voucher.Domain): Promise<Hex>
  events(receipt: TransactionReceipt, eventName: string): Array<{ eventName: string; args: Record<string, unknown> }>
  /** Unix seconds of the latest block. */
  now(): Promise<bigint>
  stop(): Promise<void>
}

export function randomSalt(): Hex {
  return `0x${randomBytes(32).toString('hex')}`
}

/** The (r, n - s, v ^ 1) twin of a 65-byte signature: recovers the same signer, but is not canonical. */
export function highS(signature: Hex): Hex {
  const r = signature.slice(2, 66)
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130), 16)
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
  return `0x${r}${(n - s).toString(16).padStart(64, '0')}${(55 - v).toString(16)}`
}

export async function startEscrowChain(options: { closeGracePeriodSeconds?: number } = {}): Promise<EscrowFixture> {
  const chain = await startTestChain({ closeGracePeriodSeconds: options.closeGracePeriodSeconds })
  const [escrowArtifact, tokenArtifact, walletArtifact] = await Promise.all([
    loadArtifact('SessionEscrow'),
    loadArtifact('TestUSDC'),
    loadArtifact('TestWallet1271'),
  ])
  const viemChain = localChain(chain.rpcUrl, chain.chainId)
  const publicClient = createPublicClient({ chain: viemChain, transport: http(chain.rpcUrl), pollingInterval: 50, cacheTime: 0 })
  const testClient = createTestClient({ mode: 'anvil', chain: viemChain, transport: http(chain.rpcUrl) })
  const escrow = chain.escrow
  const token = chain.token
  const escrowAbi = escrowArtifact.abi
  const withDefaults = (call: Call) => ({
    address: call.address ?? escrow,
    abi: call.abi ?? escrowAbi,
    functionName: call.functionName,
    args: call.args ?? [],
  })
  const walletOf = (account: LocalAccount) => createWalletClient({ account, chain: viemChain, transport: http(chain.rpcUrl) })

  const balanceOf = (address: Address) =>
    publicClient.readContract({ address: token, abi: tokenArtifact.abi, functionName: 'balanceOf', args: [address] }) as Promise<bigint>
  const getChannel = async (channelId: Hex) =>
    (await publicClient.readContract({ address: escrow, abi: escrowAbi, functionName: 'getChannel', args: [channelId] })) as ChannelRecord

  const send = async (account: LocalAccount, call: Call) => {
    const receipt = await walletOf(account).writeContractSync({ ...withDefaults(call), throwOnReceiptRevert: false } as never)
    assert.equal(receipt.status, 'success', `${call.functionName} reverted`)
    return receipt
  }

  const revertName = (error: unknown): string => {
    if (!(error instanceof BaseError)) throw error
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError)
      return reverted.data?.errorName === 'Error' ? String(reverted.reason) : (reverted.data?.errorName ?? String(reverted.reason))
    return error.shortMessage
  }

  const rejects = async (account: LocalAccount, call: Call, errorName: string, watch: { channelId?: Hex; addresses?: Address[] } = {}) => {
    const full = withDefaults(call)
    await assert.rejects(publicClient.simulateContract({ ...full, account } as never), (error: unknown) => {
      const name = revertName(error)
      assert.ok(name === errorName || name.includes(errorName), `${call.functionName}: expected revert ${errorName}, got ${name}`)
      return true
    })
    const addresses = [escrow, ...(watch.addresses ?? [])]
    const before = await Promise.all(addresses.map(balanceOf))
    const channelBefore = watch.channelId ? await getChannel(watch.channelId) : undefined
    // Explicit gas skips estimation, so the transaction is mined and reverts on chain.
    const receipt = await walletOf(account).writeContractSync({ ...full, gas: 1_000_000n, throwOnReceiptRevert: false } as never)
    assert.equal(receipt.status, 'reverted', `${call.functionName} was mined without reverting`)
    assert.deepEqual(await Promise.all(addresses.map(balanceOf)), before, 'a reverted call moved no tokens')
    if (watch.channelId) assert.deepEqual(await getChannel(watch.channelId), channelBefore, 'a reverted call changed no channel')
  }

  const approve = async (owner: LocalAccount, amount: bigint) => {
    await send(owner, { address: token, abi: tokenArtifact.abi, functionName: 'approve', args: [escrow, amount] })
  }

  const payer = anvilAccount(1)
  const payee = anvilAccount(2)
  const domain = { chainId: chain.chainId, escrow }

  const fixture: EscrowFixture = {
    chain,
    publicClient,
    testClient,
    escrow,
    token,
    tokenAbi: tokenArtifact.abi,
    walletAbi: walletArtifact.abi,
    walletBytecode: walletArtifact.bytecode,
    domain,
    tokenDomain: { name: 'USD Coin', version: '2', chainId: chain.chainId, verifyingContract: token },
    payer,
    payee,
    stranger: anvilAccount(3),
    relayer: anvilAccount(4),
    send,
    rejects,
    balanceOf,
    getChannel,
    approve,
    async open(parameters) {
      const from = parameters.payer ?? payer
      const salt = parameters.salt ?? randomSalt()
      const payeeAddress = parameters.payee ?? payee.address
      const authorizedSigner = parameters.authorizedSigner ?? '0x0000000000000000000000000000000000000000'
      await approve(from, parameters.deposit)
      const receipt = await send(from, { functionName: 'open', args: [payeeAddress, token, parameters.deposit, salt, authorizedSigner] })
      const channelId = EvmSession.Channel.computeId({
        payer: from.address,
        payee: payeeAddress,
        token,
        salt,
        authorizedSigner,
        escrow,
        chainId: chain.chainId,
      })
      return { channelId, salt, receipt }
    },
    signVoucher(signer, channelId, cumulativeAmount, voucherDomain = domain) {
      return signer.signTypedData(EvmSession.Voucher.typedData(voucherDomain, { channelId, cumulativeAmount }))
    },
    events(receipt, eventName) {
      return parseEventLogs({ abi: escrowAbi, logs: receipt.logs, eventName } as never) as never
    },
    async now() {
      return (await publicClient.getBlock({ blockTag: 'latest' })).timestamp
    },
    stop: () => chain.stop(),
  }
  return fixture
}

/** An address made from random bytes: nobody holds its key. */
export function randomAddress(): Address {
  return getAddress(`0x${randomBytes(20).toString('hex')}`)
}
