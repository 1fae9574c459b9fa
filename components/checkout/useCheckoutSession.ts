// The checkout's conversation with the priced URL: fetch its 402 for fresh offers, submit a
// credential, and turn a 2xx into the unlocked resource. Offers are refreshed silently when stale.
import { useCallback, useEffect, useRef, useState } from 'react'
import { isFresh, readOffers, type EvmOffer, type Offers } from '@/lib/checkout/offers'
import type { PaidResult } from '@/lib/checkout/paid-response'

export type SessionState =
  | { phase: 'loading' }
  | { phase: 'ready'; offers: Offers }
  | { phase: 'paid'; result: PaidResult; offers: Offers | null }
  | { phase: 'error'; message: string }

/** A failed submission, as the server explained it (RFC 9457 problem details). */
export type SubmitProblem = { status: number; code: string | null; title: string; detail: string }

export type SubmitOutcome = { ok: true } | { ok: false; problem: SubmitProblem }

export type CheckoutSession = {
  state: SessionState
  /** The current EVM offer, re-fetched first when it would lapse within 30 s. */
  freshEvmOffer(): Promise<EvmOffer>
  /** Sends `Authorization: Payment …` (or the challenge's own header) to the priced URL. */
  submit(credential: string, headerName?: string): Promise<SubmitOutcome>
  reload(): Promise<void>
}

const problemPrefix = 'https://paymentauth.org/problems/'

export function useCheckoutSession(target: string, fallbackFileName: string): CheckoutSession {
  const [state, setState] = useState<SessionState>({ phase: 'loading' })
  const offersRef = useRef<Offers | null>(null)

  const finish = useCallback(
    async (response: Response) => {
      const { readPaidResponse } = await import('@/lib/checkout/paid-response')
      const result = await readPaidResponse(response, fallbackFileName)
      setState({ phase: 'paid', result, offers: offersRef.current })
    },
    [fallbackFileName],
  )

  /** GET the priced URL as a program would: a 402 carries offers; a 2xx means access was already granted. */
  const fetchOffers = useCallback(async (): Promise<Offers | null> => {
    const response = await fetch(target, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' })
    if (response.ok) {
      await finish(response)
      return null
    }
    const offers = readOffers(response.headers.get('www-authenticate'))
    if (response.status !== 402 || offers.all.length === 0) {
      const problem = await readProblem(response)
      throw new Error(problem.detail || `The payment request could not be loaded (HTTP ${response.status}).`)
    }
    offersRef.current = offers
    setState({ phase: 'ready', offers })
    return offers
  }, [target, finish])

  const reload = useCallback(async () => {
    try {
      await fetchOffers()
    } catch (error) {
      setState({ phase: 'error', message: error instanceof Error ? error.message : 'The payment request could not be loaded.' })
    }
  }, [fetchOffers])

  useEffect(() => {
    // Data fetching on mount: the state update happens after the request resolves.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void reload()
  }, [reload])

  const freshEvmOffer = useCallback(async (): Promise<EvmOffer> => {
    const current = offersRef.current?.evm
    if (current && isFresh(current)) return current
    const offers = await fetchOffers()
    if (!offers?.evm) throw new Error('This link no longer offers a wallet payment.')
    return offers.evm
  }, [fetchOffers])

  const submit = useCallback(
    async (credential: string, headerName = 'Authorization'): Promise<SubmitOutcome> => {
      // The code that reads a paid answer loads while the server settles, not after it answered.
      void import('@/lib/checkout/paid-response').catch(() => {})
      let response: Response
      try {
        response = await fetch(target, {
          headers: { [headerName]: credential, accept: 'application/json' },
          cache: 'no-store',
          credentials: 'same-origin',
        })
      } catch {
        return {
          ok: false,
          problem: {
            status: 0,
            code: null,
            title: 'Network error',
            detail: 'The server could not be reached. Check your connection and try again; nothing is charged twice.',
          },
        }
      }
      if (response.ok) {
        await finish(response)
        return { ok: true }
      }
      // Every payment failure carries a fresh challenge: keep it for the next attempt.
      const offers = readOffers(response.headers.get('www-authenticate'))
      if (offers.all.length > 0) {
        offersRef.current = offers
        setState({ phase: 'ready', offers })
      }
      return { ok: false, problem: await readProblem(response) }
    },
    [target, finish],
  )

  return { state, freshEvmOffer, submit, reload }
}

async function readProblem(response: Response): Promise<SubmitProblem> {
  const body = (await response.json().catch(() => null)) as { type?: unknown; title?: unknown; detail?: unknown } | null
  const type = typeof body?.type === 'string' ? body.type : ''
  return {
    status: response.status,
    code: type.startsWith(problemPrefix) ? type.slice(problemPrefix.length) : null,
    title: typeof body?.title === 'string' ? body.title : `HTTP ${response.status}`,
    detail: typeof body?.detail === 'string' ? body.detail : '',
  }
}
