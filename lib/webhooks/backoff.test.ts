import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultRetryPolicy, retryDelayMs, retryPolicyFromEnv } from './backoff'

test('delays double per attempt, with at most ±20% jitter, and are capped', () => {
  const mid = () => 0.5
  assert.equal(retryDelayMs(defaultRetryPolicy, 1, mid), 30_000)
  assert.equal(retryDelayMs(defaultRetryPolicy, 2, mid), 60_000)
  assert.equal(retryDelayMs(defaultRetryPolicy, 5, mid), 480_000)
  assert.equal(retryDelayMs(defaultRetryPolicy, 40, mid), 6 * 3600_000)
  assert.equal(
    retryDelayMs(defaultRetryPolicy, 1, () => 0),
    24_000,
  )
  assert.equal(
    retryDelayMs(defaultRetryPolicy, 1, () => 1),
    36_000,
  )
})

test('the environment can shorten the schedule (tests) and junk falls back to the defaults', () => {
  assert.deepEqual(retryPolicyFromEnv({ WEBHOOK_RETRY_BASE_SECONDS: '0.1', WEBHOOK_MAX_ATTEMPTS: '3' }), {
    ...defaultRetryPolicy,
    baseSeconds: 0.1,
    maxAttempts: 3,
  })
  assert.deepEqual(retryPolicyFromEnv({ WEBHOOK_RETRY_BASE_SECONDS: 'x', WEBHOOK_MAX_ATTEMPTS: '-1' }), defaultRetryPolicy)
})
