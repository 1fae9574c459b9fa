// ABNF rules of the Payment scheme (draft-httpauth-payment, "ABNF Collected") and RFC 9110.

/** payment-method-id = 1*LOWERALPHA */
export const methodId = /^[a-z]+$/
/** intent-token = 1*( ALPHA / DIGIT / "-" ) */
export const intentToken = /^[A-Za-z0-9-]+$/
/** RFC 9110 token = 1*tchar */
export const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** base64url-nopad = 1*( ALPHA / DIGIT / "-" / "_" ) */
export const base64urlNopad = /^[A-Za-z0-9_-]+$/
/** Characters that can never appear in a header field value (all CTLs except HTAB). */
export const forbiddenInFieldValue = /[\u0000-\u0008\u000A-\u001F\u007F]/
/** A UTF-16 string that cannot be encoded as UTF-8. */
export const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** tchar of RFC 9110 §5.6.2, by character code. */
export function isTchar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    "!#$%&'*+-.^_`|~".includes(String.fromCharCode(code))
  )
}

/** Whether `value` is a plain JSON object (not null, not an array, not a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}
