import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AuthSyntaxError, formatParam, parseList } from './AuthChallenges'

test('RFC 9110 §11.6.1 example list', () => {
  const list = parseList('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"')
  assert.deepEqual(list, [
    {
      scheme: 'Newauth',
      params: [
        ['realm', 'apps'],
        ['type', '1'],
        ['title', 'Login to "apps"'],
      ],
    },
    { scheme: 'Basic', params: [['realm', 'simple']] },
  ])
})

test('token68, bare schemes and empty elements', () => {
  assert.deepEqual(parseList('X a=')[0], { scheme: 'X', token68: 'a=', params: [] })
  assert.deepEqual(parseList('Basic YWxhZGRpbjpvcGVuc2VzYW1l==, Negotiate,, Bearer abc.def-ghi_~+/'), [
    { scheme: 'Basic', token68: 'YWxhZGRpbjpvcGVuc2VzYW1l==', params: [] },
    { scheme: 'Negotiate', params: [] },
    { scheme: 'Bearer', token68: 'abc.def-ghi_~+/', params: [] },
  ])
})

test('quoted-pair escapes any VCHAR; obs-text is kept as bytes', () => {
  assert.deepEqual(parseList('X a="\\a\\\\\\"\u00e9"')[0]!.params, [['a', 'a\\"\u00e9']])
})

test('syntax errors', () => {
  for (const bad of ['X a="b', 'X a="b" c="d"', 'X =b', 'X a=b c', '"X"', 'X a="\u0000"', 'X a="\u0100"', 'X a="b\\'])
    assert.throws(() => parseList(bad), AuthSyntaxError, JSON.stringify(bad))
})

test('formatParam escapes DQUOTE and backslash and refuses CTLs', () => {
  assert.equal(formatParam('a', 'x"y\\z\t\u00e9'), 'a="x\\"y\\\\z\t\u00e9"')
  assert.throws(() => formatParam('a', 'x\ny'), AuthSyntaxError)
  assert.throws(() => formatParam('a', '\u20ac'), AuthSyntaxError)
  assert.deepEqual(parseList(`X ${formatParam('a', 'x"y\\z')}`)[0]!.params, [['a', 'x"y\\z']])
})
