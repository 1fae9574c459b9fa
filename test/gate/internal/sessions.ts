// Helpers for the session suites against a running stack: the escrow's own view of a channel, time travel,
// fresh session challenges, hand-built credentials, and the merchant's dashboard view of a channel.
import { type Address, type Hex, type LocalAccount, createPublicClient, createTestClient, http } from 'viem'
import * as SessionClient from '@/lib/client/session'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import type { TestChain } from '@/test/support/chain'

export type EscrowChannel = {
  payer: Address
  payee: Address
  deposit: bigint
  settled: bigint
  closeRequestedAt: bigint
  finalized: boolean
}

export function escrowOf(chain: TestChain) {
  const publicClient = createPublicClient({ transport: http(chain.rpcUrl) })
  const testClient = createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) })
  return {
    publicClient,
    getChannel: async (channelId: Hex) =>
      (await publicClient.readContract({
        address: chain.escrow,
        abi: EvmSession.escrowAbi,
        functionName: 'getChannel',
        args: [channelId],
      })) as unknown as EscrowChannel,
    /** Moves the chain's clock (the escrow's grace period) forward and mines a block. */
    travel: async (seconds: number) => {
      await testClient.increaseTime({ seconds })
      await testClient.mine({ blocks: 1 })
    },
    closeGracePeriod: () =>
      publicClient.readContract({ address: chain.escrow, abi: EvmSession.escrowAbi, functionName: 'CLOSE_GRACE_PERIOD' }),
  }
}

/** The first session offer of a fresh 402 for `url`. */
export async function sessionOffer(url: string, init: RequestInit = {}): Promise<SessionClient.Offer> {
  const response = await fetch(url, init)
  await response.body?.cancel()
  const offer = SessionClient.findOffers(response.headers)[0]
  if (response.status !== 402 || !offer) throw new Error(`${url} answered ${response.status} without a session challenge`)
  return offer
}

/** Sends `payload` as a credential for `offer` (GET by default); no Idempotency-Key unless given. */
export function sendCredential(
  url: string,
  offer: SessionClient.Offer,
  payload: EvmSession.Payload.Payload,
  options: { source?: string; method?: string; idempotencyKey?: string } = {},
): Promise<Response> {
  const { name, value } = SessionClient.credential(offer.challenge, payload, options.source)
  return fetch(url, {
    method: options.method ?? 'GET',
    headers: { [name]: value, ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}) },
  })
}

/** A voucher for `amount` on `channelId`, signed by `signer` in the domain of `escrow` on `chainId`. */
export async function signedVoucher(
  signer: LocalAccount,
  domain: { chainId: number; escrow: Address },
  channelId: Hex,
  amount: bigint,
): Promise<EvmSession.Payload.Voucher> {
  const signature = await signer.signTypedData(EvmSession.Voucher.typedData(domain, { channelId, cumulativeAmount: amount }))
  return { action: 'voucher', channelId, cumulativeAmount: amount.toString(), signature }
}

export type DashboardChannel = {
  channelId: string
  payer: string
  status: string
  deposit: string
  accepted: string
  spent: string
  settledOnChain: string
  lastVoucherAt: string | null
  linkId: string | null
}

/** The merchant's dashboard API view of one channel (null when it does not list it). */
export async function dashboardChannel(
  merchant: { request(path: string, init?: RequestInit): Promise<Response> },
  channelId: string,
  linkId?: string,
): Promise<DashboardChannel | null> {
  const response = await merchant.request(`/api/dashboard/channels${linkId ? `?link=${encodeURIComponent(linkId)}` : ''}`)
  if (!response.ok) throw new Error(`dashboard channels answered ${response.status}: ${await response.text()}`)
  const { channels } = (await response.json()) as { channels: DashboardChannel[] }
  return channels.find((c) => c.channelId.toLowerCase() === channelId.toLowerCase()) ?? null
}
