// Sign-In with Ethereum (EIP-4361): check every field of the message against this server, check
// the signature (EOA offline, smart-contract wallets through the chain), spend the nonce, and
// open a session. The first sign-in of an address creates its merchant.
import { createPublicClient, getAddress, http, isAddress, recoverMessageAddress, type Address, type Hex } from 'viem'
import { parseSiweMessage, validateSiweMessage, verifySiweMessage } from 'viem/siwe'
import { ensureMerchant } from '@/lib/merchants/ensure-merchant'
import type { Db } from '@/lib/store/db'
import type { Merchant } from '@/lib/store/merchants'
import type { AuthConfig } from './config'
import { SignInRefusedError } from './errors'
import { consumeNonce } from './nonces'
import * as SessionCookie from './session-cookie'
import { createSession } from './sessions'

export type SignInInput = { message: string; signature: string }
export type SignInResult = { merchant: Merchant; cookie: string; expiresAt: Date }

/** Clocks of wallets and servers disagree a little; a message "issued" up to this far ahead is fine. */
const CLOCK_SKEW_MS = 5 * 60_000
const MAX_MESSAGE_LENGTH = 4096

export async function signIn(db: Db, config: AuthConfig, input: unknown, now: Date = new Date()): Promise<SignInResult> {
  const { message, signature } = parseInput(input)
  const fields = parseSiweMessage(message)
  if (!fields.address || !fields.domain || !fields.uri || !fields.nonce || fields.version !== '1' || !fields.chainId)
    throw new SignInRefusedError('invalid_message', 'not a complete EIP-4361 sign-in message')
  if (!isAddress(fields.address, { strict: false }))
    throw new SignInRefusedError('invalid_message', 'the message address is not an EVM address')
  const address = getAddress(fields.address)

  if (fields.domain !== config.publicUrl.host)
    throw new SignInRefusedError(
      'wrong_domain',
      `the message is for "${fields.domain.slice(0, 100)}", not ${config.publicUrl.host}; sign in at ${config.publicUrl.origin}`,
    )
  if (!URL.canParse(fields.uri) || new URL(fields.uri).origin !== config.publicUrl.origin)
    throw new SignInRefusedError('wrong_uri', `the message URI must be on ${config.publicUrl.origin}`)
  if (fields.scheme !== undefined && `${fields.scheme}:` !== config.publicUrl.protocol)
    throw new SignInRefusedError('wrong_uri', `the message scheme must be ${config.publicUrl.protocol.slice(0, -1)}`)
  if (fields.chainId !== config.chainId)
    throw new SignInRefusedError('wrong_chain', `sign in on chain ${config.chainId}, not ${fields.chainId}`)
  if (fields.expirationTime && fields.expirationTime.getTime() <= now.getTime())
    throw new SignInRefusedError('message_expired', 'the sign-in message has expired; sign a new one')
  if (fields.notBefore && fields.notBefore.getTime() > now.getTime() + CLOCK_SKEW_MS)
    throw new SignInRefusedError('message_not_yet_valid', 'the sign-in message is not valid yet')
  if (fields.issuedAt && fields.issuedAt.getTime() > now.getTime() + CLOCK_SKEW_MS)
    throw new SignInRefusedError('message_not_yet_valid', 'the sign-in message was issued in the future')
  // viem's own checks as a final guard; everything it tests was checked above with a precise reason.
  if (!validateSiweMessage({ message: fields, domain: config.publicUrl.host, time: now }))
    throw new SignInRefusedError('invalid_message', 'the sign-in message is not valid')

  if (!(await signatureMatches(config, message, address, signature)))
    throw new SignInRefusedError('invalid_signature', 'the signature does not match the message and address')
  if (config.allowedMerchants && !config.allowedMerchants.has(address))
    throw new SignInRefusedError('merchant_not_allowed', 'this address is not allowed to sign in here')
  // Spent last: only a sign-in that passed every other check uses the nonce up, and only one can.
  if (!(await consumeNonce(db, fields.nonce, now)))
    throw new SignInRefusedError('invalid_nonce', 'the nonce is unknown, expired or already used; start the sign-in again')

  const merchant = await ensureMerchant(db, address)
  const token = await createSession(db, merchant.id, config.sessionTtlSeconds, now)
  const cookie = SessionCookie.serialize({
    value: SessionCookie.sign(config.sessionKey, token),
    secure: config.secureCookies,
    maxAgeSeconds: (token.expiresAt.getTime() - now.getTime()) / 1000,
  })
  return { merchant, cookie, expiresAt: token.expiresAt }
}

function parseInput(input: unknown): { message: string; signature: Hex } {
  const { message, signature } = (input ?? {}) as { message?: unknown; signature?: unknown }
  if (typeof message !== 'string' || message.length === 0 || message.length > MAX_MESSAGE_LENGTH)
    throw new SignInRefusedError('invalid_message', 'message must be the EIP-4361 text that was signed')
  if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]{2,20000}$/.test(signature))
    throw new SignInRefusedError('invalid_message', 'signature must be 0x-prefixed hex')
  return { message, signature: signature as Hex }
}

/** An EOA signature is recovered locally; anything else (smart-contract wallets) asks the chain. */
async function signatureMatches(config: AuthConfig, message: string, address: Address, signature: Hex): Promise<boolean> {
  if (signature.length === 132) {
    try {
      if ((await recoverMessageAddress({ message, signature })) === address) return true
    } catch {
      // not a recoverable ECDSA signature; a contract wallet may still accept it
    }
  }
  if (!config.rpcUrl) return false
  const client = createPublicClient({ transport: http(config.rpcUrl) })
  try {
    return await verifySiweMessage(client, { message, signature, address })
  } catch {
    return false
  }
}
