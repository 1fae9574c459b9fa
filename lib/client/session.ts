// A payer's client for MPP `evm`/`session` (draft-evm-session-00), viem only, usable from Node: it reads a
// session challenge from a 402, opens a channel on the escrow (client-broadcast `hash` or relayed
// `authorization`), signs one cumulative voucher per paid request, tops up, follows SSE
// `payment-need-voucher` events, and closes. The building blocks (open / voucher / topUp / close payloads and
// `credential`) are exported too, for callers that drive the protocol themselves.
import { randomBytes } from 'node:crypto'
import { type Address, type Hex, type LocalAccount, getAddress, zeroAddress } from 'viem'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Evm from '@/lib/protocol/methods/evm'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Problem from '@/lib/protocol/Problem'
import * as Receipt from '@/lib/protocol/Receipt'
import * as Sse from '@/lib/protocol/Sse'
import * as Chain from './internal/chain'

/** A session challenge from a 402 and its parsed request. */
export type Offer = { challenge: Challenge.Challenge; request: EvmSession.Request.Request }

export type OpenMode = 'hash' | 'authorization'

/** The payer's view of one channel. Amounts are base units. */
export type Channel = {
  channelId: Hex
  chainId: number
  escrow: Address
  payer: Address
  payee: Address
  token: Address
  salt: Hex
  /** The zero address when the payer signs vouchers itself. */
  authorizedSigner: Address
  deposit: bigint
  /** Highest voucher the server confirmed (its receipt's acceptedCumulative, or a 2xx answer). */
  accepted: bigint
  /** What the server charged so far (its receipt's spent, else what this client counted). */
  spent: bigint
  /** The highest voucher this client signed. */
  best?: { amount: bigint; signature: Hex }
  /** The latest challenge for this channel, echoed by the next credential. */
  offer: Offer
  /** Set once the server closed the channel. */
  closed?: { txHash?: Hex }
}

export class SessionClientError extends Error {
  override name = 'SessionClientError'
}

/** The server refused a session credential; `problem` is its problem body when it sent one. */
export class SessionPaymentError extends Error {
  override name = 'SessionPaymentError'
  constructor(
    message: string,
    readonly status: number,
    readonly problem?: Problem.PaymentProblem,
  ) {
    super(message)
  }
}

/** Every `evm`/`session` challenge a response offers whose request parses; others are skipped. */
export function findOffers(headers: Headers): Offer[] {
  const value = headers.get('www-authenticate')
  if (!value) return []
  let challenges: Challenge.Challenge[]
  try {
    challenges = Challenge.deserializeList(value)
  } catch {
    return []
  }
  const offers: Offer[] = []
  for (const challenge of challenges) {
    if (challenge.method !== EvmSession.method || challenge.intent !== EvmSession.intent || Challenge.isExpired(challenge)) continue
    try {
      offers.push({ challenge, request: EvmSession.Request.parse(challenge.request) })
    } catch {
      // A challenge we cannot read is one we do not pay.
    }
  }
  return offers
}

/** The request field and value that carry `payload` as an answer to `challenge`. */
export function credential(
  challenge: Challenge.Challenge,
  payload: EvmSession.Payload.Payload,
  source?: string,
): { name: string; value: string } {
  return {
    name: Challenge.credentialHeader(challenge),
    value: Credential.serialize({ challenge, payload: payload as unknown as Record<string, unknown>, ...(source ? { source } : {}) }),
  }
}

export type SessionClientOptions = {
  /** The payer: deposits, signs EIP-3009 authorizations, and pays gas for `hash` opens and top-ups. */
  account: LocalAccount
  /** JSON-RPC endpoint of the challenge's chain. */
  rpcUrl: string
  /** A session key that signs vouchers instead of the payer (the channel's authorizedSigner). */
  voucherSigner?: LocalAccount
  /** How to open and top up; default: the first the challenge lists that this client can produce. */
  mode?: OpenMode
  /** Deposit of a new channel; default the challenge's suggestedDeposit, else 100 units. */
  deposit?: bigint
  /** Total deposit one channel may reach through automatic top-ups; default: the first deposit (no top-ups). */
  maxDeposit?: bigint
  /** Seconds an EIP-3009 authorization stays valid when the challenge has no `expires` (default 600). */
  authorizationTtlSeconds?: number
  fetch?: typeof globalThis.fetch
}

export type SessionRequestInit = RequestInit & {
  /** Units this request consumes at the challenge's per-unit price (default 1). */
  units?: number
}

export type StreamOptions = {
  /** Never sign a voucher above this cumulative amount while following the stream (default: the deposit). */
  maxCumulative?: bigint
}

export type SessionClient = ReturnType<typeof createSessionClient>

export function createSessionClient(options: SessionClientOptions) {
  const doFetch = options.fetch ?? globalThis.fetch
  const signer = options.voucherSigner ?? options.account
  const payer = options.account.address
  const authorizedSigner = options.voucherSigner ? options.voucherSigner.address : zeroAddress
  const channels = new Map<string, Channel>()
  const offers = new Map<string, Offer>()
  const clients = new Map<number, Promise<Chain.ChainClients>>()
  const domains = new Map<string, Promise<Evm.TokenDomain>>()

  const chainClients = (chainId: number) => {
    let clientsForChain = clients.get(chainId)
    if (!clientsForChain) {
      clientsForChain = Chain.connect(options.rpcUrl, chainId, options.account)
      clientsForChain.catch(() => clients.delete(chainId))
      clients.set(chainId, clientsForChain)
    }
    return clientsForChain
  }
  const tokenDomain = async (request: EvmSession.Request.Request) => {
    const key = `${request.methodDetails.chainId}:${request.currency}`
    let domain = domains.get(key)
    if (!domain) {
      domain = chainClients(request.methodDetails.chainId).then((c) =>
        Chain.tokenDomain(c.publicClient, request.currency, request.methodDetails.chainId),
      )
      domains.set(key, domain)
    }
    return domain
  }
  // One channel per payee, token and escrow: every URL of that server can be paid from it.
  const channelKey = (request: EvmSession.Request.Request) =>
    [request.methodDetails.chainId, request.methodDetails.escrowContract, request.recipient, request.currency].join(':').toLowerCase()
  const voucherDomain = (channel: Pick<Channel, 'chainId' | 'escrow'>) => ({ chainId: channel.chainId, escrow: channel.escrow })
  const source = (chainId: number) => Evm.payerSource(chainId, payer)
  const randomSalt = (): Hex => `0x${randomBytes(32).toString('hex')}`

  const modeFor = (request: EvmSession.Request.Request): OpenMode => {
    const accepted = EvmSession.Request.acceptedCredentialTypes(request)
    if (options.mode) {
      if (!accepted.includes(options.mode))
        throw new SessionClientError(`the challenge does not accept "${options.mode}" (credentialTypes: ${accepted.join(', ')})`)
      return options.mode
    }
    const mode = accepted.find((type): type is OpenMode => type === 'hash' || type === 'authorization')
    if (!mode) throw new SessionClientError(`this client can produce none of the challenge's credential types (${accepted.join(', ')})`)
    return mode
  }

  const validBefore = (offer: Offer): bigint => {
    const expires = offer.challenge.expires ? Math.floor(Date.parse(offer.challenge.expires) / 1000) : Number.NaN
    const ttl = options.authorizationTtlSeconds ?? 600
    return BigInt(Number.isFinite(expires) ? Math.max(expires, Math.floor(Date.now() / 1000) + 60) : Math.floor(Date.now() / 1000) + ttl)
  }

  const signReceive = async (offer: Offer, value: bigint, nonce: Hex) => {
    const authorization: Evm.Authorization = {
      from: payer,
      to: offer.request.methodDetails.escrowContract,
      value: value.toString(),
      validAfter: '0',
      validBefore: validBefore(offer).toString(),
      nonce,
    }
    const typedData = Evm.receiveWithAuthorizationTypedData(await tokenDomain(offer.request), authorization)
    return { authorization, signature: await options.account.signTypedData(typedData) }
  }

  /** Signs a voucher for `amount` (never above `limit`, the deposit) and remembers it when it is the best so far. */
  const signVoucher = async (channel: Channel, amount: bigint, limit: bigint = channel.deposit): Promise<Hex> => {
    if (amount > limit) throw new SessionClientError(`refusing to sign ${amount}: above the channel deposit ${limit}`)
    if (channel.best?.amount === amount) return channel.best.signature
    const signature = await signer.signTypedData(
      EvmSession.Voucher.typedData(voucherDomain(channel), { channelId: channel.channelId, cumulativeAmount: amount }),
    )
    if (!channel.best || amount > channel.best.amount) channel.best = { amount, signature }
    return signature
  }

  const newChannel = (offer: Offer, salt: Hex, deposit: bigint): Channel => {
    const { request } = offer
    const chainId = request.methodDetails.chainId
    const escrow = request.methodDetails.escrowContract
    const channelId = EvmSession.Channel.computeId({
      payer,
      payee: request.recipient,
      token: request.currency,
      salt,
      authorizedSigner,
      escrow,
      chainId,
    })
    return {
      channelId,
      chainId,
      escrow,
      payer: getAddress(payer),
      payee: request.recipient,
      token: request.currency,
      salt,
      authorizedSigner,
      deposit,
      accepted: 0n,
      spent: 0n,
      offer,
    }
  }

  const defaultDeposit = (request: EvmSession.Request.Request, atLeast: bigint) => {
    const wanted = options.deposit ?? (request.suggestedDeposit ? BigInt(request.suggestedDeposit) : BigInt(request.amount) * 100n)
    if (wanted < atLeast) throw new SessionClientError(`a deposit of ${wanted} does not cover this request (${atLeast})`)
    return wanted
  }

  /**
   * Opens a channel for `offer`. `hash`: broadcasts approve + open now (the payer pays gas) and returns the
   * payload naming that transaction; `authorization`: signs an EIP-3009 receiveWithAuthorization for the
   * server to submit. Either way the payload carries the initial voucher for `initialAmount` (default 0).
   */
  const open = async (offer: Offer, parameters: { mode?: OpenMode; deposit?: bigint; initialAmount?: bigint; salt?: Hex } = {}) => {
    const initialAmount = parameters.initialAmount ?? 0n
    const deposit = parameters.deposit ?? defaultDeposit(offer.request, initialAmount)
    const mode = parameters.mode ?? modeFor(offer.request)
    const channel = newChannel(offer, parameters.salt ?? randomSalt(), deposit)
    const voucherSignature = await signVoucher(channel, initialAmount)
    const common = {
      action: 'open' as const,
      channelId: channel.channelId,
      cumulativeAmount: initialAmount.toString(),
      salt: channel.salt,
      ...(authorizedSigner !== zeroAddress ? { authorizedSigner } : {}),
    }
    let payload: EvmSession.Payload.Open
    let payerSource: string | undefined
    if (mode === 'hash') {
      const hash = await Chain.openChannel(await chainClients(channel.chainId), {
        escrow: channel.escrow,
        payee: channel.payee,
        token: channel.token,
        deposit,
        salt: channel.salt,
        authorizedSigner,
      })
      payload = { ...common, type: 'hash', hash, signature: voucherSignature }
      payerSource = source(channel.chainId)
    } else {
      const nonce = EvmSession.Channel.openNonce({
        from: payer,
        payee: channel.payee,
        token: channel.token,
        salt: channel.salt,
        authorizedSigner,
      })
      const { authorization, signature } = await signReceive(offer, deposit, nonce)
      payload = { ...common, type: 'authorization', authorization, signature, voucherSignature }
    }
    return { channel, payload, source: payerSource }
  }

  /**
   * A `voucher` payload for `amount`; with `topUp`, an EIP-3009 topUp merged into it (one round trip). The channel's
   * deposit grows only once the server confirmed it (see `confirmTopUp`).
   */
  const voucher = async (channel: Channel, amount: bigint, parameters: { topUp?: bigint } = {}) => {
    const signature = await signVoucher(channel, amount, channel.deposit + (parameters.topUp ?? 0n))
    const payload: EvmSession.Payload.Voucher = {
      action: 'voucher',
      channelId: channel.channelId,
      cumulativeAmount: amount.toString(),
      signature,
    }
    if (parameters.topUp) {
      const topUpSalt = randomSalt()
      const nonce = EvmSession.Channel.topUpNonce({
        channelId: channel.channelId,
        additionalDeposit: parameters.topUp,
        from: payer,
        topUpSalt,
      })
      const { authorization, signature: authorizationSignature } = await signReceive(channel.offer, parameters.topUp, nonce)
      payload.deposit = { action: 'topUp', type: 'authorization', authorization, signature: authorizationSignature, salt: topUpSalt }
    }
    return payload
  }

  /** Counts a top-up the server confirmed (a 2xx to a topUp credential or to a voucher with a merged deposit). */
  const confirmTopUp = (channel: Channel, payload: EvmSession.Payload.Payload) => {
    if (payload.action === 'topUp') channel.deposit += BigInt(payload.additionalDeposit)
    if (payload.action === 'voucher' && payload.deposit) channel.deposit += BigInt(payload.deposit.authorization.value)
  }

  /** A `topUp` payload; `hash` broadcasts approve + topUp first. The deposit counts once the server confirmed it. */
  const topUp = async (channel: Channel, amount: bigint, parameters: { mode?: OpenMode } = {}) => {
    const mode = parameters.mode ?? modeFor(channel.offer.request)
    if (mode === 'hash') {
      const hash = await Chain.topUpChannel(await chainClients(channel.chainId), {
        escrow: channel.escrow,
        token: channel.token,
        channelId: channel.channelId,
        amount,
      })
      const payload: EvmSession.Payload.TopUpHash = {
        action: 'topUp',
        type: 'hash',
        channelId: channel.channelId,
        hash,
        additionalDeposit: amount.toString(),
      }
      return { payload, source: source(channel.chainId) }
    }
    const topUpSalt = randomSalt()
    const nonce = EvmSession.Channel.topUpNonce({ channelId: channel.channelId, additionalDeposit: amount, from: payer, topUpSalt })
    const { authorization, signature } = await signReceive(channel.offer, amount, nonce)
    const payload: EvmSession.Payload.TopUpAuthorization = {
      action: 'topUp',
      type: 'authorization',
      channelId: channel.channelId,
      salt: topUpSalt,
      authorization,
      signature,
      additionalDeposit: amount.toString(),
    }
    return { payload, source: undefined }
  }

  /** A `close` payload for what the server charged (`spent`); the server submits `close` with it. */
  const close = async (channel: Channel, amount: bigint = channel.spent) => {
    const payload: EvmSession.Payload.Close = {
      action: 'close',
      channelId: channel.channelId,
      cumulativeAmount: amount.toString(),
      signature: await signVoucher(channel, amount),
    }
    return payload
  }

  // --- HTTP ----------------------------------------------------------------------------------------

  const withCredential = (
    init: RequestInit,
    offer: Offer,
    payload: EvmSession.Payload.Payload,
    payerSource: string | undefined,
    key: string,
  ) => {
    const headers = new Headers(init.headers)
    const { name, value } = credential(offer.challenge, payload, payerSource)
    headers.set(name, value)
    // Spec (Request Idempotency): a retry of the same paid request must not be charged twice.
    headers.set('Idempotency-Key', key)
    return { ...init, headers }
  }

  const problemOf = async (response: Response): Promise<Problem.PaymentProblem | undefined> => {
    try {
      const text = await response.text()
      return text.length > 64 * 1024 ? undefined : Problem.fromJSON(JSON.parse(text))
    } catch {
      return undefined
    }
  }

  /** Takes the server's numbers from a session receipt on a 2xx answer. */
  const absorbReceipt = (channel: Channel, response: Response, fallback: { accepted: bigint; cost: bigint }) => {
    const header = response.headers.get(Receipt.headerName)
    let receipt: EvmSession.Receipt.Receipt | undefined
    try {
      receipt = header ? EvmSession.Receipt.parse(Receipt.deserialize(header)) : undefined
    } catch {
      receipt = undefined
    }
    if (receipt && receipt.channelId === channel.channelId) {
      channel.accepted = BigInt(receipt.acceptedCumulative)
      channel.spent = BigInt(receipt.spent)
      if (receipt.txHash) channel.closed = { txHash: receipt.txHash }
    } else {
      channel.accepted = channel.accepted > fallback.accepted ? channel.accepted : fallback.accepted
      channel.spent += fallback.cost
    }
    return receipt
  }

  // Challenge problems a fresh challenge cures; anything else is the server's final word on this credential.
  const retryable = new Set(['invalid-challenge', 'payment-expired', 'session/challenge-not-found'])

  /**
   * Sends one paid request: builds the payload for `offer` with `build`, and when the server answers 402 with
   * a challenge problem and a fresh session challenge, rebuilds against that challenge once.
   */
  const sendPaid = async (
    url: string,
    init: RequestInit,
    offer: Offer,
    build: (offer: Offer) => Promise<{ payload: EvmSession.Payload.Payload; source?: string }>,
  ): Promise<{ response: Response; offer: Offer; payload: EvmSession.Payload.Payload }> => {
    const key = randomBytes(16).toString('base64url')
    let current = offer
    for (let attempt = 1; ; attempt++) {
      const { payload, source: payerSource } = await build(current)
      const response = await doFetch(url, withCredential(init, current, payload, payerSource, key))
      if (response.status !== 402 && response.status !== 400 && response.status !== 409 && response.status !== 410)
        return { response, offer: current, payload }
      const fresh = findOffers(response.headers).find((o) => channelKey(o.request) === channelKey(current.request))
      const problem = await problemOf(response)
      if (attempt === 1 && fresh && problem && retryable.has(problem.code)) {
        current = fresh
        continue
      }
      throw new SessionPaymentError(
        `the server refused the ${payload.action} credential: ${problem ? `${problem.code}: ${problem.detail}` : `HTTP ${response.status}`}`,
        response.status,
        problem,
      )
    }
  }

  /** The offer to pay `url` with: the last one seen for it when still valid, else a fresh 402 (then `response` is that 402). */
  const offerFor = async (url: string, init: RequestInit): Promise<{ offer?: Offer; response?: Response }> => {
    const known = offers.get(url)
    if (known && !Challenge.isExpired(known.challenge, Date.now() + 5_000)) return { offer: known }
    const response = await doFetch(url, init)
    if (response.status !== 402) return { response }
    const offer = findOffers(response.headers)[0]
    if (!offer) return { response }
    await response.body?.cancel()
    return { offer }
  }

  /** The cumulative amount to sign so the server can charge `cost` more: reuse the headroom, respect minVoucherDelta. */
  const nextAmount = (channel: Channel, cost: bigint): bigint | undefined => {
    if (channel.accepted - channel.spent >= cost) return undefined
    const minDelta = BigInt(channel.offer.request.methodDetails.minVoucherDelta ?? '0')
    const needed = channel.spent + cost
    return needed - channel.accepted >= minDelta ? needed : channel.accepted + minDelta
  }

  const topUpAmountFor = (channel: Channel, amount: bigint): bigint => {
    const ceiling = options.maxDeposit ?? 0n
    const step = options.deposit ?? (channel.offer.request.suggestedDeposit ? BigInt(channel.offer.request.suggestedDeposit) : amount)
    const wanted = amount - channel.deposit > step ? amount - channel.deposit : step
    const allowed = ceiling - channel.deposit
    if (allowed < amount - channel.deposit)
      throw new SessionClientError(
        `channel ${channel.channelId} needs ${amount}, above its deposit ${channel.deposit}; set maxDeposit to allow top-ups (now ${ceiling})`,
      )
    return wanted < allowed ? wanted : allowed
  }

  /** Builds the payload that pays `cost` more on `channel`, topping up first when needed (merged for EIP-3009). */
  const payloadFor = async (channel: Channel, offer: Offer, cost: bigint, init: RequestInit, url: string) => {
    channel.offer = offer
    const amount = nextAmount(channel, cost)
    if (amount === undefined) {
      // Enough accepted headroom: resend the best voucher (the server treats it as a replay and charges the headroom).
      const best = channel.best ?? { amount: channel.accepted, signature: await signVoucher(channel, channel.accepted) }
      const payload: EvmSession.Payload.Voucher = {
        action: 'voucher',
        channelId: channel.channelId,
        cumulativeAmount: best.amount.toString(),
        signature: best.signature,
      }
      return { payload }
    }
    if (amount <= channel.deposit) return { payload: await voucher(channel, amount) }
    const extra = topUpAmountFor(channel, amount)
    if (modeFor(offer.request) === 'authorization') return { payload: await voucher(channel, amount, { topUp: extra }) }
    await submit(url, channel, async () => topUp(channel, extra, { mode: 'hash' }), { ...init, method: 'HEAD', body: undefined })
    return { payload: await voucher(channel, amount) }
  }

  /** Sends a payload-only request (HEAD by default) and takes the server's receipt. */
  const submit = async (
    url: string,
    channel: Channel,
    build: () => Promise<{ payload: EvmSession.Payload.Payload; source?: string }>,
    init: RequestInit = { method: 'HEAD' },
  ) => {
    let built: { payload: EvmSession.Payload.Payload; source?: string } | undefined
    const { response, offer, payload } = await sendPaid(url, init, channel.offer, async (o) => {
      channel.offer = o
      // Against a fresh challenge the same payload is sent again (its transaction or authorization stays valid).
      built ??= await build()
      return built
    })
    channel.offer = offer
    if (!response.ok) throw new SessionPaymentError(`HTTP ${response.status} from ${url}`, response.status)
    confirmTopUp(channel, payload)
    const accepted = 'cumulativeAmount' in payload ? BigInt(payload.cumulativeAmount) : channel.accepted
    const receipt = absorbReceipt(channel, response, { accepted, cost: 0n })
    await response.body?.cancel()
    return { response, receipt }
  }

  /**
   * fetch() that pays: on a 402 with an `evm`/`session` challenge it opens a channel (the initial voucher pays
   * this request), then pays each later request with one cumulative voucher. Request bodies must be
   * replayable (strings, bytes): a request may be sent again against a fresh challenge.
   */
  const paidFetch = async (input: string | URL, init: SessionRequestInit = {}): Promise<Response> => {
    const url = String(input)
    const { units = 1, ...requestInit } = init
    if (!Number.isInteger(units) || units < 0) throw new SessionClientError('units must be a whole number')
    const found = await offerFor(url, requestInit)
    if (!found.offer) return found.response!
    const key = channelKey(found.offer.request)
    const cost = BigInt(found.offer.request.amount) * BigInt(units)
    let channel = channels.get(key)
    if (channel?.closed) channel = undefined
    let sent: { response: Response; offer: Offer; payload: EvmSession.Payload.Payload }
    if (!channel) {
      let opened: Awaited<ReturnType<typeof open>> | undefined
      sent = await sendPaid(url, requestInit, found.offer, async (offer) => {
        // Against a fresh challenge the same open (same transaction or authorization) is sent again.
        // The initial voucher pays this request; it is a voucher like any other, so minVoucherDelta applies.
        const minDelta = BigInt(offer.request.methodDetails.minVoucherDelta ?? '0')
        opened ??= await open(offer, { initialAmount: cost > minDelta || cost === 0n ? cost : minDelta })
        opened.channel.offer = offer
        return opened
      })
      channel = opened!.channel
      channels.set(key, channel)
      absorbReceipt(channel, sent.response, { accepted: cost, cost })
    } else {
      const paying = channel
      let built: { payload: EvmSession.Payload.Payload } | undefined
      sent = await sendPaid(url, requestInit, found.offer, async (offer) => {
        paying.offer = offer
        built ??= await payloadFor(paying, offer, cost, requestInit, url)
        return built
      })
      confirmTopUp(paying, sent.payload)
      const signed = 'cumulativeAmount' in sent.payload ? BigInt(sent.payload.cumulativeAmount) : paying.accepted
      absorbReceipt(paying, sent.response, { accepted: signed, cost })
    }
    channel.offer = sent.offer
    offers.set(url, sent.offer)
    return sent.response
  }

  /**
   * Pays for an SSE request and yields its events. When the server pauses with `payment-need-voucher`, signs
   * `requiredCumulative` (topping up when allowed) and sends it with HEAD to the same URL, as the spec's
   * Voucher Submission Transport says; `payment-receipt` events update the channel and are yielded too.
   */
  async function* stream(input: string | URL, init: SessionRequestInit = {}, streamOptions: StreamOptions = {}): AsyncGenerator<Sse.Event> {
    const url = String(input)
    const response = await paidFetch(url, {
      ...init,
      headers: { accept: 'text/event-stream', ...Object.fromEntries(new Headers(init.headers)) },
    })
    if (!response.ok || !response.body) throw new SessionPaymentError(`HTTP ${response.status} from ${url}`, response.status)
    const offer = offers.get(url)
    const channel = offer ? channels.get(channelKey(offer.request)) : undefined
    if (!channel) throw new SessionClientError('the stream was not paid from a session channel')
    let stalls = 0
    for await (const event of Sse.read(response.body)) {
      if (event.event === EvmSession.Events.needVoucherEvent) {
        const need = EvmSession.Events.parseNeedVoucher(event.data)
        if (need.channelId !== channel.channelId)
          throw new SessionClientError(`the stream asks for a voucher on channel ${need.channelId}, not ${channel.channelId}`)
        // Asking again for what it already accepted is a broken (or hostile) server: do not loop on it.
        stalls = need.requiredCumulative <= channel.accepted ? stalls + 1 : 0
        if (stalls > 2) throw new SessionClientError(`the stream keeps asking for ${need.requiredCumulative}, which it already accepted`)
        const ceiling = streamOptions.maxCumulative ?? options.maxDeposit ?? channel.deposit
        if (need.requiredCumulative > ceiling)
          throw new SessionClientError(`the stream asks for ${need.requiredCumulative}, above this client's limit ${ceiling}`)
        const minDelta = BigInt(channel.offer.request.methodDetails.minVoucherDelta ?? '0')
        const target = need.requiredCumulative - channel.accepted >= minDelta ? need.requiredCumulative : channel.accepted + minDelta
        const amount = target > ceiling ? need.requiredCumulative : target
        await submit(url, channel, async () => {
          if (amount <= channel.deposit) return { payload: await voucher(channel, amount) }
          const extra = topUpAmountFor(channel, amount)
          if (modeFor(channel.offer.request) === 'authorization') return { payload: await voucher(channel, amount, { topUp: extra }) }
          // A hash top-up is a transaction of the payer's own, then a voucher within the new deposit.
          await submit(url, channel, async () => topUp(channel, extra, { mode: 'hash' }))
          return { payload: await voucher(channel, amount) }
        })
        continue
      }
      if (event.event === EvmSession.Events.receiptEvent) {
        const receipt = EvmSession.Events.parseReceipt(event.data)
        if (receipt.channelId === channel.channelId) {
          channel.accepted = BigInt(receipt.acceptedCumulative)
          channel.spent = BigInt(receipt.spent)
        }
      }
      yield event
    }
  }

  /** Asks the server to close the channel it holds for `url` with a final voucher for what it charged. */
  const closeChannel = async (input: string | URL, init: RequestInit = {}) => {
    const url = String(input)
    const offer = offers.get(url)
    const channel = offer ? channels.get(channelKey(offer.request)) : undefined
    if (!channel) throw new SessionClientError(`no open channel pays ${url}`)
    const { response, receipt } = await submit(url, channel, async () => ({ payload: await close(channel) }), { method: 'GET', ...init })
    channel.closed = { txHash: receipt?.txHash }
    return { response, receipt, channel }
  }

  return {
    fetch: paidFetch,
    stream,
    close: closeChannel,
    /** The channel this client holds for a payee's offer, if any. */
    channelFor: (offer: Offer) => channels.get(channelKey(offer.request)),
    /** Every channel this client opened. */
    channels: () => [...channels.values()],
    // Building blocks: payloads for each action, for callers that send credentials themselves.
    open,
    voucher,
    topUp,
    closePayload: close,
    /** The payer's forced close: requestClose now, withdraw after the escrow's grace period. */
    requestClose: async (channel: Channel) =>
      Chain.payerCall(await chainClients(channel.chainId), channel.escrow, 'requestClose', channel.channelId),
    withdraw: async (channel: Channel) =>
      Chain.payerCall(await chainClients(channel.chainId), channel.escrow, 'withdraw', channel.channelId),
  }
}
