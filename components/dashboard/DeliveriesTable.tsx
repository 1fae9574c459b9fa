import Link from 'next/link'
import type { DeliveryRow } from '@/lib/webhooks/deliveries'
import { ActionButton } from './ActionButton'
import { DeliveryStatusBadge } from './Badges'
import { when } from './format'

export function DeliveriesTable({ deliveries }: { deliveries: DeliveryRow[] }) {
  return (
    <div className="table-wrap">
      <table className="data stack" data-testid="deliveries-table">
        <thead>
          <tr>
            <th>Event</th>
            <th>Status</th>
            <th className="num">Attempts</th>
            <th>Last response</th>
            <th>Next / delivered</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} data-delivery-id={d.id}>
              <td className="primary-cell">
                <strong>{d.eventType}</strong>
                <span className="sub">
                  {d.paymentId ? (
                    <Link href={`/dashboard/payments/${d.paymentId}`} className="mono">
                      {d.paymentId}
                    </Link>
                  ) : null}
                  {' · '}
                  {when(d.createdAt)}
                </span>
              </td>
              <td data-label="Status">
                <DeliveryStatusBadge status={d.status} attempts={d.attempts} />
              </td>
              <td className="num" data-label="Attempts">
                {d.attempts}
              </td>
              <td data-label="Last response">{d.lastError ?? (d.lastResponseStatus ? `HTTP ${d.lastResponseStatus}` : '—')}</td>
              <td data-label="Next / delivered">
                {d.status === 'delivered' ? when(d.deliveredAt) : d.status === 'pending' ? when(d.nextAttemptAt) : 'Gave up'}
              </td>
              <td data-label="">
                <ActionButton
                  url={`/api/dashboard/webhook/deliveries/${d.id}/resend`}
                  label="Resend"
                  pendingLabel="Sending…"
                  small
                  testId="resend-delivery"
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
