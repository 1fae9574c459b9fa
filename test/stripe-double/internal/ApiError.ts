// Errors shaped like Stripe's: HTTP status + `{ error: { type, code?, decline_code?, message, param?, doc_url?, payment_intent? } }`.

export type ErrorBody = {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error'
  message: string
  code?: string
  decline_code?: string
  param?: string
  doc_url?: string
  payment_intent?: unknown
  payment_method?: unknown
}

export class ApiError extends Error {
  override name = 'ApiError'
  readonly status: number
  readonly body: ErrorBody
  /** Stripe saves an idempotent result only once the endpoint began executing (not for validation errors). */
  readonly replayable: boolean

  constructor(status: number, body: ErrorBody, options: { replayable?: boolean } = {}) {
    super(body.message)
    this.status = status
    this.body = body
    this.replayable = options.replayable ?? false
  }

  toJSON(): { error: ErrorBody } {
    return { error: this.body }
  }
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`
}

export function invalidRequest(message: string, options: { code?: string; param?: string; status?: number } = {}): ApiError {
  const { code, param, status = 400 } = options
  return new ApiError(status, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code, doc_url: docUrl(code) } : {}),
    ...(param ? { param } : {}),
  })
}

export function missingApiKey(): ApiError {
  return new ApiError(401, {
    type: 'invalid_request_error',
    message:
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
  })
}

export function invalidApiKey(key: string): ApiError {
  // Stripe masks all but the last four characters of a rejected key.
  const masked = key.length > 4 ? `${key.slice(0, key.indexOf('_', 3) + 1)}${'*'.repeat(4)}${key.slice(-4)}` : '****'
  return new ApiError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${masked}` })
}

export function publishableKeyNotAllowed(): ApiError {
  return new ApiError(401, {
    type: 'invalid_request_error',
    message:
      'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.',
  })
}

/** 404 when the URL names a missing object; 400 when a parameter does. */
export function resourceMissing(kind: string, id: string, param: string, status: 400 | 404 = 404): ApiError {
  return invalidRequest(`No such ${kind}: '${id}'`, { code: 'resource_missing', param, status })
}

export function unknownParameter(name: string): ApiError {
  return invalidRequest(`Received unknown parameter: ${name}`, { code: 'parameter_unknown', param: name })
}

export function missingParameter(name: string): ApiError {
  return invalidRequest(`Missing required param: ${name}.`, { code: 'parameter_missing', param: name })
}

export function idempotencyMismatch(key: string): ApiError {
  return new ApiError(400, {
    type: 'idempotency_error',
    message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  })
}

export function idempotencyEndpointMismatch(key: string, first: string, now: string): ApiError {
  return new ApiError(400, {
    type: 'idempotency_error',
    message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${first}' vs '${now}'). Try using a key other than '${key}' if you meant to execute a different request.`,
  })
}

export function cardError(
  code: string,
  declineCode: string | undefined,
  message: string,
  extra: Pick<ErrorBody, 'payment_intent' | 'payment_method'>,
): ApiError {
  return new ApiError(
    402,
    { type: 'card_error', code, ...(declineCode ? { decline_code: declineCode } : {}), message, doc_url: docUrl(code), ...extra },
    { replayable: true },
  )
}

export function notFound(path: string): ApiError {
  return invalidRequest(
    `Unrecognized request URL (${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    { status: 404 },
  )
}
