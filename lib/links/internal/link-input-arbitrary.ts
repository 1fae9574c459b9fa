// fast-check generators of link input for the fuzz tests (test-only: fast-check is a dev dependency).
import fc from 'fast-check'

// Each field is usually plausible (so many inputs reach the deep checks) and sometimes anything at all.
const mostly = <T, U>(plausible: fc.Arbitrary<T>, messy: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: plausible, weight: 10 }, { arbitrary: messy, weight: 1 })
const messy = fc.anything()
const price = mostly(fc.stringMatching(/^[1-9][0-9]{0,6}(\.[0-9]{1,7})?$/), fc.oneof(fc.stringMatching(/^[-+ 0-9.eE,]{0,12}$/), messy))
const address = mostly(fc.stringMatching(/^0x[0-9a-f]{40}$/), fc.oneof(fc.stringMatching(/^0x[0-9a-fA-F]{38,42}$/), messy))
const url = mostly(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.oneof(fc.string(), fc.constantFrom('javascript:x', 'https://u:p@h/', 'http://[::1]:80/')),
)
const servicePrice = mostly(fc.oneof(fc.constant('free'), price), messy)
const pricing = mostly(
  fc.record(
    {
      rules: fc.array(
        fc.record({
          method: mostly(fc.constantFrom('GET', 'POST', '*'), messy),
          path: mostly(fc.constantFrom('/', '/**', '/v1/models/*', '/v1/chat/completions'), fc.string()),
          price: servicePrice,
        }),
        { maxLength: 4 },
      ),
      jsonRpc: mostly(fc.record({ methods: fc.dictionary(fc.constantFrom('eth_call', 'getSlot'), servicePrice) }), messy),
      settle: mostly(fc.constantFrom('before', 'after-success'), messy),
    },
    { requiredKeys: [] },
  ),
  messy,
)
const service = fc.record(
  {
    kind: fc.constant('service'),
    upstreamUrl: url,
    pricing,
    timeoutSeconds: mostly(fc.integer({ min: 1, max: 300 }), messy),
    forwardHeaders: mostly(fc.array(fc.constantFrom('anthropic-version', 'x-custom', 'cookie', 'bad name')), messy),
    secretHeader: mostly(
      fc.record(
        { name: fc.constantFrom('Authorization', 'X-Api-Key', 'Host', ''), value: mostly(fc.string({ minLength: 1 }), messy) },
        { requiredKeys: ['name'] },
      ),
      fc.constant(null),
    ),
  },
  { requiredKeys: ['kind', 'upstreamUrl'] },
)
const resource = mostly(
  fc.oneof(
    fc.record({ kind: fc.constant('inline'), contentType: fc.constant('text/plain'), body: fc.string({ unit: 'binary', minLength: 1 }) }),
    fc.record({ kind: fc.constant('inline'), contentType: fc.constant('application/json'), body: mostly(fc.json(), fc.string()) }),
    fc.record({ kind: fc.constant('file'), fileId: fc.string() }),
    fc.record({ kind: fc.constantFrom('redirect', 'proxy'), url }),
    service,
  ),
  fc.oneof(fc.record({ kind: fc.string(), url }), messy),
)
const accessPolicy = mostly(
  fc.oneof(
    fc.record({ kind: fc.constant('once') }),
    fc.record({ kind: fc.constant('window'), minutes: mostly(fc.integer({ min: 1, max: 525_600 }), fc.double()) }),
  ),
  messy,
)
const expiresAt = mostly(
  fc.date({ min: new Date(Date.now() + 60_000), max: new Date('9999-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.oneof(fc.date({ noInvalidDate: false }), fc.string(), messy),
)
export const linkInput = fc.record(
  {
    title: mostly(fc.string({ minLength: 1, maxLength: 120 }), fc.oneof(fc.string({ unit: 'binary', maxLength: 130 }), messy)),
    description: mostly(fc.string({ maxLength: 2000 }), fc.oneof(fc.string({ unit: 'binary' }), messy)),
    price,
    rails: mostly(fc.subarray(['evm', 'stripe'], { minLength: 1 }), fc.oneof(fc.array(fc.constantFrom('evm', 'stripe', 'btc')), messy)),
    session: mostly(
      fc.oneof(
        fc.constant(null),
        fc.record({ unitType: fc.constantFrom('request', 'llm_token', 'byte'), suggestedDeposit: fc.option(price) }, { requiredKeys: [] }),
      ),
      fc.oneof(fc.record({ unitType: fc.string(), suggestedDeposit: messy }), messy),
    ),
    recipient: address,
    resource,
    accessPolicy,
    maxPayments: mostly(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.oneof(fc.integer(), fc.double(), fc.constant(null), messy)),
    expiresAt,
    active: mostly(fc.boolean(), messy),
    slug: mostly(
      fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/),
      fc.oneof(fc.stringMatching(/^[A-Za-z0-9_ -]{0,70}$/), fc.constantFrom('api', 'demo'), messy),
    ),
  },
  { requiredKeys: ['title', 'price', 'rails', 'resource'] },
)
