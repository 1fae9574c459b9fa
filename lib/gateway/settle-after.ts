// For 'after-success' service links: which upstream answers the payer pays for. A 5xx is the upstream
// failing; 401, 403 and 407 mean the merchant's own key was refused (payers cannot send credentials
// through the gateway); 429 is the merchant's upstream quota. None of those is the payer's doing.
// Every other answer, a 4xx about the payer's own request included, is a call that was served.

const notThePayers = new Set([401, 403, 407, 429])

/** True when an after-success call settles on this upstream status; false: release the claim, charge nothing. */
export function settlesAfterAnswer(status: number): boolean {
  return status >= 200 && status < 500 && !notThePayers.has(status)
}
