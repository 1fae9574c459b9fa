import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SessionConfigError, loadSessionSettings, sessionDefaults, usdToBaseUnitsCeil } from './Config'

test('every session setting is optional, with the documented defaults', () => {
  assert.deepEqual(loadSessionSettings({}), sessionDefaults)
  assert.deepEqual(sessionDefaults, {
    settleThresholdUsd: '1',
    settleMaxAgeSeconds: 86_400,
    closeIdleSeconds: 2_592_000,
    minDepositUsd: '0.1',
    feePayer: true,
    jobIntervalMs: 15_000,
  })
})

test('the environment sets thresholds, ages, the relay and the job interval', () => {
  assert.deepEqual(
    loadSessionSettings({
      SESSION_SETTLE_THRESHOLD_USD: '2.50',
      SESSION_SETTLE_MAX_AGE_SECONDS: '3600',
      SESSION_CLOSE_IDLE_SECONDS: ' 7200 ',
      SESSION_MIN_DEPOSIT_USD: '0.05',
      SESSION_FEE_PAYER: 'false',
      SESSION_JOB_INTERVAL_SECONDS: '30',
    }),
    {
      settleThresholdUsd: '2.5',
      settleMaxAgeSeconds: 3_600,
      closeIdleSeconds: 7_200,
      minDepositUsd: '0.05',
      feePayer: false,
      jobIntervalMs: 30_000,
    },
  )
})

test('invalid values are refused all at once, by name', () => {
  assert.throws(
    () =>
      loadSessionSettings({
        SESSION_SETTLE_THRESHOLD_USD: '-1',
        SESSION_SETTLE_MAX_AGE_SECONDS: '1.5',
        SESSION_FEE_PAYER: 'yes',
        SESSION_JOB_INTERVAL_SECONDS: '600',
      }),
    (error: unknown) => {
      assert.ok(error instanceof SessionConfigError)
      for (const name of [
        'SESSION_SETTLE_THRESHOLD_USD',
        'SESSION_SETTLE_MAX_AGE_SECONDS',
        'SESSION_FEE_PAYER',
        'SESSION_JOB_INTERVAL_SECONDS',
      ])
        assert.match(error.message, new RegExp(name))
      return true
    },
  )
})

test('USD amounts become base units, rounded up so a threshold or minimum is never zero', () => {
  assert.equal(usdToBaseUnitsCeil('1', 6), 1_000_000n)
  assert.equal(usdToBaseUnitsCeil('0.000001', 6), 1n)
  assert.equal(usdToBaseUnitsCeil('0.005', 2), 1n)
  assert.equal(usdToBaseUnitsCeil('0.25', 2), 25n)
  assert.equal(usdToBaseUnitsCeil('0.001', 0), 1n)
})
