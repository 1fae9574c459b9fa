// A fetch that remembers the payment headers it sent, so tests can count credentials and look for them in logs.
export type SentCredential = { url: string; header: 'authorization' | 'payment-signature'; value: string }

export function recordingFetch(): { fetch: typeof fetch; sent: SentCredential[] } {
  const sent: SentCredential[] = []
  const recording: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    for (const header of ['authorization', 'payment-signature'] as const) {
      const value = request.headers.get(header)
      if (value) sent.push({ url: request.url, header, value })
    }
    return fetch(input, init)
  }
  return { fetch: recording, sent }
}
