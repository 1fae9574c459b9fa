// MPP payment intents (mpp-specs specs/intents): what kind of payment a challenge asks for.

/** One payment for one request (draft-payment-intent-charge-00). */
export const charge = 'charge'
/** A payment channel paid by cumulative vouchers, per unit consumed (draft-evm-session-00). */
export const session = 'session'

export type Intent = typeof charge | typeof session
