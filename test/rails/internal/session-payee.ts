// A minimal HTTP front for the session rail in tests, on 127.0.0.1: what the gate will do for an
// `evm/session` priced URL — issue bound challenges with rail.request, check the binding and expiry,
// hand the credential to rail.accept, then serve the resource (or only the receipt) with the
// Payment-Receipt header, and meter /stream with rail.charge and payment-need-voucher events.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Hex } from 'viem'
import * as Binding from '@/lib/protocol/Binding'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Problem from '@/lib/protocol/Problem'
import * as Receipt from '@/lib/protocol/Receipt'
import * as Sse from '@/lib/protocol/Sse'
import { RailUnavailableError } from '@/lib/rails/evm'
import type { Accepted, Owner, SessionRail } from '@/lib/rails/evm/session'

export type SessionPayee = {
  url: string
  /** Every accepted credential's outcome, in order. */
  accepted: Accepted[]
  /** Every refusal's problem body (or 503), in order. */
  refused: Array<{ status: number; body: Record<string, unknown> }>
  /** A fresh challenge, as the 402 would carry it. */
  challenge(): Challenge.Challenge
  stop(): Promise<void>
}

export type SessionPayeeOptions = {
  amountPerUnit: bigint
  suggestedDeposit?: bigint
  minVoucherDelta?: bigint
  /** Tokens a /stream response meters, one unit each. */
  streamTokens?: number
  owner?: Owner
}

export async function startSessionPayee(rail: SessionRail, options: SessionPayeeOptions): Promise<SessionPayee> {
  const secret = randomBytes(32)
  const realm = '127.0.0.1'
  const accepted: Accepted[] = []
  const refused: SessionPayee['refused'] = []
  const arrivals = new Map<Hex, Array<() => void>>()
  const owner = options.owner ?? { resourceKey: 'test:session' }
  const challenge = () =>
    Challenge.create({
      secret,
      realm,
      method: 'evm',
      intent: 'session',
      request: rail.request({
        amountPerUnit: options.amountPerUnit,
        unitType: 'request',
        suggestedDeposit: options.suggestedDeposit,
        recipient: rail.payee,
        minVoucherDelta: options.minVoucherDelta,
      }),
      expires: new Date(Date.now() + 300_000),
    })

  const refuse = (response: http.ServerResponse, error: unknown) => {
    if (error instanceof RailUnavailableError) {
      refused.push({ status: 503, body: { detail: error.detail } })
      response.writeHead(503, { 'retry-after': String(error.retryAfterSeconds) }).end(error.detail)
      return
    }
    if (!Problem.is(error)) throw error
    const body = Problem.toJSON(error)
    refused.push({ status: error.status, body })
    const headers: Record<string, string> = { 'content-type': Problem.contentType, 'cache-control': 'no-store' }
    if (error.status === 402) headers['www-authenticate'] = Challenge.serialize(challenge())
    response.writeHead(error.status, headers).end(JSON.stringify(body))
  }

  const server = http.createServer(async (req, res) => {
    try {
      const credential = Credential.fromHeaders(new Headers(req.headers as Record<string, string>))
      if (!credential) return refuse(res, new Problem.PaymentRequiredError('pay with an evm/session channel'))
      if (!Binding.verify(credential.challenge, [secret]) || Challenge.isExpired(credential.challenge))
        return refuse(res, new Problem.InvalidChallengeError('unknown or expired challenge'))
      const path = new URL(req.url ?? '/', 'http://x').pathname
      const streaming = path === '/stream'
      const outcome = await rail.accept({
        challenge: credential.challenge,
        payload: credential.payload,
        source: credential.source,
        units: req.method === 'HEAD' || streaming ? 0 : 1,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        owner,
      })
      accepted.push(outcome)
      for (const wake of arrivals.get(outcome.channelId) ?? []) wake()
      arrivals.delete(outcome.channelId)
      const receiptHeader = { [Receipt.headerName]: Receipt.serialize(outcome.receipt), 'cache-control': 'private' }
      if (outcome.serves === 'receipt' || req.method === 'HEAD') return void res.writeHead(200, receiptHeader).end()
      if (streaming) return await stream(res, outcome, receiptHeader)
      res.writeHead(200, { 'content-type': 'text/plain', ...receiptHeader }).end(`paid ${outcome.receipt.spent}`)
    } catch (error) {
      try {
        refuse(res, error)
      } catch {
        res.writeHead(500).end(String((error as Error).message))
      }
    }
  })

  /** One unit per token, charged before it is sent; when the vouchers run out, ask for one and wait for it. */
  const stream = async (res: http.ServerResponse, outcome: Accepted, receiptHeader: Record<string, string>) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', ...receiptHeader })
    const tokens = options.streamTokens ?? 5
    for (let token = 0; token < tokens; token++) {
      for (;;) {
        const charged = await rail.charge({
          channelId: outcome.channelId,
          units: 1,
          amountPerUnit: options.amountPerUnit,
          challengeId: outcome.receipt.challengeId,
        })
        if (charged.ok) break
        const arrived = new Promise<void>((resolve) =>
          arrivals.set(outcome.channelId, [...(arrivals.get(outcome.channelId) ?? []), resolve]),
        )
        res.write(Sse.format({ event: EvmSession.Events.needVoucherEvent, data: EvmSession.Events.formatNeedVoucher(charged.needVoucher) }))
        await arrived
      }
      res.write(Sse.format({ data: `token ${token}` }))
    }
    const receipt = await rail.receiptFor({ channelId: outcome.channelId, challengeId: outcome.receipt.challengeId, units: tokens })
    res.end(Sse.format({ event: EvmSession.Events.receiptEvent, data: EvmSession.Events.formatReceipt(receipt) }))
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    refused,
    challenge,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
