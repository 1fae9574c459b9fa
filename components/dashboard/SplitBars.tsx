import type { Split } from '@/lib/payments/overview'
import { usd } from './format'

export function SplitBars({ rows, labels, empty }: { rows: Split[]; labels: Record<string, string>; empty: string }) {
  const total = rows.reduce((sum, r) => sum + r.payments, 0)
  if (total === 0)
    return (
      <p className="muted" style={{ margin: 0, fontSize: '0.9rem' }}>
        {empty}
      </p>
    )
  return (
    <div className="split">
      {rows.map((r) => (
        <div className="split-row" key={r.key}>
          <span>{labels[r.key] ?? r.key}</span>
          <div className="split-track" aria-hidden="true">
            <div className="split-fill" style={{ width: `${Math.round((r.payments / total) * 100)}%` }} />
          </div>
          <span className="num">
            {r.payments} · {usd(r.revenueUsd)}
          </span>
        </div>
      ))}
    </div>
  )
}
