import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FormError, parse } from './Form'

test('parses Stripe-style bracket nesting, indexed and appended arrays', () => {
  assert.deepEqual(
    parse(
      'amount=500&currency=usd&metadata[link_id]=l%201&metadata[challenge_id]=c&allowed_payment_method_types[0]=card&allowed_payment_method_types[1]=link&expand[]=a&expand[]=b&a[b][c]=d',
    ),
    {
      amount: '500',
      currency: 'usd',
      metadata: { link_id: 'l 1', challenge_id: 'c' },
      allowed_payment_method_types: ['card', 'link'],
      expand: ['a', 'b'],
      a: { b: { c: 'd' } },
    },
  )
})

test('decodes + as space and keeps empty values', () => {
  assert.deepEqual(parse('description=a+b&metadata='), { description: 'a b', metadata: '' })
  assert.deepEqual(parse(''), {})
})

test('sorts array entries by index', () => {
  assert.deepEqual(parse('x[1]=b&x[0]=a'), { x: ['a', 'b'] })
})

test('refuses conflicting or malformed names and bad encoding', () => {
  for (const body of ['a=1&a[b]=2', 'a[b]=2&a=1', 'a[b=1', '[a]=1', 'a%ZZ=1']) assert.throws(() => parse(body), FormError, body)
})
