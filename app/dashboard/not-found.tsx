import Link from 'next/link'
import { EmptyState } from '@/components/dashboard/EmptyState'

export default function DashboardNotFound() {
  return (
    <div className="panel">
      <EmptyState
        icon="?"
        title="Not found"
        action={
          <Link className="btn primary" href="/dashboard">
            Back to the overview
          </Link>
        }
      >
        There is nothing here, or it belongs to another account.
      </EmptyState>
    </div>
  )
}
