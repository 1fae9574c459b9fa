// Failures of links (and the files and merchants behind them), as application errors (lib/errors).
import { AppError } from '@/lib/errors/app-error'

export { FileTooLargeError, InvalidInputError, NotFoundError, type InputIssue } from '@/lib/errors/app-error'

export class SlugTakenError extends AppError {
  override name = 'SlugTakenError'
  constructor(slug: string) {
    super(
      'slug_taken',
      `the slug "${slug}" is already taken: by another link, or by a renamed or deleted link (old slugs stay with their merchant)`,
    )
  }
}

export class LinkHasPaymentsError extends AppError {
  override name = 'LinkHasPaymentsError'
  constructor() {
    super('link_has_payments', 'a link with payments cannot be deleted; deactivate it instead')
  }
}
