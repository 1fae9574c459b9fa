// A link's (or a merchant's) session channels: who pays, what they deposited and spent, what reached the
// chain, when they last paid, and "Settle now" / "Close" for the open ones.
import type { ChannelRow } from '@/lib/channels'
import { ActionButton } from './ActionButton'
import { ChannelStatusBadge } from './Badges'
import { shortHex, usd, when } from './format'

export function ChannelsTable({ channels }: { channels: ChannelRow[] }) {
  return (
    <div className="table-wrap">
      <table className="data stack" data-testid="channels-table">
        <thead>
          <tr>
            <th>Payer</th>
            <th>Status</th>
            <th className="num">Deposit</th>
            <th className="num">Accepted</th>
            <th className="num">Spent</th>
            <th className="num">Settled on chain</th>
            <th>Last voucher</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {channels.map((c) => (
            <tr key={c.channelId} data-channel-id={c.channelId}>
              <td className="primary-cell">
                <span className="mono" title={c.payer}>
                  {shortHex(c.payer)}
                </span>
                <span className="sub mono" title={c.channelId}>
                  channel {shortHex(c.channelId, 10, 6)}
                </span>
              </td>
              <td data-label="Status">
                <ChannelStatusBadge status={c.status} />
              </td>
              <td className="num" data-label="Deposit">
                {usd(c.depositUsd)}
              </td>
              <td className="num" data-label="Accepted">
                {usd(c.acceptedUsd)}
              </td>
              <td className="num" data-label="Spent">
                <strong>{usd(c.spentUsd)}</strong>
              </td>
              <td className="num" data-label="Settled on chain">
                {usd(c.settledUsd)}
              </td>
              <td data-label="Last voucher" style={{ whiteSpace: 'nowrap' }}>
                {when(c.lastVoucherAt)}
              </td>
              <td data-label="Actions">
                {c.status === 'open' || c.status === 'close-requested' ? (
                  <span className="actions">
                    <ActionButton
                      url={`/api/dashboard/channels/${c.channelId}/settle`}
                      label="Settle now"
                      pendingLabel="Settling…"
                      small
                      testId="settle-channel"
                    />
                    {c.status === 'open' ? (
                      <ActionButton
                        url={`/api/dashboard/channels/${c.channelId}/close`}
                        label="Close"
                        pendingLabel="Closing…"
                        small
                        variant="danger"
                        confirm="Close this channel? You receive what its vouchers accepted; the payer gets the rest of the deposit back now."
                        testId="close-channel"
                      />
                    ) : null}
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
