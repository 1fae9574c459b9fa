// Shared setup for the EVM rail integration tests: a private anvil with TestUSDC, a real embedded
// database, a rail whose settler is anvil account 0, and helpers to sign what payers sign.
import { randomBytes } from 'node:crypto'
import { type Address, type Hex, type PublicClient, createPublicClient, createWalletClient, encodeFunctionData, http, parseAbi } from 'viem'
import { type HDAccount, type LocalAccount, generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import * as Evm from '@/lib/protocol/methods/evm'
import * as EvmRail from '@/lib/rails/evm'
import { type DbHandle, openDb } from '@/lib/store/db'
import { anvilAccount, anvilPrivateKey, localChain } from '@/scripts/chain/deploy'
import { type TestChain, startTestChain } from '@/test/support/chain'

export const erc20Abi = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function transfer(address to, uint256 value) returns (bool)',
  'function mint(address to, uint256 value)',
  'function authorizationState(address authorizer, bytes32 nonce) view returns (bool)',
])

export const realm = 'tollgate.test'
/** 0.25 USDC, the price used across tests. */
export const price = 250_000n

export type EvmFixture = {
  chain: TestChain
  handle: DbHandle
  config: EvmRail.EvmConfig
  rail: EvmRail.EvmRail
  publicClient: PublicClient
  domain: Evm.TokenDomain
  /** anvil accounts 1..9, each holding 1000 USDC at start. */
  payers: HDAccount[]
  balanceOf(address: Address): Promise<bigint>
  /** Sends a plain ERC-20 transfer from `account` and waits for it; returns the hash. */
  transfer(account: LocalAccount, to: Address, value: bigint, token?: Address): Promise<Hex>
  close(): Promise<void>
}

export async function setupEvm(options: { dataDir?: string; anvilArgs?: string[] } = {}): Promise<EvmFixture> {
  const chain = await startTestChain({ anvilArgs: options.anvilArgs })
  const handle = await openDb({ dataDir: options.dataDir ?? 'memory://' })
  const config = EvmRail.createEvmConfig({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    tokenAddress: chain.token,
    settlerPrivateKey: anvilPrivateKey(0),
    pollingIntervalMs: 50,
    receiptTimeoutMs: 10_000,
  })
  const rail = EvmRail.createEvmRail(config, handle.db)
  const viemChain = localChain(chain.rpcUrl, chain.chainId)
  const publicClient = createPublicClient({ chain: viemChain, transport: http(chain.rpcUrl), pollingInterval: 50 })
  const payers = Array.from({ length: 9 }, (_, i) => anvilAccount(i + 1))
  const balanceOf = (address: Address) =>
    publicClient.readContract({ address: chain.token, abi: erc20Abi, functionName: 'balanceOf', args: [address] })
  const transfer = async (account: LocalAccount, to: Address, value: bigint, token: Address = chain.token) => {
    const wallet = createWalletClient({ account, chain: viemChain, transport: http(chain.rpcUrl) })
    const hash = await wallet.writeContract({ address: token, abi: erc20Abi, functionName: 'transfer', args: [to, value] })
    await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    return hash
  }
  return {
    chain,
    handle,
    config,
    rail,
    publicClient,
    domain: { name: 'USD Coin', version: '2', chainId: chain.chainId, verifyingContract: chain.token },
    payers,
    balanceOf,
    transfer,
    close: async () => {
      await handle.close()
      await chain.stop()
    },
  }
}

/** A fresh address nobody controls: its balance changes only through the payment under test. */
export function freshRecipient(): Address {
  return privateKeyToAccount(generatePrivateKey()).address
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** A challenge as the gate would issue it: random id, our realm, `expires` in the future. */
export function mppChallenge(
  rail: EvmRail.EvmRail,
  parameters: { amount?: bigint; recipient: Address; expiresInSeconds?: number; externalId?: string },
): EvmRail.MppChallenge & { request: Evm.Request; expires: string } {
  const request = rail.chargeRequest({
    amount: parameters.amount ?? price,
    recipient: parameters.recipient,
    externalId: parameters.externalId,
  })
  const expires = new Date((nowSeconds() + (parameters.expiresInSeconds ?? 300)) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  return { id: randomBytes(16).toString('base64url'), realm, expires, request }
}

export type AuthorizationTerms = {
  from?: Address
  to: Address
  value: bigint
  validAfter?: bigint
  validBefore: bigint
  nonce: Hex
}

/** Signs EIP-3009 TransferWithAuthorization terms under `domain` with `signer`. */
export async function signAuthorization(signer: LocalAccount, domain: Evm.TokenDomain, terms: AuthorizationTerms) {
  const authorization: Evm.Authorization = {
    from: terms.from ?? signer.address,
    to: terms.to,
    value: terms.value.toString(),
    validAfter: (terms.validAfter ?? 0n).toString(),
    validBefore: terms.validBefore.toString(),
    nonce: terms.nonce,
  }
  const signature = await signer.signTypedData(Evm.transferWithAuthorizationTypedData(domain, authorization))
  return { authorization, signature }
}

/** The MPP `authorization` payload a payer would send for `challenge` (overrides make it wrong on purpose). */
export async function authorizationPayload(
  fixture: EvmFixture,
  signer: LocalAccount,
  challenge: ReturnType<typeof mppChallenge>,
  overrides: Partial<AuthorizationTerms> & { domain?: Partial<Evm.TokenDomain> } = {},
): Promise<Evm.AuthorizationPayload> {
  const { domain: domainOverride, ...termOverrides } = overrides
  const { authorization, signature } = await signAuthorization(
    signer,
    { ...fixture.domain, ...domainOverride },
    {
      to: challenge.request.recipient,
      value: BigInt(challenge.request.amount),
      validBefore: BigInt(Math.floor(Date.parse(challenge.expires) / 1000)),
      nonce: Evm.authorizationNonce(challenge.id, challenge.realm),
      ...termOverrides,
    },
  )
  return { type: 'authorization', ...authorization, signature }
}

/** A signed (not broadcast) EIP-1559 transfer(to, value) of `token` from `signer`. */
export async function signedTransfer(
  fixture: EvmFixture,
  signer: LocalAccount,
  parameters: { to: Address; value: bigint; token?: Address; chainId?: number; nonceOffset?: number },
): Promise<Hex> {
  const nonce = await fixture.publicClient.getTransactionCount({ address: signer.address, blockTag: 'pending' })
  const fees = await fixture.publicClient.estimateFeesPerGas()
  return signer.signTransaction({
    type: 'eip1559',
    chainId: parameters.chainId ?? fixture.chain.chainId,
    to: parameters.token ?? fixture.chain.token,
    data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [parameters.to, parameters.value] }),
    nonce: nonce + (parameters.nonceOffset ?? 0),
    gas: 100_000n,
    maxFeePerGas: fees.maxFeePerGas * 2n,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
  })
}

/** Settled/claimed/submitted records of the settlements table, to prove that nothing was recorded. */
export async function recordCount(fixture: EvmFixture): Promise<number> {
  const Settlements = await import('@/lib/store/settlements')
  let total = 0
  for (const status of ['claimed', 'submitted', 'settled'] as const)
    total += (await Settlements.listByStatus(fixture.handle.db, status)).length
  return total
}
