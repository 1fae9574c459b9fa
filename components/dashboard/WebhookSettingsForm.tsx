'use client'
import { useRouter } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import { CopyButton } from '@/components/ui/CopyButton'

export function WebhookSettingsForm({ url, secret }: { url: string | null; secret: string | null }) {
  const router = useRouter()
  const [value, setValue] = useState(url ?? '')
  const [saving, setSaving] = useState(false)
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null)
  const [revealed, setRevealed] = useState(false)

  async function save(event: FormEvent) {
    event.preventDefault()
    setSaving(true)
    setMessage(null)
    try {
      const response = await fetch('/api/dashboard/webhook', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: value.trim() || null }),
      })
      if (response.status === 401) return router.push('/signin?next=/dashboard/webhooks')
      const data = await response.json().catch(() => null)
      if (!response.ok) setMessage({ tone: 'error', text: data?.error?.message ?? `Saving failed (${response.status})` })
      else {
        setMessage({
          tone: 'ok',
          text: data.webhook.url ? 'Endpoint saved. New payments will be sent there.' : 'Endpoint removed. No events will be sent.',
        })
        router.refresh()
      }
    } catch {
      setMessage({ tone: 'error', text: 'Network error: check your connection and try again.' })
    } finally {
      setSaving(false)
    }
  }

  return (
    <form onSubmit={save} aria-label="Webhook endpoint" style={{ display: 'grid', gap: 14 }}>
      {message ? (
        <div className={`alert ${message.tone}`} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </div>
      ) : null}
      <label className="field">
        <span>Endpoint URL</span>
        <div className="copy-row">
          <input
            className="input"
            type="url"
            name="webhook-url"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder="https://example.com/hooks/tollgate"
            data-testid="webhook-url"
          />
          <button className="btn primary" type="submit" disabled={saving} data-testid="save-webhook">
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
        <span className="help">We POST payment.succeeded and payment.refunded events here, signed with the secret below.</span>
      </label>
      {secret ? (
        <div className="field">
          <span>Signing secret</span>
          <div className="copy-row">
            <input
              className="input mono"
              readOnly
              value={revealed ? secret : `whsec_${'•'.repeat(24)}`}
              aria-label="Signing secret"
              data-testid="webhook-secret"
            />
            <button type="button" className="btn" onClick={() => setRevealed((r) => !r)}>
              {revealed ? 'Hide' : 'Reveal'}
            </button>
            <CopyButton text={secret} />
          </div>
        </div>
      ) : null}
    </form>
  )
}
