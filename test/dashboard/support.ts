// Helpers for dashboard tests against a running stack: SIWE sign-in over HTTP, cookie-carrying
// requests, a local webhook endpoint, and paying a link with the reference mppx client.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Mppx, evm } from 'mppx/client'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'

export type Client = { cookie: string; address: string; request(path: string, init?: RequestInit): Promise<Response> }

export type MessageOverrides = Partial<Parameters<typeof createSiweMessage>[0]>

/** Builds and signs a sign-in message for `key` around a fresh server nonce. */
export async function signedMessage(baseUrl: string, key: Hex, overrides: MessageOverrides = {}) {
  const account = privateKeyToAccount(key)
  const nonce = (await (await fetch(`${baseUrl}/api/dashboard/auth/nonce`, { method: 'POST' })).json()) as {
    nonce: string
    chainId: number
    domain: string
    uri: string
  }
  const message = createSiweMessage({
    address: account.address,
    chainId: nonce.chainId,
    domain: nonce.domain,
    uri: `${nonce.uri}/signin`,
    nonce: nonce.nonce,
    version: '1',
    issuedAt: new Date(),
    expirationTime: new Date(Date.now() + 600_000),
    statement: 'Sign in to the Tollgate merchant dashboard.',
    ...overrides,
  })
  return { message, signature: await account.signMessage({ message }), address: account.address }
}

export function verify(baseUrl: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}/api/dashboard/auth/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

export async function signIn(baseUrl: string, key: Hex): Promise<Client> {
  const signed = await signedMessage(baseUrl, key)
  const response = await verify(baseUrl, { message: signed.message, signature: signed.signature })
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`)
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!
  return {
    cookie,
    address: signed.address,
    request: (path, init = {}) =>
      fetch(`${baseUrl}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie } }),
  }
}

export function jsonInit(method: string, body: unknown): RequestInit {
  return { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

/** Pays a link URL with mppx's evm client (EIP-3009 authorization) and returns the paid response. */
export async function payWithMppx(url: string, key: Hex): Promise<Response> {
  const mppx = Mppx.create({
    methods: [evm({ account: privateKeyToAccount(key), authorization: { name: 'USD Coin', version: '2' }, decimals: 6, maxAmount: '5' })],
    polyfill: false,
  })
  return mppx.fetch(url)
}

export type Hook = {
  url: string
  received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }>
  close(): Promise<void>
}

/** A local merchant webhook endpoint that records every request and answers 200. */
export async function webhookEndpoint(): Promise<Hook> {
  const received: Hook['received'] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/tollgate-hooks`, received, close: () => new Promise((r) => server.close(() => r())) }
}

export async function until<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}
