import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PaymentRequirements as CorePaymentRequirements } from '@x402/core/types'
import * as PaymentRequirements from './PaymentRequirements'

const parameters = {
  chainId: 84532,
  asset: '0x036cbd53842c5426634e7929541ec2318f3dcf7e',
  amount: 10_000n,
  payTo: '0x209693bc6afc0c5328ba36faf03c514ef312287c',
  maxTimeoutSeconds: 60,
  name: 'USDC',
  version: '2',
} as const

test('exactEvm builds the scheme_exact_evm shape with EIP-55 addresses', () => {
  const requirements = PaymentRequirements.exactEvm(parameters)
  assert.deepEqual(requirements, {
    scheme: 'exact',
    network: 'eip155:84532',
    amount: '10000',
    asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
    maxTimeoutSeconds: 60,
    extra: { assetTransferMethod: 'eip3009', name: 'USDC', version: '2' },
  })
  // Spec field order, so the header reads like the spec's examples.
  assert.deepEqual(Object.keys(requirements), ['scheme', 'network', 'amount', 'asset', 'payTo', 'maxTimeoutSeconds', 'extra'])
  // Assignable to the reference SDK's type: its client consumes what we emit.
  const core: CorePaymentRequirements = requirements
  assert.equal(core.scheme, 'exact')
})

test('exactEvm rejects configuration mistakes', () => {
  for (const bad of [
    { amount: -1n },
    { amount: '1.5' },
    { chainId: 0 },
    { chainId: 1.5 },
    { maxTimeoutSeconds: 0 },
    { asset: '0x1234' as `0x${string}` },
    { payTo: 'merchant' as `0x${string}` },
    { name: '' },
  ])
    assert.throws(
      () => PaymentRequirements.exactEvm({ ...parameters, ...bad }),
      PaymentRequirements.InvalidRequirementsParametersError,
      JSON.stringify(bad, (_, v) => (typeof v === 'bigint' ? v.toString() : v)),
    )
})

test('network and chainIdOf are inverse for eip155 chains only', () => {
  assert.equal(PaymentRequirements.network(8453), 'eip155:8453')
  assert.equal(PaymentRequirements.chainIdOf('eip155:8453'), 8453)
  for (const other of [
    'eip155:',
    'eip155:0',
    'eip155:08453',
    'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
    'base',
    'eip155:1e3',
    `eip155:${'9'.repeat(20)}`,
  ])
    assert.equal(PaymentRequirements.chainIdOf(other), undefined, other)
})

test('domain is the token EIP-712 domain named by the requirements', () => {
  assert.deepEqual(PaymentRequirements.domain(PaymentRequirements.exactEvm(parameters)), {
    name: 'USDC',
    version: '2',
    chainId: 84532,
    verifyingContract: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  })
})
