// The payments filters: a plain GET form, so filtering works without client JavaScript.
import Link from 'next/link'
import type { PaymentFilters } from '@/lib/payments/filters'
import { protocolLabel, railLabel } from './format'

export function PaymentsFilters({ filters, links }: { filters: PaymentFilters; links: Array<{ id: string; title: string }> }) {
  return (
    <form className="filters panel" method="get" action="/dashboard/payments" aria-label="Filter payments">
      <label className="field">
        <span>Link</span>
        <select className="input" name="link" defaultValue={filters.linkId ?? ''}>
          <option value="">All links</option>
          {links.map((l) => (
            <option key={l.id} value={l.id}>
              {l.title}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Rail</span>
        <select className="input" name="rail" defaultValue={filters.rail ?? ''}>
          <option value="">Any</option>
          {Object.entries(railLabel).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Protocol</span>
        <select className="input" name="protocol" defaultValue={filters.protocol ?? ''}>
          <option value="">Any</option>
          {Object.entries(protocolLabel).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Status</span>
        <select className="input" name="status" defaultValue={filters.status ?? ''}>
          <option value="">Any</option>
          <option value="succeeded">Succeeded</option>
          <option value="refunded">Refunded</option>
        </select>
      </label>
      <label className="field">
        <span>From</span>
        <input className="input" type="date" name="from" defaultValue={filters.from ?? ''} />
      </label>
      <label className="field">
        <span>To</span>
        <input className="input" type="date" name="to" defaultValue={filters.to ?? ''} />
      </label>
      <div className="actions">
        <button className="btn primary" type="submit">
          Apply
        </button>
        <Link className="btn" href="/dashboard/payments">
          Reset
        </Link>
      </div>
    </form>
  )
}
