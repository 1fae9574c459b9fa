import assert from 'node:assert/strict'
import { test } from 'node:test'
import { renderToStaticMarkup } from 'react-dom/server'
import { checkServiceDraft, initialServiceDraft } from './service-draft'
import { ServiceFields } from './ServiceFields'

const render = (
  draft = initialServiceDraft(null),
  storedSecret: { name: string; hint: string } | null = null,
  issues: Array<{ path: string; message: string }> = [],
) =>
  renderToStaticMarkup(
    <ServiceFields
      draft={draft}
      onChange={() => {}}
      check={checkServiceDraft(draft, storedSecret, issues)}
      storedSecret={storedSecret}
      linkPrice="0.001"
      issueFor={(path) => issues.find((i) => i.path === path)?.message}
    />,
  )

test('a new service link shows the example rules, an empty secret field and the preview of the example request', () => {
  const html = render()
  assert.match(html, /POST \/v1\/chat\/completions 0\.02 after-success/)
  assert.match(html, /type="password"[^>]*name="secretValue"[^>]*value=""/)
  assert.doesNotMatch(html, /Remove the stored key/)
  assert.match(
    html,
    /data-testid="price-preview-result"[^>]*>\$0\.02 \(POST \/v1\/chat\/completions\), charged only after a successful answer\.</,
  )
})

test('an edited link shows only the hint of its stored key, never a value, and offers to remove it', () => {
  const resource = {
    kind: 'service' as const,
    upstreamUrl: 'https://api.example.com',
    pricing: { rules: [], jsonRpc: null, settle: 'before' as const },
    timeoutSeconds: 30,
    forwardHeaders: [],
    secretHeader: { name: 'X-Api-Key', hint: '••••WXYZ' },
  }
  const html = render(initialServiceDraft(resource), resource.secretHeader)
  assert.match(html, /Stored: ••••WXYZ\. Leave empty to keep it/)
  assert.match(html, /Remove the stored key/)
  assert.match(html, /name="secretValue"[^>]*value=""/)
})

test('line issues replace the help under their box; server issues show at their field', () => {
  const draft = { ...initialServiceDraft(null), rulesText: 'GET /a' }
  const html = render(draft, null, [{ path: 'resource.upstreamUrl', message: 'api.example.com resolves to 127.0.0.1, a loopback address' }])
  assert.match(html, /data-testid="service-rules-issues"[^>]*><li class="error">line 1: write METHOD PATH PRICE/)
  assert.match(html, /<span class="error">api\.example\.com resolves to 127\.0\.0\.1, a loopback address<\/span>/)
  assert.match(html, /Fix the pricing lines above to preview a price\./)
})
