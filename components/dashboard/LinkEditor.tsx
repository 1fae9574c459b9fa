'use client'
// Create or edit a payment link. Validation happens on the server (the link schema); this form
// only shapes the input, uploads a file first when one is chosen, and shows the server's issues.
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useMemo, useState, type FormEvent } from 'react'
import { priceNotices } from '@/lib/links/price-notices'
import type { ServiceResource } from '@/lib/store/schema'
import { checkServiceDraft, initialServiceDraft } from './service-draft'
import { ServiceFields } from './ServiceFields'

export type EditableLink = {
  id: string
  slug: string
  title: string
  description: string
  priceUsd: string
  rails: Array<'evm' | 'stripe'>
  /** Sold per unit over `evm`/`session` payment channels too (or only, with no rails). */
  session: { unitType: string; suggestedDepositUsd: string | null } | null
  recipient: string
  resource:
    | { kind: 'inline'; contentType: 'text/plain' | 'application/json'; body: string }
    | { kind: 'file'; fileId: string }
    | { kind: 'redirect' | 'proxy'; url: string }
    | ServiceResource
  accessPolicy: { kind: 'once' } | { kind: 'window'; minutes: number }
  maxPayments: number | null
  expiresAt: string | null
  active: boolean
  /** Sold as an MCP tool at /mcp when set (description '' and inputSchema null: derived from the link). */
  mcpTool: { name: string; description: string; inputSchema: Record<string, unknown> | null } | null
}

type Props = {
  link: EditableLink | null
  merchantAddress: string
  stripeEnabled: boolean
  files: Array<{ id: string; name: string; size: number }>
  maxFileBytes: number
  /** The smallest price the server settles on chain itself (null: the EVM rail is off). */
  minSettlementUsd: string | null
  /** The account session channels pay (the server's settlement account); null: this server sells no sessions. */
  sessionPayee: string | null
}

type Issue = { path: string; message: string }

export function LinkEditor({ link, merchantAddress, stripeEnabled, files, maxFileBytes, minSettlementUsd, sessionPayee }: Props) {
  const router = useRouter()
  const initialExpiry = useMemo(() => (link?.expiresAt ? toLocalInput(link.expiresAt) : ''), [link])
  const [title, setTitle] = useState(link?.title ?? '')
  const [description, setDescription] = useState(link?.description ?? '')
  const [price, setPrice] = useState(link?.priceUsd ?? '')
  const [rails, setRails] = useState<Array<'evm' | 'stripe'>>(link?.rails ?? ['evm'])
  const [recipient, setRecipient] = useState(link?.recipient ?? merchantAddress)
  const [sellsSession, setSellsSession] = useState(Boolean(link?.session))
  const [unitType, setUnitType] = useState(link?.session?.unitType ?? 'request')
  const [suggestedDeposit, setSuggestedDeposit] = useState(link?.session?.suggestedDepositUsd ?? '')
  const sessionRecipientMismatch = sellsSession && sessionPayee !== null && recipient.trim().toLowerCase() !== sessionPayee.toLowerCase()
  const [kind, setKind] = useState<EditableLink['resource']['kind']>(link?.resource.kind ?? 'inline')
  const [contentType, setContentType] = useState<'text/plain' | 'application/json'>(
    link?.resource.kind === 'inline' ? link.resource.contentType : 'text/plain',
  )
  const [body, setBody] = useState(link?.resource.kind === 'inline' ? link.resource.body : '')
  const [url, setUrl] = useState(link && (link.resource.kind === 'redirect' || link.resource.kind === 'proxy') ? link.resource.url : '')
  const [fileId, setFileId] = useState(link?.resource.kind === 'file' ? link.resource.fileId : (files[0]?.id ?? ''))
  const storedSecret = link?.resource.kind === 'service' ? link.resource.secretHeader : null
  const [service, setService] = useState(() => initialServiceDraft(link?.resource.kind === 'service' ? link.resource : null))
  const [upload, setUpload] = useState<File | null>(null)
  const [access, setAccess] = useState<'once' | 'window'>(link?.accessPolicy.kind ?? 'window')
  const [minutes, setMinutes] = useState(String(link?.accessPolicy.kind === 'window' ? link.accessPolicy.minutes : 60))
  const [maxPayments, setMaxPayments] = useState(link?.maxPayments ? String(link.maxPayments) : '')
  const [expiresAt, setExpiresAt] = useState(initialExpiry)
  const [slug, setSlug] = useState(link?.slug ?? '')
  const [active, setActive] = useState(link?.active ?? true)
  const [asTool, setAsTool] = useState(link?.mcpTool != null)
  const [toolName, setToolName] = useState(link?.mcpTool?.name ?? '')
  const [toolDescription, setToolDescription] = useState(link?.mcpTool?.description ?? '')
  const [toolSchema, setToolSchema] = useState(link?.mcpTool?.inputSchema ? JSON.stringify(link.mcpTool.inputSchema, null, 2) : '')
  const [issues, setIssues] = useState<Issue[]>([])
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)

  const priceNotice = priceNotices({ priceUsd: price.trim(), rails }, minSettlementUsd)[0]?.message
  const issueFor = (path: string) => issues.find((i) => i.path === path || i.path.startsWith(`${path}.`))?.message
  const serviceCheck = useMemo(() => checkServiceDraft(service, storedSecret, issues), [service, storedSecret, issues])

  async function uploadFile(file: File): Promise<string> {
    if (file.size > maxFileBytes)
      throw new FormError([{ path: 'resource', message: `files can be at most ${Math.floor(maxFileBytes / 1048576)} MB` }])
    const form = new FormData()
    form.set('file', file)
    const response = await fetch('/api/dashboard/files', { method: 'POST', body: form })
    const data = await response.json().catch(() => null)
    if (!response.ok) throw new FormError([{ path: 'resource', message: data?.error?.message ?? 'the upload failed' }])
    return data.file.id as string
  }

  async function submit(event: FormEvent) {
    event.preventDefault()
    setSaving(true)
    setIssues([])
    setError(null)
    try {
      let resource: EditableLink['resource']
      if (kind === 'inline') resource = { kind, contentType, body }
      else if (kind === 'file') resource = { kind, fileId: upload ? await uploadFile(upload) : fileId }
      else if (kind === 'service') {
        const lineIssues = [...serviceCheck.ruleIssues, ...serviceCheck.jsonRpcIssues].map((i) => i.message)
        if (lineIssues.length > 0 || serviceCheck.pricingIssues.length > 0)
          throw new FormError([], 'Some pricing lines need a change: see the notes under them.')
        resource = serviceCheck.resource as EditableLink['resource']
      } else resource = { kind, url }
      const input: Record<string, unknown> = {
        title,
        description,
        price: price.trim(),
        rails,
        session: sellsSession ? { unitType: unitType.trim(), suggestedDeposit: suggestedDeposit.trim() || null } : null,
        recipient: recipient.trim(),
        resource,
        // A service link sells each call: its access policy is one access, whatever the form held for other kinds.
        accessPolicy: access === 'once' || kind === 'service' ? { kind: 'once' } : { kind: 'window', minutes: Number(minutes) },
        maxPayments: maxPayments.trim() === '' ? null : Number(maxPayments),
        active,
      }
      if (asTool) {
        let inputSchema: unknown = null
        if (toolSchema.trim() !== '') {
          try {
            inputSchema = JSON.parse(toolSchema)
          } catch {
            throw new FormError([{ path: 'mcpTool.inputSchema', message: 'the input schema is not valid JSON' }])
          }
        }
        input.mcpTool = { ...(toolName.trim() ? { name: toolName.trim() } : {}), description: toolDescription, inputSchema }
      } else if (link?.mcpTool) input.mcpTool = null
      // An unchanged expiry is not resent: a past date is refused, and editing an expired link's title must work.
      if (!link || expiresAt !== initialExpiry) input.expiresAt = expiresAt ? new Date(expiresAt).toISOString() : null
      if (!link ? slug.trim() !== '' : slug.trim() !== link.slug) input.slug = slug.trim()
      const response = await fetch(link ? `/api/dashboard/links/${link.id}` : '/api/dashboard/links', {
        method: link ? 'PATCH' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      })
      if (response.status === 401) return router.push(`/signin?next=${encodeURIComponent(window.location.pathname)}`)
      const data = await response.json().catch(() => null)
      if (!response.ok) {
        // A taken slug (live, or kept by a renamed or deleted link) or tool name belongs next to its field.
        const found: Issue[] =
          data?.error?.issues ??
          (fieldOf[data?.error?.code] ? [{ path: fieldOf[data.error.code], message: String(data.error.message) }] : [])
        throw new FormError(
          found,
          found.length > 0 ? 'Some fields need a change: see below.' : (data?.error?.message ?? `Saving failed (${response.status})`),
        )
      }
      router.push(`/dashboard/links/${data.link.id}`)
      router.refresh()
    } catch (caught) {
      if (caught instanceof FormError) {
        setIssues(caught.issues)
        setError(caught.summary)
      } else setError('Network error: check your connection and try again.')
      setSaving(false)
    }
  }

  const toggleRail = (rail: 'evm' | 'stripe', on: boolean) =>
    setRails((current) => (on ? [...new Set([...current, rail])] : current.filter((r) => r !== rail)))

  return (
    <form className="panel" onSubmit={submit} noValidate aria-label={link ? 'Edit link' : 'New link'} data-testid="link-editor">
      {error ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="form-grid">
        <Field label="Title" error={issueFor('title')} wide>
          <input
            className="input"
            name="title"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            maxLength={120}
            required
            aria-invalid={!!issueFor('title')}
            placeholder="Premium market report"
          />
        </Field>
        <Field label="Description" help="Shown on the checkout page and in the 402." error={issueFor('description')} wide>
          <textarea
            className="input"
            style={{ fontFamily: 'var(--font)', minHeight: 70 }}
            name="description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            maxLength={2000}
          />
        </Field>
        <Field
          label={kind === 'service' ? 'Default price (USD)' : 'Price (USD)'}
          help={
            kind === 'service'
              ? 'What requests no pricing rule matches cost, such as "0.001".'
              : 'A decimal amount such as "0.01" or "12.50".'
          }
          error={issueFor('price')}
        >
          <input
            className="input"
            name="price"
            inputMode="decimal"
            value={price}
            onChange={(e) => setPrice(e.target.value)}
            placeholder="0.50"
            aria-invalid={!!issueFor('price')}
          />
          {priceNotice && !issueFor('price') ? (
            <span className="help" role="note" data-testid="price-notice">
              {priceNotice}
            </span>
          ) : null}
        </Field>
        <Field label="Custom slug" help="Optional: /l/your-slug. Leave empty for a random one." error={issueFor('slug')}>
          <input
            className="input"
            name="slug"
            value={slug}
            onChange={(e) => setSlug(e.target.value)}
            placeholder="random"
            autoCapitalize="off"
            aria-invalid={!!issueFor('slug')}
          />
        </Field>

        <fieldset className="field wide">
          <legend>Payment rails</legend>
          <div className="choices">
            <label className="choice">
              <input
                type="checkbox"
                name="rail-evm"
                checked={rails.includes('evm')}
                onChange={(e) => toggleRail('evm', e.target.checked)}
              />{' '}
              USDC on-chain (MPP + x402)
            </label>
            <label className="choice" title={stripeEnabled ? undefined : 'Configure Stripe keys on the server to take cards'}>
              <input
                type="checkbox"
                name="rail-stripe"
                checked={rails.includes('stripe')}
                disabled={!stripeEnabled && !rails.includes('stripe')}
                onChange={(e) => toggleRail('stripe', e.target.checked)}
              />{' '}
              Card (Stripe)
            </label>
          </div>
          {!stripeEnabled ? <span className="help">Card payments appear once Stripe keys are configured on this server.</span> : null}
          {issueFor('rails') ? <span className="error">{issueFor('rails')}</span> : null}
        </fieldset>

        <fieldset className="field wide">
          <legend>Pay per request</legend>
          <label className="choice" title={sessionPayee ? undefined : 'This server has no session escrow configured'}>
            <input
              type="checkbox"
              name="session"
              checked={sellsSession}
              disabled={!sessionPayee && !sellsSession}
              onChange={(e) => setSellsSession(e.target.checked)}
              data-testid="sell-session"
            />{' '}
            Sell each request as a session (MPP <code>evm</code>/<code>session</code>): agents deposit once and sign a voucher per request,
            with no transaction per call
          </label>
          {sellsSession ? (
            <div className="form-grid" style={{ marginTop: 10 }}>
              <Field label="Unit" help='What the price buys: "request", or e.g. "llm_token".' error={issueFor('session.unitType')}>
                <input
                  className="input mono"
                  name="unitType"
                  value={unitType}
                  onChange={(e) => setUnitType(e.target.value)}
                  autoCapitalize="off"
                  spellCheck={false}
                />
              </Field>
              <Field
                label="Suggested deposit (USD)"
                help="What an agent's new channel should hold; it gets back what it does not spend."
                error={issueFor('session.suggestedDeposit')}
              >
                <input
                  className="input"
                  name="suggestedDeposit"
                  inputMode="decimal"
                  value={suggestedDeposit}
                  onChange={(e) => setSuggestedDeposit(e.target.value)}
                  placeholder="0.10"
                />
              </Field>
            </div>
          ) : null}
          {sessionPayee ? (
            <span className="help" role="note">
              {rails.length === 0 && sellsSession
                ? 'Session only: people who open the link are told an agent pays it. '
                : sellsSession
                  ? 'People who open the link pay per call with the rails above; agents may use a session. '
                  : ''}
              Sessions pay the server&apos;s settlement account <span className="mono">{sessionPayee}</span>, which must be the recipient.
            </span>
          ) : (
            <span className="help">Sessions appear once the server has a session escrow (EVM_ESCROW_ADDRESS).</span>
          )}
          {sessionRecipientMismatch ? (
            <span className="error" data-testid="session-recipient-notice">
              sessions pay the server&apos;s settlement account {sessionPayee}; set the recipient to it, or price per call.{' '}
              <button type="button" className="btn small" onClick={() => setRecipient(sessionPayee!)}>
                Use it as the recipient
              </button>
            </span>
          ) : null}
          {issueFor('session') && !issueFor('session.unitType') && !issueFor('session.suggestedDeposit') ? (
            <span className="error">{issueFor('session')}</span>
          ) : null}
        </fieldset>

        <Field
          label="Recipient address"
          help="Where USDC payments are sent. Defaults to your sign-in address."
          error={issueFor('recipient')}
          wide
        >
          <input
            className="input mono"
            name="recipient"
            value={recipient}
            onChange={(e) => setRecipient(e.target.value)}
            autoCapitalize="off"
            spellCheck={false}
            aria-invalid={!!issueFor('recipient')}
          />
        </Field>
      </div>

      <div className="form-section" style={{ marginTop: 20 }}>
        <h3>What the payer gets</h3>
        <div className="form-grid">
          <fieldset className="field wide">
            <legend className="sr-only">Resource kind</legend>
            <div className="choices">
              {(
                [
                  ['inline', 'Text or JSON'],
                  ['file', 'File download'],
                  ['redirect', 'Secret URL'],
                  ['proxy', 'Proxied API'],
                  ['service', 'Paid API (per request)'],
                ] as const
              ).map(([value, label]) => (
                <label className="choice" key={value}>
                  <input type="radio" name="resource-kind" value={value} checked={kind === value} onChange={() => setKind(value)} /> {label}
                </label>
              ))}
            </div>
          </fieldset>
          {kind === 'inline' ? (
            <>
              <Field label="Content type">
                <select
                  className="input"
                  value={contentType}
                  onChange={(e) => setContentType(e.target.value as 'text/plain' | 'application/json')}
                >
                  <option value="text/plain">Plain text</option>
                  <option value="application/json">JSON</option>
                </select>
              </Field>
              <Field label="Content" error={issueFor('resource')} wide>
                <textarea
                  className="input"
                  name="body"
                  value={body}
                  onChange={(e) => setBody(e.target.value)}
                  aria-invalid={!!issueFor('resource')}
                  placeholder={contentType === 'application/json' ? '{"answer": 42}' : 'The paid content'}
                />
              </Field>
            </>
          ) : null}
          {kind === 'file' ? (
            <>
              <Field
                label="Upload a file"
                help={`Up to ${Math.floor(maxFileBytes / 1048576)} MB. Delivered with its name and type after payment.`}
                error={issueFor('resource')}
                wide
              >
                <input className="input" type="file" name="file" onChange={(e) => setUpload(e.target.files?.[0] ?? null)} />
              </Field>
              {files.length > 0 && !upload ? (
                <Field label="…or use an uploaded file" wide>
                  <select className="input" value={fileId} onChange={(e) => setFileId(e.target.value)}>
                    {files.map((f) => (
                      <option key={f.id} value={f.id}>
                        {f.name} ({formatBytes(f.size)})
                      </option>
                    ))}
                  </select>
                </Field>
              ) : null}
            </>
          ) : null}
          {kind === 'service' ? (
            <ServiceFields
              draft={service}
              onChange={setService}
              check={serviceCheck}
              storedSecret={storedSecret}
              linkPrice={price}
              issueFor={issueFor}
            />
          ) : null}
          {kind === 'redirect' || kind === 'proxy' ? (
            <Field
              label={kind === 'redirect' ? 'Secret URL' : 'Upstream API URL'}
              help={
                kind === 'redirect'
                  ? 'Revealed to the payer after payment.'
                  : 'Each paid request is forwarded here and its answer returned. A public host; redirects are not followed.'
              }
              error={issueFor('resource')}
              wide
            >
              <input
                className="input"
                type="url"
                name="url"
                value={url}
                onChange={(e) => setUrl(e.target.value)}
                placeholder="https://"
                aria-invalid={!!issueFor('resource')}
              />
            </Field>
          ) : null}
        </div>
      </div>

      <div className="form-section" style={{ marginTop: 20 }}>
        <h3>Access and limits</h3>
        <div className="form-grid">
          {kind === 'service' ? (
            <>
              <p className="field muted small" data-testid="service-access">
                Every call is paid: a payment buys one call, never a window of access. A paid call whose service failed can be sent again
                with the same payment.
              </p>
              <div />
            </>
          ) : (
            <>
              <fieldset className="field">
                <legend>After paying</legend>
                <div className="choices">
                  <label className="choice">
                    <input type="radio" name="access" checked={access === 'once'} onChange={() => setAccess('once')} /> One access
                  </label>
                  <label className="choice">
                    <input type="radio" name="access" checked={access === 'window'} onChange={() => setAccess('window')} /> Access for a
                    while
                  </label>
                </div>
              </fieldset>
              {access === 'window' ? (
                <Field label="Access window (minutes)" error={issueFor('accessPolicy')}>
                  <input
                    className="input"
                    type="number"
                    min={1}
                    name="minutes"
                    value={minutes}
                    onChange={(e) => setMinutes(e.target.value)}
                    aria-invalid={!!issueFor('accessPolicy')}
                  />
                </Field>
              ) : (
                <div />
              )}
            </>
          )}
          <Field label="Maximum payments" help="Empty: unlimited. Refunds free a slot." error={issueFor('maxPayments')}>
            <input
              className="input"
              type="number"
              min={1}
              name="maxPayments"
              value={maxPayments}
              onChange={(e) => setMaxPayments(e.target.value)}
              placeholder="Unlimited"
              aria-invalid={!!issueFor('maxPayments')}
            />
          </Field>
          <Field label="Expires" help="Empty: never. Your local time." error={issueFor('expiresAt')}>
            <input
              className="input"
              type="datetime-local"
              name="expiresAt"
              value={expiresAt}
              onChange={(e) => setExpiresAt(e.target.value)}
              aria-invalid={!!issueFor('expiresAt')}
            />
          </Field>
          <label className="choice wide" style={{ width: 'fit-content' }}>
            <input type="checkbox" name="active" checked={active} onChange={(e) => setActive(e.target.checked)} /> Active (accepts payments)
          </label>
        </div>
      </div>

      <div className="form-section" style={{ marginTop: 20 }}>
        <h3>Agents (MCP)</h3>
        <div className="form-grid">
          <label className="choice wide" style={{ width: 'fit-content' }}>
            <input type="checkbox" name="mcpTool" checked={asTool} onChange={(e) => setAsTool(e.target.checked)} data-testid="mcp-tool" />{' '}
            Available as an MCP tool (agents call it at /mcp and pay per call)
          </label>
          {asTool ? (
            <>
              <Field
                label="Tool name"
                help="Letters, digits, _ - or . — unique on this server. Empty: the slug."
                error={issueFor('mcpTool.name')}
              >
                <input
                  className="input mono"
                  name="toolName"
                  value={toolName}
                  onChange={(e) => setToolName(e.target.value)}
                  placeholder={slug.trim() || 'the slug'}
                  autoCapitalize="off"
                  spellCheck={false}
                  aria-invalid={!!issueFor('mcpTool.name')}
                />
              </Field>
              <Field
                label="Tool description"
                help="What an agent reads. Empty: the title and description."
                error={issueFor('mcpTool.description')}
              >
                <input
                  className="input"
                  name="toolDescription"
                  value={toolDescription}
                  onChange={(e) => setToolDescription(e.target.value)}
                  maxLength={2000}
                  placeholder={[title.trim(), description.trim()].filter(Boolean).join('. ') || 'From the title'}
                  aria-invalid={!!issueFor('mcpTool.description')}
                />
              </Field>
              <Field
                label="Input schema (JSON Schema)"
                help='The arguments the tool takes, checked before payment. Empty: none ({ "type": "object" }).'
                error={issueFor('mcpTool.inputSchema') ?? issueFor('mcpTool')}
                wide
              >
                <textarea
                  className="input mono"
                  name="toolSchema"
                  value={toolSchema}
                  onChange={(e) => setToolSchema(e.target.value)}
                  placeholder={'{ "type": "object" }'}
                  spellCheck={false}
                  aria-invalid={!!issueFor('mcpTool.inputSchema')}
                />
              </Field>
            </>
          ) : null}
        </div>
      </div>

      <div className="form-footer">
        <Link className="btn" href={link ? `/dashboard/links/${link.id}` : '/dashboard/links'}>
          Cancel
        </Link>
        <button className="btn primary" type="submit" disabled={saving} data-testid="save-link">
          {saving ? 'Saving…' : link ? 'Save changes' : 'Create link'}
        </button>
      </div>
    </form>
  )
}

function Field({
  label,
  help,
  error,
  wide,
  children,
}: {
  label: string
  help?: string
  error?: string
  wide?: boolean
  children: React.ReactNode
}) {
  return (
    <label className={`field${wide ? ' wide' : ''}`}>
      <span>{label}</span>
      {children}
      {error ? <span className="error">{error}</span> : help ? <span className="help">{help}</span> : null}
    </label>
  )
}

/** Conflicts the API answers with a code rather than issues, and the field each belongs to. */
const fieldOf: Record<string, string> = { slug_taken: 'slug', tool_name_taken: 'mcpTool.name' }

class FormError extends Error {
  constructor(
    readonly issues: Issue[],
    readonly summary: string = issues[0]?.message ?? 'Please fix the highlighted fields.',
  ) {
    super(summary)
  }
}

function toLocalInput(iso: string): string {
  const d = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1048576) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1048576).toFixed(1)} MB`
}
