// A small evm/session payee for the client tests, on 127.0.0.1: it issues session challenges, checks every
// credential with the protocol layer (binding, Payload.parse/check, Voucher.verify) and the real escrow on
// anvil (hash opens and top-ups read from receipts; relayed opens, top-ups and closes submitted as the payee),
// and keeps per-channel accounting in memory. It is not Tollgate's server; it lets the client be tested now.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Hex, createWalletClient, http as viemHttp, parseEventLogs, zeroAddress } from 'viem'
import * as Binding from '@/lib/protocol/Binding'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Problem from '@/lib/protocol/Problem'
import * as Receipt from '@/lib/protocol/Receipt'
import * as Sse from '@/lib/protocol/Sse'
import { localChain } from '@/scripts/chain/deploy'
import type { EscrowFixture } from '@/test/contracts/internal/escrow'

export type ServerChannel = EvmSession.Voucher.ChannelState & { accepted: bigint; spent: bigint; best?: { amount: bigint; signature: Hex } }

export type SessionServer = {
  url: string
  /** Every payload that reached the server, parsed, with the credential's source and Idempotency-Key. */
  seen: Array<{ path: string; method: string; payload: EvmSession.Payload.Payload; source?: string; idempotencyKey?: string }>
  channels: Map<Hex, ServerChannel>
  /** Answer the next credential with invalid-challenge and a fresh challenge. */
  failNextChallenge(): void
  stop(): Promise<void>
}

export type SessionServerOptions = {
  /** Price per request (and per streamed token) in base units. */
  amount: bigint
  suggestedDeposit?: bigint
  minVoucherDelta?: bigint
  feePayer?: boolean
  /** Tokens a /stream response sends. */
  streamTokens?: number
}

export async function startSessionServer(f: EscrowFixture, options: SessionServerOptions): Promise<SessionServer> {
  const secret = randomBytes(32)
  const channels = new Map<Hex, ServerChannel>()
  const seen: SessionServer['seen'] = []
  const waiters = new Map<Hex, () => void>()
  let failNext = false
  const payee = createWalletClient({
    account: f.payee,
    chain: localChain(f.chain.rpcUrl, f.chain.chainId),
    transport: viemHttp(f.chain.rpcUrl),
  })
  const request = EvmSession.Request.create({
    amount: options.amount,
    unitType: 'request',
    suggestedDeposit: options.suggestedDeposit,
    currency: f.token,
    recipient: f.payee.address,
    chainId: f.chain.chainId,
    escrowContract: f.escrow,
    minVoucherDelta: options.minVoucherDelta,
    feePayer: options.feePayer,
  })
  const challenge = () =>
    Challenge.create({ secret, realm: '127.0.0.1', method: 'evm', intent: 'session', request, expires: new Date(Date.now() + 300_000) })

  const respondProblem = (response: http.ServerResponse, problem: Problem.PaymentProblem) => {
    const headers: Record<string, string> = { 'content-type': Problem.contentType, 'cache-control': 'no-store' }
    if (problem.status === 402) headers['www-authenticate'] = Challenge.serialize(challenge())
    response.writeHead(problem.status, headers).end(JSON.stringify(Problem.toJSON(problem)))
  }

  const send = async (functionName: string, args: readonly unknown[]) => {
    const receipt = await payee.writeContractSync({
      address: f.escrow,
      abi: EvmSession.escrowAbi,
      functionName,
      args,
      throwOnReceiptRevert: false,
    } as never)
    if (receipt.status !== 'success') throw new Problem.TransactionRevertedError(`${functionName} reverted`)
    return receipt
  }

  const readChannel = async (channelId: Hex): Promise<ServerChannel> => {
    const onChain = await f.getChannel(channelId)
    if (onChain.payer === zeroAddress) throw new Problem.ChannelNotFoundError(`no channel ${channelId}`, { extensions: { channelId } })
    if (onChain.payee !== f.payee.address || onChain.token !== f.token) throw new Problem.VerificationFailedError('not our channel')
    // One object per channel, updated in place: a stream waiting for a voucher sees what a HEAD request accepted.
    const channel: ServerChannel = channels.get(channelId) ?? {
      channelId,
      payer: onChain.payer,
      deposit: 0n,
      closeRequestedAt: 0n,
      finalized: false,
      accepted: 0n,
      spent: 0n,
    }
    Object.assign(channel, {
      payer: onChain.payer,
      authorizedSigner: onChain.authorizedSigner,
      deposit: onChain.deposit,
      closeRequestedAt: onChain.closeRequestedAt,
      finalized: onChain.finalized,
    })
    channels.set(channelId, channel)
    return channel
  }

  const receiptLog = async (hash: Hex, eventName: 'ChannelOpened' | 'TopUp', channelId: Hex) => {
    const receipt = await f.publicClient.getTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Problem.TransactionRevertedError(`${hash} reverted`, { extensions: { channelId } })
    const logs = parseEventLogs({ abi: EvmSession.escrowAbi, logs: receipt.logs, eventName }).filter(
      (log) => log.address.toLowerCase() === f.escrow.toLowerCase() && log.args.channelId === channelId,
    )
    if (logs.length !== 1) throw new Problem.VerificationFailedError(`${hash} did not ${eventName} channel ${channelId}`)
    return logs[0]!
  }

  const accept = async (channel: ServerChannel, voucher: { channelId: Hex; cumulativeAmount: bigint; signature: Hex }) => {
    const outcome = await EvmSession.Voucher.verify({
      domain: f.domain,
      channel,
      voucher,
      acceptedCumulative: channel.accepted,
      minVoucherDelta: options.minVoucherDelta,
    })
    if (outcome.status === 'accepted') {
      channel.accepted = outcome.cumulativeAmount
      channel.best = { amount: voucher.cumulativeAmount, signature: voucher.signature }
    }
  }

  const charge = (channel: ServerChannel, cost: bigint) => {
    if (channel.spent + cost > channel.accepted)
      throw new Problem.InsufficientBalanceError(`${channel.accepted - channel.spent} left, ${cost} needed`, {
        extensions: { channelId: channel.channelId },
      })
    channel.spent += cost
  }

  const receiptHeader = (challengeId: string, channel: ServerChannel, extra: { units?: number; txHash?: Hex } = {}) =>
    Receipt.serialize(
      EvmSession.Receipt.create({
        challengeId,
        channelId: channel.channelId,
        chainId: f.chain.chainId,
        acceptedCumulative: channel.accepted,
        spent: channel.spent,
        ...extra,
      }),
    )

  /** Verifies a credential and applies it; returns the channel it paid from. */
  const apply = async (req: http.IncomingMessage, credential: Credential.Credential) => {
    if (!Binding.verify(credential.challenge, [secret]) || Challenge.isExpired(credential.challenge))
      throw new Problem.InvalidChallengeError('unknown or expired challenge')
    const echoed = EvmSession.Request.parse(credential.challenge.request)
    const payload = EvmSession.Payload.parse(credential.payload)
    seen.push({
      path: req.url ?? '',
      method: req.method ?? '',
      payload,
      source: credential.source,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
    })
    if (failNext) {
      failNext = false
      throw new Problem.InvalidChallengeError('this challenge was retired; use the fresh one')
    }
    const checked = EvmSession.Payload.check(payload, {
      request: echoed,
      source: credential.source,
      nowSeconds: Math.floor(Date.now() / 1000),
    })
    const { channelId } = checked
    switch (payload.action) {
      case 'open': {
        if (payload.type === 'hash') await receiptLog(payload.hash, 'ChannelOpened', channelId)
        else {
          const a = payload.authorization
          await send('openWithAuthorization', [
            echoed.recipient,
            echoed.currency,
            BigInt(a.value),
            payload.salt,
            payload.authorizedSigner ?? zeroAddress,
            a.from,
            BigInt(a.validAfter),
            BigInt(a.validBefore),
            a.nonce,
            payload.signature,
          ])
        }
        const channel = await readChannel(channelId)
        await accept(channel, EvmSession.Payload.voucherOf(payload)!)
        return channel
      }
      case 'topUp': {
        if (payload.type === 'hash') await receiptLog(payload.hash, 'TopUp', channelId)
        else await topUpWith(payload.channelId, payload.authorization, payload.salt, payload.signature)
        return readChannel(channelId)
      }
      case 'voucher': {
        if (payload.deposit?.action === 'topUp')
          await topUpWith(channelId, payload.deposit.authorization, payload.deposit.salt, payload.deposit.signature)
        const channel = channels.has(channelId) ? await readChannel(channelId) : undefined
        await accept(channel as ServerChannel, EvmSession.Payload.voucherOf(payload)!)
        return channel!
      }
      case 'close': {
        const channel = await readChannel(channelId)
        await accept(channel, EvmSession.Payload.voucherOf(payload)!)
        if (BigInt(payload.cumulativeAmount) < channel.spent)
          throw new Problem.VerificationFailedError('the close voucher does not cover what was spent')
        const receipt = await send('close', [channelId, BigInt(payload.cumulativeAmount), payload.signature])
        channel.finalized = true
        return Object.assign(channel, { closeTx: receipt.transactionHash })
      }
    }
  }

  const topUpWith = async (channelId: Hex, a: EvmSession.Payload.Authorization, topUpSalt: Hex, signature: Hex) =>
    send('topUpWithAuthorization', [
      channelId,
      BigInt(a.value),
      a.from,
      topUpSalt,
      BigInt(a.validAfter),
      BigInt(a.validBefore),
      a.nonce,
      signature,
    ])

  const server = http.createServer(async (req, res) => {
    try {
      let credential: Credential.Credential | undefined
      try {
        credential = Credential.fromHeaders(new Headers(req.headers as Record<string, string>))
      } catch (error) {
        return respondProblem(res, error as Problem.PaymentProblem)
      }
      if (!credential) return respondProblem(res, new Problem.PaymentRequiredError('pay with an evm/session channel'))
      const channel = (await apply(req, credential)) as ServerChannel & { closeTx?: Hex }
      const payload = credential.payload as { action: string }
      const path = new URL(req.url ?? '/', 'http://x').pathname
      if (payload.action === 'close') {
        res.writeHead(200, { [Receipt.headerName]: receiptHeader(credential.challenge.id, channel, { txHash: channel.closeTx }) }).end()
        return
      }
      // HEAD carries vouchers and top-ups only (the spec's voucher transport): nothing is charged.
      if (req.method === 'HEAD') {
        waiters.get(channel.channelId)?.()
        res.writeHead(200, { [Receipt.headerName]: receiptHeader(credential.challenge.id, channel) }).end()
        return
      }
      if (path === '/stream') return stream(res, credential.challenge.id, channel)
      charge(channel, options.amount)
      res.writeHead(200, {
        'content-type': 'text/plain',
        [Receipt.headerName]: receiptHeader(credential.challenge.id, channel, { units: 1 }),
      })
      res.end(`paid ${channel.spent}`)
    } catch (error) {
      respondProblem(res, Problem.is(error) ? error : new Problem.VerificationFailedError(String((error as Error).message)))
    }
  })

  /** Reserves a token's price before each token; when the balance runs out, asks for a voucher and waits. */
  const stream = async (res: http.ServerResponse, challengeId: string, channel: ServerChannel) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', [Receipt.headerName]: receiptHeader(challengeId, channel) })
    for (let token = 0; token < (options.streamTokens ?? 5); token++) {
      while (channel.spent + options.amount > channel.accepted) {
        const arrived = new Promise<void>((resolve) => waiters.set(channel.channelId, resolve))
        res.write(
          Sse.format({
            event: EvmSession.Events.needVoucherEvent,
            data: EvmSession.Events.formatNeedVoucher({
              channelId: channel.channelId,
              requiredCumulative: channel.spent + options.amount,
              acceptedCumulative: channel.accepted,
              deposit: channel.deposit,
            }),
          }),
        )
        await arrived
      }
      channel.spent += options.amount
      res.write(Sse.format({ data: `token ${token}` }))
    }
    const receipt = EvmSession.Receipt.create({
      challengeId,
      channelId: channel.channelId,
      chainId: f.chain.chainId,
      acceptedCumulative: channel.accepted,
      spent: channel.spent,
      units: options.streamTokens ?? 5,
    })
    res.end(Sse.format({ event: EvmSession.Events.receiptEvent, data: EvmSession.Events.formatReceipt(receipt) }))
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    channels,
    failNextChallenge: () => {
      failNext = true
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
