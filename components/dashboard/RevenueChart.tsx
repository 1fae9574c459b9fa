// Revenue per day as a server-rendered SVG bar chart: no chart library, no client JavaScript.
import type { DayRevenue } from '@/lib/payments/overview'
import { day as formatDay, usd } from './format'

type Frame = { width: number; height: number; labels: number; className: string }

// Two drawings of one chart: CSS shows the narrow one on phones, where the wide one's labels would shrink to specks.
const wide: Frame = { width: 720, height: 220, labels: 6, className: 'chart-wide' }
const narrow: Frame = { width: 340, height: 200, labels: 3, className: 'chart-narrow' }
const PAD = { top: 12, right: 8, bottom: 26, left: 52 }

export function RevenueChart({ data }: { data: DayRevenue[] }) {
  const total = data.reduce((sum, d) => sum + Number(d.revenueUsd), 0)
  return (
    <figure className="chart" style={{ margin: 0 }}>
      <Bars data={data} frame={wide} />
      <Bars data={data} frame={narrow} />
      {total === 0 ? (
        <figcaption className="muted" style={{ fontSize: '0.85rem', marginTop: 6 }}>
          No revenue in this period yet.
        </figcaption>
      ) : null}
    </figure>
  )
}

function Bars({ data, frame }: { data: DayRevenue[]; frame: Frame }) {
  const { width: WIDTH, height: HEIGHT } = frame
  const values = data.map((d) => Number(d.revenueUsd))
  const max = niceMax(Math.max(0, ...values))
  const plotW = WIDTH - PAD.left - PAD.right
  const plotH = HEIGHT - PAD.top - PAD.bottom
  const slot = plotW / Math.max(data.length, 1)
  const barW = Math.max(2, slot * 0.68)
  const ticks = [0, 0.5, 1].map((f) => f * max)
  const labelEvery = Math.ceil(data.length / frame.labels)

  return (
    <svg
      className={frame.className}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Revenue per day over the last ${data.length} days`}
    >
      {ticks.map((t) => {
        const y = PAD.top + plotH - (max === 0 ? 0 : (t / max) * plotH)
        return (
          <g key={t}>
            <line className="grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} />
            <text x={PAD.left - 8} y={y + 4} textAnchor="end">
              {usd(trimNumber(t))}
            </text>
          </g>
        )
      })}
      {data.map((d, i) => {
        const v = values[i]!
        const h = max === 0 ? 0 : (v / max) * plotH
        const x = PAD.left + i * slot + (slot - barW) / 2
        // The last day is always labelled; a periodic label too close to it is dropped so the two never overlap.
        const labelled = i === data.length - 1 || (i % labelEvery === 0 && data.length - 1 - i >= labelEvery / 2)
        return (
          <g key={d.day}>
            <rect
              className={v > 0 ? 'bar' : 'bar-empty'}
              x={x}
              y={PAD.top + plotH - Math.max(h, 2)}
              width={barW}
              height={Math.max(h, 2)}
              rx={Math.min(2, barW / 2)}
            >
              <title>{`${formatDay(d.day)}: ${usd(d.revenueUsd)} from ${d.payments} payment${d.payments === 1 ? '' : 's'}`}</title>
            </rect>
            {labelled ? (
              <text x={Math.min(Math.max(x + barW / 2, PAD.left + 14), WIDTH - 18)} y={HEIGHT - 8} textAnchor="middle">
                {formatDay(d.day)}
              </text>
            ) : null}
          </g>
        )
      })}
    </svg>
  )
}

/** A round axis maximum: 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (value <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power
  return 10 * power
}

function trimNumber(n: number): string {
  return n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')
}
