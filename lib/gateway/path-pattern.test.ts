import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { canonicalPath, matchesPath, openApiPath, parsePathPattern, pathPatternIssue, patternCovers } from './path-pattern'

const matches = (pattern: string, path: string) => {
  const canonical = canonicalPath(path)
  assert.ok(canonical.ok, path)
  return matchesPath(parsePathPattern(pattern), canonical.path)
}

describe('path patterns', () => {
  test('a literal pattern matches its path, with or without a trailing slash, and nothing else', () => {
    assert.ok(matches('/v1/chat/completions', '/v1/chat/completions'))
    assert.ok(matches('/v1/chat/completions', '/v1/chat/completions/'))
    assert.ok(!matches('/v1/chat/completions', '/v1/chat'))
    assert.ok(!matches('/v1/chat/completions', '/v1/chat/completions/x'))
    assert.ok(!matches('/v1/chat/completions', '/v2/chat/completions'))
  })

  test('* is exactly one segment', () => {
    assert.ok(matches('/v1/models/*', '/v1/models/gpt-4'))
    assert.ok(!matches('/v1/models/*', '/v1/models'))
    assert.ok(!matches('/v1/models/*', '/v1/models/'))
    assert.ok(!matches('/v1/models/*', '/v1/models/a/b'))
    assert.ok(matches('/v1/*/items', '/v1/shop/items'))
  })

  test('** is zero or more segments, only at the end; /** matches everything, / only the root', () => {
    assert.ok(matches('/v1/**', '/v1'))
    assert.ok(matches('/v1/**', '/v1/'))
    assert.ok(matches('/v1/**', '/v1/a/b/c'))
    assert.ok(!matches('/v1/**', '/v10'))
    assert.ok(!matches('/v1/**', '/v2/x'))
    for (const path of ['', '/', '/a', '/a/b/c']) assert.ok(matches('/**', path), path)
    assert.ok(matches('/', ''))
    assert.ok(matches('/', '/'))
    assert.ok(!matches('/', '/a'))
  })

  test('requests cannot dodge a rule by case, matrix parameters, doubled slashes or escapes of plain letters', () => {
    for (const variant of [
      '/V1/Chat/Completions',
      '/v1/chat/completions;x=1',
      '/v1//chat///completions',
      '//v1/chat/completions',
      '/v1/%63hat/completions',
      '/v1/chat/completion%73',
      '/v1/chat/completions/;',
      '/v1/;jsessionid=1/chat/completions',
    ])
      assert.ok(matches('/v1/chat/completions', variant), variant)
  })

  test('escapes compare the same whatever their hex case', () => {
    assert.ok(matches('/files/caf%C3%A9', '/files/caf%c3%a9'))
    assert.ok(matches('/files/caf%c3%a9', '/files/café'))
  })

  test('invalid patterns say what to change', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['v1/models', /must start with "\/" \(write \/v1\/models\)/],
      ['/v1/models/', /remove the trailing "\/": \/v1\/models already matches it/],
      ['/v1//models', /empty segment/],
      ['/v1/**/x', /"\*\*" can only be the last segment/],
      ['/v1/model*', /"\*" must be a whole segment/],
      ['/v1/a;b', /";" is not allowed/],
      ['/v1/../admin', /"\." and "\.\." segments/],
      ['/v1/%2e%2E/admin', /"\." and "\.\." segments/],
      ['/v1/a%2Fb', /encoded slash/],
      ['/v1/a b', /" " cannot appear in a path/],
      ['/v1/a?x=1', /"\?" cannot appear/],
      ['/v1/a#frag', /"#" cannot appear/],
      ['/v1/%zz', /does not start a %XX escape/],
      [`/${'a'.repeat(200)}`, /at most 200 characters/],
    ]
    for (const [pattern, message] of cases) assert.match(pathPatternIssue(pattern) ?? 'accepted', message, pattern)
    for (const pattern of ['/', '/**', '/v1/models/*', '/v1/*/items/**', "/a-b_c.d~e!$&'()+,=:@", '/caf%C3%A9'])
      assert.equal(pathPatternIssue(pattern), null, pattern)
  })

  test('covers: a pattern covers another when it matches every path the other does', () => {
    const covers = (a: string, b: string) => patternCovers(parsePathPattern(a), parsePathPattern(b))
    assert.ok(covers('/**', '/'))
    assert.ok(covers('/**', '/v1/models/*'))
    assert.ok(covers('/v1/**', '/v1'))
    assert.ok(covers('/v1/**', '/v1/**'))
    assert.ok(covers('/v1/*', '/v1/models'))
    assert.ok(covers('/v1/*/x', '/v1/*/x'))
    assert.ok(covers('/V1/Models', '/v1/models'))
    assert.ok(!covers('/v1/models', '/v1/*'))
    assert.ok(!covers('/v1/*', '/v1/**'))
    assert.ok(!covers('/v1/*', '/v1'))
    assert.ok(!covers('/v1/**', '/**'))
    assert.ok(!covers('/v1/**', '/v2'))
    assert.ok(!covers('/', '/**'))
  })

  test('OpenAPI templates name wildcards', () => {
    assert.equal(openApiPath(parsePathPattern('/v1/models/*')), '/v1/models/{segment1}')
    assert.equal(openApiPath(parsePathPattern('/v1/*/items/*/**')), '/v1/{segment1}/items/{segment2}/{path}')
    assert.equal(openApiPath(parsePathPattern('/')), '/')
  })
})

describe('canonicalPath', () => {
  test('decodes escapes of unreserved characters, upper-cases the rest, escapes what is not pchar, drops empty segments', () => {
    assert.deepEqual(canonicalPath('/v1/%7euser/%41%2d%5f'), { ok: true, path: '/v1/~user/A-_' })
    assert.deepEqual(canonicalPath('/a/%c3%a9/%20'), { ok: true, path: '/a/%C3%A9/%20' })
    assert.deepEqual(canonicalPath('/a b/é/"<>`{}|^[]'), { ok: true, path: '/a%20b/%C3%A9/%22%3C%3E%60%7B%7D%7C%5E%5B%5D' })
    assert.deepEqual(canonicalPath('/😀'), { ok: true, path: '/%F0%9F%98%80' })
    assert.deepEqual(canonicalPath('//a//b//'), { ok: true, path: '/a/b/' })
    assert.deepEqual(canonicalPath(''), { ok: true, path: '' })
    assert.deepEqual(canonicalPath('/'), { ok: true, path: '/' })
    assert.deepEqual(canonicalPath('//'), { ok: true, path: '/' })
    assert.deepEqual(canonicalPath('v1/x'), { ok: true, path: '/v1/x' })
    assert.deepEqual(canonicalPath("/a:b@c!$&'()*+,;=d"), { ok: true, path: "/a:b@c!$&'()*+,;=d" })
  })

  test('refuses dot segments, encoded slashes and backslashes, NUL and malformed escapes', () => {
    for (const raw of [
      '/..',
      '/v1/../admin',
      '/v1/./x',
      '/v1/%2e%2e/admin',
      '/v1/.%2E/admin',
      '/v1/%2E',
      '/v1%2Fadmin',
      '/v1%2fadmin',
      '/v1\\admin',
      '/v1%5cadmin',
      '/v1/%00',
      '/v1/\u0000',
      '/v1/%',
      '/v1/%4',
      '/v1/%g0',
      `/${'a'.repeat(9000)}`,
    ]) {
      const result = canonicalPath(raw)
      assert.equal(result.ok, false, raw)
      assert.ok(!result.ok && result.detail.length > 10)
    }
  })
})
