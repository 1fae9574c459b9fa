'use client'
// One button for every dashboard mutation: confirm, call the API, show errors, then refresh or go.
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'

type Props = {
  url: string
  method?: 'POST' | 'PATCH' | 'DELETE' | 'PUT'
  body?: unknown
  label: string
  pendingLabel?: string
  confirm?: string
  variant?: 'primary' | 'danger' | 'default'
  small?: boolean
  /** Where to go afterwards; by default the page re-renders with fresh data. */
  redirectTo?: string
  testId?: string
}

export function ActionButton({
  url,
  method = 'POST',
  body,
  label,
  pendingLabel,
  confirm,
  variant = 'default',
  small,
  redirectTo,
  testId,
}: Props) {
  const router = useRouter()
  const [busy, setBusy] = useState(false)
  const [refreshing, startTransition] = useTransition()
  const [error, setError] = useState<string | null>(null)
  const pending = busy || refreshing

  async function run() {
    if (confirm && !window.confirm(confirm)) return
    setBusy(true)
    setError(null)
    try {
      const response = await fetch(url, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      if (response.status === 401) return router.push(`/signin?next=${encodeURIComponent(window.location.pathname)}`)
      if (!response.ok) {
        const data = (await response.json().catch(() => null)) as { error?: { message?: string } } | null
        setError(data?.error?.message ?? `Request failed (${response.status})`)
        return
      }
      startTransition(() => {
        if (redirectTo) router.push(redirectTo)
        router.refresh()
      })
    } catch {
      setError('Network error: check your connection and try again.')
    } finally {
      setBusy(false)
    }
  }

  return (
    <span style={{ display: 'inline-flex', flexDirection: 'column', gap: 4, alignItems: 'flex-start' }}>
      <button
        type="button"
        className={`btn${variant === 'default' ? '' : ` ${variant}`}${small ? ' small' : ''}`}
        disabled={pending}
        onClick={run}
        data-testid={testId}
      >
        {pending ? (pendingLabel ?? 'Working…') : label}
      </button>
      {error ? (
        <span role="alert" className="error" style={{ color: 'var(--danger)', fontSize: '0.82rem', maxWidth: 320 }}>
          {error}
        </span>
      ) : null}
    </span>
  )
}
