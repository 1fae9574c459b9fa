'use client'
import '@/components/dashboard/dashboard.css'

export default function DashboardError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="panel empty" role="alert">
      <div className="icon" aria-hidden="true">
        !
      </div>
      <h2>This page could not be loaded</h2>
      <p>Something went wrong on our side. Your data is safe; try again in a moment.</p>
      <button type="button" className="btn primary" onClick={reset}>
        Try again
      </button>
    </div>
  )
}
