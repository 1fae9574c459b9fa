// After a charge the server did not unlock at once (e.g. the challenge lapsed during 3-D Secure),
// Stripe's webhook still records the payment under the receipt id the page already knows.
const pollMs = 1_500

/** Resolves true once /receipts/{id} exists, false after `timeoutMs`. */
export async function waitForReceipt(receiptUrl: string, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const response = await fetch(receiptUrl, { method: 'HEAD', cache: 'no-store', credentials: 'same-origin' }).catch(() => null)
    if (response?.ok) return true
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  return false
}
