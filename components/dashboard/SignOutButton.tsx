'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'

export function SignOutButton() {
  const router = useRouter()
  const [pending, setPending] = useState(false)
  return (
    <button
      type="button"
      className="btn small"
      disabled={pending}
      onClick={async () => {
        setPending(true)
        await fetch('/api/dashboard/auth/signout', { method: 'POST' }).catch(() => {})
        router.replace('/signin')
        router.refresh()
      }}
    >
      {pending ? 'Signing out…' : 'Sign out'}
    </button>
  )
}
