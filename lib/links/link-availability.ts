import type { Link } from '@/lib/store/links'

/** Whether a link can be paid now. The gate answers 404/410 for anything but 'ok'. */
export type LinkAvailability = 'ok' | 'inactive' | 'expired' | 'sold-out'

/** Checked in this order, so a deactivated link reads as inactive even when also expired. */
export function linkAvailability(
  link: Pick<Link, 'active' | 'expiresAt' | 'maxPayments'>,
  paymentsCount: number,
  now: Date = new Date(),
): LinkAvailability {
  if (!link.active) return 'inactive'
  if (link.expiresAt && link.expiresAt.getTime() <= now.getTime()) return 'expired'
  if (link.maxPayments != null && paymentsCount >= link.maxPayments) return 'sold-out'
  return 'ok'
}
