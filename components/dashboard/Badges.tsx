import type { LinkAvailability } from '@/lib/links/link-availability'

const availability: Record<LinkAvailability, { label: string; tone: string }> = {
  ok: { label: 'Active', tone: 'ok' },
  inactive: { label: 'Inactive', tone: 'off' },
  expired: { label: 'Expired', tone: 'warn' },
  'sold-out': { label: 'Sold out', tone: 'info' },
}

export function LinkStatusBadge({ status }: { status: LinkAvailability }) {
  const s = availability[status]
  return <span className={`badge ${s.tone}`}>{s.label}</span>
}

export function PaymentStatusBadge({ status }: { status: 'succeeded' | 'refunded' }) {
  return status === 'succeeded' ? <span className="badge ok">Succeeded</span> : <span className="badge off">Refunded</span>
}

export function DeliveryStatusBadge({ status, attempts }: { status: 'pending' | 'delivered' | 'failed'; attempts: number }) {
  if (status === 'delivered') return <span className="badge ok">Delivered</span>
  if (status === 'failed') return <span className="badge bad">Failed</span>
  return attempts === 0 ? <span className="badge info">Queued</span> : <span className="badge warn">Retrying</span>
}

const channelStatus = {
  open: { label: 'Open', tone: 'ok' },
  closing: { label: 'Closing', tone: 'info' },
  'close-requested': { label: 'Payer closing', tone: 'warn' },
  closed: { label: 'Closed', tone: 'off' },
} as const

export function ChannelStatusBadge({ status }: { status: keyof typeof channelStatus }) {
  const s = channelStatus[status]
  return <span className={`badge ${s.tone}`}>{s.label}</span>
}
