// Shared setup for the session rail's integration tests: a private anvil with TestUSDC and SessionEscrow
// (the escrow helpers of test/contracts), a real database, the charge rail (settler: anvil account 0,
// which is also every channel's payee) and the session rail beside it, and builders of hand-made credentials.
import { randomBytes } from 'node:crypto'
import { type Address, type Hex, zeroAddress } from 'viem'
import type { LocalAccount } from 'viem/accounts'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Evm from '@/lib/protocol/methods/evm'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as EvmRail from '@/lib/rails/evm'
import * as SessionRail from '@/lib/rails/evm/session'
import { type DbHandle, openDb } from '@/lib/store/db'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { type EscrowFixture, randomSalt, startEscrowChain } from '@/test/contracts/internal/escrow'

export const realm = 'tollgate.test'
/** Price of one unit: 0.001 USDC. */
export const unitPrice = 1_000n

export type SessionFixture = {
  f: EscrowFixture
  handle: DbHandle
  config: EvmRail.EvmConfig
  evmRail: EvmRail.EvmRail
  rail: SessionRail.SessionRail
  settings: SessionRail.SessionSettings
  /** Another instance: a charge rail and a session rail on another database handle, same chain and settler key. */
  instanceOn(db: DbHandle['db']): { evmRail: EvmRail.EvmRail; rail: SessionRail.SessionRail }
  close(): Promise<void>
}

export const testSettings: SessionRail.SessionSettings = {
  ...SessionRail.sessionDefaults,
  // 0.1 USDC unsettled triggers a settle; no age or idle triggers unless a test asks.
  settleThresholdUsd: '0.1',
  minDepositUsd: '0.01',
}

export async function setupSession(
  options: { settings?: Partial<SessionRail.SessionSettings>; database?: { dataDir?: string; databaseUrl?: string } } = {},
): Promise<SessionFixture> {
  const f = await startEscrowChain()
  const handle = await openDb(options.database ?? { dataDir: 'memory://' })
  const config = EvmRail.createEvmConfig({
    rpcUrl: f.chain.rpcUrl,
    chainId: f.chain.chainId,
    tokenAddress: f.token,
    escrowAddress: f.escrow,
    settlerPrivateKey: anvilPrivateKey(0),
    pollingIntervalMs: 50,
    receiptTimeoutMs: 15_000,
  })
  const settings = { ...testSettings, ...options.settings }
  const evmRail = EvmRail.createEvmRail(config, handle.db)
  const rail = SessionRail.createSessionRail({ evmRail, db: handle.db, settings })
  return {
    f,
    handle,
    config,
    evmRail,
    rail,
    settings,
    instanceOn: (db) => {
      const instanceRail = EvmRail.createEvmRail(config, db)
      return { evmRail: instanceRail, rail: SessionRail.createSessionRail({ evmRail: instanceRail, db, settings }) }
    },
    close: async () => {
      await handle.close()
      await f.stop()
    },
  }
}

/** A challenge as the gate would issue it (its binding is the gate's to check; the rail reads the rest). */
export function sessionChallenge(
  rail: SessionRail.SessionRail,
  parameters: Partial<SessionRail.SessionRequestParameters> = {},
): SessionRail.AcceptParameters['challenge'] & { request: EvmSession.Request.Request } {
  const request = rail.request({ amountPerUnit: unitPrice, recipient: rail.payee, suggestedDeposit: 100n * unitPrice, ...parameters })
  const challenge = Challenge.create({
    secret: 'test-secret',
    realm,
    method: 'evm',
    intent: 'session',
    request,
    expires: new Date(Date.now() + 300_000),
  })
  return { id: challenge.id, realm, request, expires: challenge.expires }
}

export const owner: SessionRail.Owner = { resourceKey: 'test:resource' }

export type OpenedChannel = { channelId: Hex; salt: Hex; payer: LocalAccount; openHash: Hex; deposit: bigint }

/** The payer broadcasts approve + open to the rail's payee (a `hash` open's transaction). */
export async function openOnChain(
  fixture: SessionFixture,
  parameters: { payer?: LocalAccount; deposit?: bigint; authorizedSigner?: Address } = {},
): Promise<OpenedChannel> {
  const payer = parameters.payer ?? fixture.f.payer
  const deposit = parameters.deposit ?? 100n * unitPrice
  const opened = await fixture.f.open({ payer, payee: fixture.rail.payee, deposit, authorizedSigner: parameters.authorizedSigner })
  return { channelId: opened.channelId, salt: opened.salt, payer, openHash: opened.receipt.transactionHash, deposit }
}

/** The `open` (hash) payload for a channel opened on chain, with its initial voucher. */
export async function openHashPayload(
  fixture: SessionFixture,
  channel: OpenedChannel,
  parameters: { cumulativeAmount?: bigint; signer?: LocalAccount; hash?: Hex; authorizedSigner?: Address } = {},
) {
  const cumulativeAmount = parameters.cumulativeAmount ?? unitPrice
  const payload: EvmSession.Payload.OpenHash = {
    action: 'open',
    type: 'hash',
    channelId: channel.channelId,
    hash: parameters.hash ?? channel.openHash,
    cumulativeAmount: cumulativeAmount.toString(),
    signature: await fixture.f.signVoucher(parameters.signer ?? channel.payer, channel.channelId, cumulativeAmount),
    salt: channel.salt,
    ...(parameters.authorizedSigner ? { authorizedSigner: parameters.authorizedSigner } : {}),
  }
  return { payload, source: Evm.payerSource(fixture.f.chain.chainId, channel.payer.address) }
}

export async function voucherPayload(
  fixture: SessionFixture,
  channel: Pick<OpenedChannel, 'channelId' | 'payer'>,
  cumulativeAmount: bigint,
  parameters: { signer?: LocalAccount; domain?: EvmSession.Voucher.Domain; action?: 'voucher' | 'close' } = {},
) {
  return {
    action: parameters.action ?? 'voucher',
    channelId: channel.channelId,
    cumulativeAmount: cumulativeAmount.toString(),
    signature: await fixture.f.signVoucher(parameters.signer ?? channel.payer, channel.channelId, cumulativeAmount, parameters.domain),
  } as EvmSession.Payload.Voucher
}

/** An `open` with `type: "authorization"`: the payer signs receiveWithAuthorization for the rail to relay. */
export async function openAuthorizationPayload(
  fixture: SessionFixture,
  payer: LocalAccount,
  parameters: { deposit?: bigint; cumulativeAmount?: bigint; salt?: Hex; validBefore?: bigint } = {},
) {
  const deposit = parameters.deposit ?? 100n * unitPrice
  const salt = parameters.salt ?? randomSalt()
  const { f, rail } = fixture
  const channelId = EvmSession.Channel.computeId({
    payer: payer.address,
    payee: rail.payee,
    token: f.token,
    salt,
    escrow: f.escrow,
    chainId: f.chain.chainId,
  })
  const authorization: Evm.Authorization = {
    from: payer.address,
    to: f.escrow,
    value: deposit.toString(),
    validAfter: '0',
    validBefore: (parameters.validBefore ?? BigInt(Math.floor(Date.now() / 1000) + 600)).toString(),
    nonce: EvmSession.Channel.openNonce({ from: payer.address, payee: rail.payee, token: f.token, salt, authorizedSigner: zeroAddress }),
  }
  const signature = await payer.signTypedData(Evm.receiveWithAuthorizationTypedData(f.tokenDomain, authorization))
  const cumulativeAmount = parameters.cumulativeAmount ?? unitPrice
  const payload: EvmSession.Payload.OpenAuthorization = {
    action: 'open',
    type: 'authorization',
    channelId,
    authorization,
    signature,
    cumulativeAmount: cumulativeAmount.toString(),
    voucherSignature: await f.signVoucher(payer, channelId, cumulativeAmount),
    salt,
  }
  return { payload, channelId, salt, payer, deposit }
}

/** A fresh random 32-byte hex value. */
export function randomHex32(): Hex {
  return `0x${randomBytes(32).toString('hex')}`
}
