// Loading placeholders shown while a page's data streams in (after its access checks ran).

export function StatsSkeleton() {
  return (
    <div className="stats" aria-hidden="true">
      {[0, 1, 2, 3].map((i) => (
        <div key={i} className="skeleton" style={{ height: 92 }} />
      ))}
    </div>
  )
}

export function PanelSkeleton({ height = 260, label = 'Loading' }: { height?: number; label?: string }) {
  return <div className="skeleton" style={{ height, marginBottom: 16 }} role="status" aria-label={label} />
}
