// x402 v2 over HTTP (coinbase/x402 specs/transports-v2/http.md): each header carries base64 JSON.
// None of them collides with MPP's WWW-Authenticate / Authorization / Payment-Receipt, so one
// 402 can offer both protocols.

/** Server -> client on a 402: base64 `PaymentRequired`. */
export const paymentRequired = 'PAYMENT-REQUIRED'
/** Client -> server on the retry: base64 `PaymentPayload`. */
export const paymentSignature = 'PAYMENT-SIGNATURE'
/** Server -> client once settled (or on a settlement failure): base64 `SettlementResponse`. */
export const paymentResponse = 'PAYMENT-RESPONSE'

/** The protocol version these codecs speak. */
export const x402Version = 2
