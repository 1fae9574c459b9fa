'use client'
// The link editor's fields for a paid API (service link): upstream, write-only secret header, pricing
// lines with their issues shown as you type, and a preview that prices a request with the same function
// the gateway uses. Validation is the server's own (lib/gateway/price-rules), run here for speed.
import { useState } from 'react'
import { httpMethods, type HttpMethod } from '@/lib/gateway/price-rules'
import type { LineIssue } from '@/lib/gateway/rule-lines'
import type { ServiceResource } from '@/lib/store/schema'
import { previewPrice, type DraftCheck, type ServiceDraft } from './service-draft'

type Props = {
  draft: ServiceDraft
  onChange: (draft: ServiceDraft) => void
  check: DraftCheck
  storedSecret: ServiceResource['secretHeader']
  /** The link's price field: what unmatched requests cost. */
  linkPrice: string
  /** The server's issue at a resource path (e.g. 'resource.upstreamUrl'), if any. */
  issueFor: (path: string) => string | undefined
}

export function ServiceFields({ draft, onChange, check, storedSecret, linkPrice, issueFor }: Props) {
  const set = <K extends keyof ServiceDraft>(key: K, value: ServiceDraft[K]) => onChange({ ...draft, [key]: value })
  const [method, setMethod] = useState<HttpMethod>('POST')
  const [path, setPath] = useState('/v1/chat/completions')
  const [body, setBody] = useState('{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[]}')
  const jsonRpcOn = draft.jsonRpcText.split('\n').some((line) => line.split('#')[0]!.trim() !== '')

  return (
    <>
      <Field
        label="Upstream API base URL"
        help="/l/your-slug/any/path?query is forwarded to this URL + /any/path?query. A public host; redirects are not followed."
        error={issueFor('resource.upstreamUrl')}
        wide
      >
        <input
          className="input"
          type="url"
          name="upstreamUrl"
          value={draft.upstreamUrl}
          onChange={(e) => set('upstreamUrl', e.target.value)}
          placeholder="https://api.example.com/v1"
          aria-invalid={!!issueFor('resource.upstreamUrl')}
        />
      </Field>
      <Field
        label="Secret header name"
        help="Added to every forwarded request; payers never see it."
        error={issueFor('resource.secretHeader.name')}
      >
        <input
          className="input mono"
          name="secretName"
          value={draft.secretName}
          onChange={(e) => set('secretName', e.target.value)}
          placeholder="Authorization"
          autoCapitalize="off"
          spellCheck={false}
          disabled={draft.removeSecret}
          aria-invalid={!!issueFor('resource.secretHeader.name')}
        />
      </Field>
      <Field
        label="Secret value (API key)"
        help={
          storedSecret
            ? `Stored: ${storedSecret.hint}. Leave empty to keep it; it is never shown again.`
            : 'Stored encrypted and never shown again, e.g. "Bearer sk-…".'
        }
        error={issueFor('resource.secretHeader.value') ?? issueFor('resource.secretHeader')}
      >
        <input
          className="input mono"
          type="password"
          name="secretValue"
          autoComplete="new-password"
          value={draft.secretValue}
          onChange={(e) => set('secretValue', e.target.value)}
          placeholder={storedSecret ? storedSecret.hint : 'Bearer sk-…'}
          disabled={draft.removeSecret}
          aria-invalid={!!issueFor('resource.secretHeader.value')}
        />
      </Field>
      {storedSecret ? (
        <label className="choice wide" style={{ width: 'fit-content' }}>
          <input type="checkbox" name="removeSecret" checked={draft.removeSecret} onChange={(e) => set('removeSecret', e.target.checked)} />{' '}
          Remove the stored key
        </label>
      ) : null}

      <LinesField
        id="service-rules"
        label="Prices per route"
        help="One rule a line: METHOD PATH PRICE [after-success]. METHOD is GET, HEAD, POST, PUT, PATCH, DELETE or *; PATH is /exact, /one/* (one segment) or /below/** (anything under); PRICE is dollars or free. The first matching rule wins; other requests cost the link's price."
        value={draft.rulesText}
        onChange={(value) => set('rulesText', value)}
        issues={check.ruleIssues}
      />
      <LinesField
        id="service-jsonrpc"
        label="JSON-RPC prices (optional)"
        help="For JSON-RPC APIs: one METHOD PRICE a line (eth_call 0.0001), and * PRICE for every other method. POST requests no rule matched are priced by the body's method; a batch costs the sum of its calls."
        value={draft.jsonRpcText}
        onChange={(value) => set('jsonRpcText', value)}
        issues={check.jsonRpcIssues}
        placeholder={'eth_call               0.0001\neth_sendRawTransaction 0.01'}
      />
      {check.pricingIssues.length > 0 ? (
        <div className="alert error wide" role="alert">
          {check.pricingIssues.join(' ')}
        </div>
      ) : null}

      <fieldset className="field">
        <legend>When payments settle</legend>
        <div className="choices">
          <label className="choice">
            <input type="radio" name="settle" checked={draft.settle === 'before'} onChange={() => set('settle', 'before')} /> Before the
            call
          </label>
          <label className="choice">
            <input type="radio" name="settle" checked={draft.settle === 'after-success'} onChange={() => set('settle', 'after-success')} />{' '}
            After a successful answer
          </label>
        </div>
        <span className="help">
          After-success never charges for a failed call, but a payer could empty their balance meanwhile and get the answer unpaid. A
          rule&apos;s own after-success wins.
        </span>
      </fieldset>
      <Field
        label="Upstream timeout (seconds)"
        help="Until the answer starts; streams may then run longer."
        error={issueFor('resource.timeoutSeconds')}
      >
        <input
          className="input"
          type="number"
          min={1}
          max={300}
          name="timeoutSeconds"
          value={draft.timeoutSeconds}
          onChange={(e) => set('timeoutSeconds', e.target.value)}
          aria-invalid={!!issueFor('resource.timeoutSeconds')}
        />
      </Field>
      <Field
        label="Extra request headers to forward (optional)"
        help="Content-Type, Accept, User-Agent and a few more always pass; list others your API needs, e.g. anthropic-version."
        error={issueFor('resource.forwardHeaders')}
        wide
      >
        <input
          className="input mono"
          name="forwardHeaders"
          value={draft.forwardHeadersText}
          onChange={(e) => set('forwardHeadersText', e.target.value)}
          placeholder="anthropic-version, openai-beta"
          autoCapitalize="off"
          spellCheck={false}
        />
      </Field>

      <fieldset className="field wide preview" data-testid="price-preview">
        <legend>What would a request cost?</legend>
        <div className="preview-row">
          <select className="input" aria-label="Method" value={method} onChange={(e) => setMethod(e.target.value as HttpMethod)}>
            {httpMethods.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
          <input
            className="input mono"
            aria-label="Path below the link"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/v1/chat/completions"
            spellCheck={false}
          />
        </div>
        {jsonRpcOn && method === 'POST' ? (
          <textarea
            className="input"
            aria-label="JSON-RPC body"
            style={{ minHeight: 60 }}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            spellCheck={false}
          />
        ) : null}
        <output className="preview-result" aria-live="polite" data-testid="price-preview-result">
          {previewPrice(check.table, linkPrice, { method, path, body: jsonRpcOn && method === 'POST' ? body : '' })}
        </output>
      </fieldset>
    </>
  )
}

// A box of pricing lines; its issues are listed under it by line, in place of the help.
function LinesField(props: {
  id: string
  label: string
  help: string
  value: string
  onChange: (value: string) => void
  issues: LineIssue[]
  placeholder?: string
}) {
  return (
    <div className="field wide">
      <label htmlFor={props.id}>{props.label}</label>
      <textarea
        className="input"
        id={props.id}
        name={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        placeholder={props.placeholder}
        spellCheck={false}
        aria-invalid={props.issues.length > 0}
        aria-describedby={`${props.id}-notes`}
        data-testid={props.id}
      />
      {props.issues.length > 0 ? (
        <ul className="line-issues" id={`${props.id}-notes`} data-testid={`${props.id}-issues`}>
          {props.issues.map((issue, index) => (
            <li className="error" key={`${issue.line}-${index}`}>
              {issue.message}
            </li>
          ))}
        </ul>
      ) : (
        <span className="help" id={`${props.id}-notes`}>
          {props.help}
        </span>
      )}
    </div>
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
