import Link from 'next/link'
import * as Links from '@/lib/links'
import { LinkStatusBadge } from './Badges'
import { railLabel, usd } from './format'

export function LinksTable({ links }: { links: Links.LinkWithStats[] }) {
  return (
    <div className="table-wrap">
      <table className="data stack" data-testid="links-table">
        <thead>
          <tr>
            <th>Link</th>
            <th className="num">Price</th>
            <th>Status</th>
            <th>Rails</th>
            <th className="num">Payments</th>
            <th className="num">Revenue</th>
          </tr>
        </thead>
        <tbody>
          {links.map((link) => (
            <tr key={link.id} data-link-id={link.id}>
              <td className="primary-cell">
                <Link className="row-link" href={`/dashboard/links/${link.id}`}>
                  {link.title}
                </Link>
                <span className="sub mono">/l/{link.slug}</span>
              </td>
              <td className="num" data-label="Price">
                {usd(link.priceUsd)}
              </td>
              <td data-label="Status">
                <LinkStatusBadge status={Links.linkAvailability(link, link.paymentsCount)} />
              </td>
              <td data-label="Rails">
                <span className="cell tags">
                  {link.rails.map((r) => (
                    <span key={r} className="tag" aria-hidden="true">
                      {r === 'evm' ? 'USDC' : 'Card'}
                    </span>
                  ))}
                  {link.session ? (
                    <span className="tag" aria-hidden="true">
                      Session
                    </span>
                  ) : null}
                  <span className="sr-only">
                    {[...link.rails.map((r) => railLabel[r]), ...(link.session ? ['Session (per request)'] : [])].join(', ')}
                  </span>
                </span>
              </td>
              <td className="num" data-label="Payments">
                {link.paymentsCount}
                {link.maxPayments ? <span className="muted"> / {link.maxPayments}</span> : null}
              </td>
              <td className="num" data-label="Revenue">
                <strong>{usd(link.revenueUsd)}</strong>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
