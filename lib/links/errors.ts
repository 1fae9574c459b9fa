// The one error family of links, merchants and files. Each carries the HTTP status and a stable
// machine code, so a single function at the route boundary can turn any of them into a response.
import type { z } from 'zod'

export type LinkErrorCode = 'invalid_input' | 'not_found' | 'slug_taken' | 'link_has_payments' | 'file_too_large'

export class LinkError extends Error {
  override name = 'LinkError'
  readonly status: number
  readonly code: LinkErrorCode
  constructor(message: string, options: { status: number; code: LinkErrorCode; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.status = options.status
    this.code = options.code
  }

  /** The body a route can send as-is: nothing internal, nothing the caller did not send. */
  toJSON(): { code: LinkErrorCode; message: string } {
    return { code: this.code, message: this.message }
  }
}

export type InputIssue = { path: string; message: string }

export class InvalidInputError extends LinkError {
  override name = 'InvalidInputError'
  readonly issues: InputIssue[]
  constructor(issues: InputIssue[]) {
    const first = issues[0]
    super(first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid input', { status: 400, code: 'invalid_input' })
    this.issues = issues
  }

  static fromZod(error: z.ZodError): InvalidInputError {
    return new InvalidInputError(error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })))
  }

  override toJSON(): { code: LinkErrorCode; message: string; issues: InputIssue[] } {
    return { ...super.toJSON(), issues: this.issues }
  }
}

/** Also what another merchant's ids give: the caller cannot tell "not yours" from "does not exist". */
export class NotFoundError extends LinkError {
  override name = 'NotFoundError'
  readonly resource: 'link' | 'file' | 'merchant'
  constructor(resource: 'link' | 'file' | 'merchant') {
    super(`${resource} not found`, { status: 404, code: 'not_found' })
    this.resource = resource
  }
}

export class SlugTakenError extends LinkError {
  override name = 'SlugTakenError'
  constructor(slug: string) {
    super(`the slug "${slug}" is already taken: by another link, or by a renamed or deleted link (old slugs stay with their merchant)`, {
      status: 409,
      code: 'slug_taken',
    })
  }
}

export class LinkHasPaymentsError extends LinkError {
  override name = 'LinkHasPaymentsError'
  constructor() {
    super('a link with payments cannot be deleted; deactivate it instead', { status: 409, code: 'link_has_payments' })
  }
}

export class FileTooLargeError extends LinkError {
  override name = 'FileTooLargeError'
  constructor(maxBytes: number) {
    super(`files can be at most ${Math.floor(maxBytes / (1024 * 1024))} MB`, { status: 413, code: 'file_too_large' })
  }
}
