import Link from 'next/link'
import type { PaymentRow } from '@/lib/payments/list-payments'
import { PaymentStatusBadge } from './Badges'
import { protocolLabel, railLabel, shortHex, usd, when } from './format'

export function PaymentsTable({ payments }: { payments: PaymentRow[] }) {
  return (
    <div className="table-wrap">
      <table className="data stack" data-testid="payments-table">
        <thead>
          <tr>
            <th>Payment</th>
            <th className="num">Amount</th>
            <th>Status</th>
            <th>Rail</th>
            <th>Payer</th>
            <th>Reference</th>
            <th>Date</th>
          </tr>
        </thead>
        <tbody>
          {payments.map((p) => (
            <tr key={p.id} data-payment-id={p.id}>
              <td className="primary-cell">
                <Link className="row-link" href={`/dashboard/payments/${p.id}`}>
                  {p.linkTitle ?? p.resourceKey}
                </Link>
                <span className="sub mono">{p.id}</span>
              </td>
              <td className="num" data-label="Amount">
                <strong>{usd(p.amountUsd)}</strong>
              </td>
              <td data-label="Status">
                <PaymentStatusBadge status={p.status} />
              </td>
              <td data-label="Rail">
                <span className="cell">
                  <span className="tag">{railLabel[p.method] ?? p.method}</span>
                  <span className="sub">{protocolLabel[p.protocol] ?? p.protocol}</span>
                </span>
              </td>
              <td data-label="Payer" className="mono" title={p.payer ?? undefined}>
                {p.payer ? shortHex(p.payer) : '—'}
              </td>
              <td data-label="Reference" className="mono" title={p.reference}>
                {shortHex(p.reference, 10, 6)}
              </td>
              <td data-label="Date" style={{ whiteSpace: 'nowrap' }}>
                {when(p.createdAt)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
