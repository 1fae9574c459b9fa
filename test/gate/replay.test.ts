// Issue 4 acceptance: replayed credentials and concurrent retries settle at most once (one instance, embedded database).
import { after, before, describe } from 'node:test'
import { type Stack, startStack } from '@/test/support/stack'
import { replayTests } from './internal/replay-suite'

describe('replay and concurrency: one instance', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack()
  })
  after(async () => {
    await stack?.stop()
  })
  replayTests(() => ({ stack, instances: [stack.url] }), { mpp: [1, 2], x402: [3, 4] })
})
