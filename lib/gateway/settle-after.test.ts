import assert from 'node:assert/strict'
import { test } from 'node:test'
import { settlesAfterAnswer } from './settle-after'

test("after-success settles for served calls, the payer's bad requests included, never for upstream or merchant failures", () => {
  for (const status of [200, 201, 204, 206, 304, 400, 404, 409, 413, 422]) assert.equal(settlesAfterAnswer(status), true, String(status))
  for (const status of [401, 403, 407, 429, 500, 502, 503, 504, 599, 101, 0])
    assert.equal(settlesAfterAnswer(status), false, String(status))
})
