// Benchmark 3: how much JavaScript a person downloads to pay. Ours comes from scripts/measure-checkout.ts
// (build manifests); when that cannot read the build, every script the served checkout page
// references. The reference: the EVM paywall page of the published @x402/paywall package (its
// scripts are inlined in one HTML template).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import vm from 'node:vm'
import { gzipSync } from 'node:zlib'
import { distDir } from '@/scripts/app'
import { measureCheckout } from '@/scripts/measure-checkout'

export type Weight = { files: number; rawBytes: number; gzipBytes: number }

export type CheckoutWeight =
  | { available: true; source: 'build manifests' | 'served page'; firstLoad: Weight; walletPath: Weight | null }
  | { available: false; reason: string }

export type PaywallWeight =
  { available: true; version: string; note: string; weight: Weight; htmlGzipBytes: number } | { available: false; reason: string }

export function gzipSize(bytes: Uint8Array | string): number {
  return gzipSync(bytes).length
}

function weigh(scripts: Array<Uint8Array | string>): Weight {
  return {
    files: scripts.length,
    rawBytes: scripts.reduce((sum, s) => sum + Buffer.byteLength(s), 0),
    gzipBytes: scripts.reduce((sum, s) => sum + gzipSize(s), 0),
  }
}

/** Script URLs a server-rendered Next.js page makes the browser fetch on first load. */
export function scriptUrls(html: string, base: string): string[] {
  const urls = new Set<string>()
  for (const match of html.matchAll(/<script\b[^>]*>/g)) {
    const tag = match[0]
    const src = /\ssrc="([^"]+)"/.exec(tag)?.[1]
    // Modern browsers skip nomodule scripts (Next.js's legacy polyfills).
    if (src && !/\snomodule\b/i.test(tag)) urls.add(src)
  }
  for (const match of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = match[0]
    if (/\bas="script"/.test(tag) && /\brel="(?:preload|modulepreload)"/.test(tag)) {
      const href = /\bhref="([^"]+)"/.exec(tag)?.[1]
      if (href) urls.add(href)
    }
  }
  return [...urls]
    .map((u) => new URL(u.replaceAll('&amp;', '&'), base).toString())
    .filter((u) => new URL(u).origin === new URL(base).origin)
}

/** Our checkout's JS: from the build (measure-checkout) when possible, else from the served page. */
export async function ourCheckout(baseUrl: string, checkoutPath: string): Promise<CheckoutWeight> {
  try {
    const m = measureCheckout()
    const fromBuild = (part: { files: string[]; gzip: number }): Weight => ({
      files: part.files.length,
      rawBytes: part.files.reduce((sum, f) => sum + statSync(path.join(distDir(), f)).size, 0),
      gzipBytes: part.gzip,
    })
    return { available: true, source: 'build manifests', firstLoad: fromBuild(m.beforeMethod), walletPath: fromBuild(m.walletPath) }
  } catch {
    // The build's layout is not what measure-checkout expects: weigh what the page serves.
  }
  const page = await fetch(new URL(checkoutPath, baseUrl), { headers: { accept: 'text/html' } })
  const html = await page.text()
  if (page.status !== 200)
    return { available: false, reason: `${checkoutPath} answered ${page.status} (the checkout page is not in this build yet)` }
  const scripts: Uint8Array[] = []
  for (const url of scriptUrls(html, baseUrl)) {
    const response = await fetch(url)
    if (!response.ok) throw new Error(`${url} answered ${response.status}`)
    scripts.push(new Uint8Array(await response.arrayBuffer()))
  }
  return { available: true, source: 'served page', firstLoad: weigh(scripts), walletPath: null }
}

function npm(args: string[]): string {
  return execFileSync('npm', args, { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

/** The @x402/paywall version matching our @x402/core when published, otherwise the newest one. */
function paywallVersion(): { version: string; note: string } {
  const manifest = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>
  }
  const core = manifest.dependencies?.['@x402/core']?.replace(/^[\^~]/, '')
  if (!core) throw new Error('package.json has no @x402/core dependency')
  let matching = ''
  try {
    matching = npm(['view', `@x402/paywall@${core}`, 'version'])
  } catch {
    // E404: no paywall release with our core's version number.
  }
  if (matching) return { version: core, note: `matches @x402/core ${core}` }
  const latest = npm(['view', '@x402/paywall', 'version'])
  return { version: latest, note: `newest published; there is no ${core} to match our @x402/core` }
}

/** Reads the one string literal assigned to `name` in a bundle, without running the bundle. */
export function stringConstant(source: string, name: string): string {
  const start = source.indexOf(`${name} = `)
  if (start < 0) throw new Error(`${name} not found`)
  const open = start + name.length + 3
  const quote = source[open]
  if (quote !== "'" && quote !== '"') throw new Error(`${name} is not a plain string literal`)
  let end = open + 1
  while (end < source.length && source[end] !== quote) end += source[end] === '\\' ? 2 : 1
  return vm.runInNewContext(source.slice(open, end + 1)) as string
}

/** Weight of the EVM paywall page from the published @x402/paywall tarball (npm pack, cached in the temp dir). */
export function x402Paywall(): PaywallWeight {
  let version: { version: string; note: string }
  try {
    version = paywallVersion()
  } catch (error) {
    return { available: false, reason: `npm registry unreachable: ${(error as Error).message.split('\n')[0]}` }
  }
  const dir = path.join(os.tmpdir(), `tollgate-bench-x402-paywall-${version.version}`)
  const bundle = path.join(dir, 'package', 'dist', 'esm', 'evm', 'index.js')
  if (!existsSync(bundle)) {
    mkdirSync(dir, { recursive: true })
    npm(['pack', `@x402/paywall@${version.version}`, '--pack-destination', dir])
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))
    if (!tarball) return { available: false, reason: 'npm pack produced no tarball' }
    execFileSync('tar', ['xzf', tarball], { cwd: dir })
  }
  const html = stringConstant(readFileSync(bundle, 'utf8'), 'EVM_PAYWALL_TEMPLATE')
  const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!).filter((s) => s.trim().length > 0)
  return { available: true, version: version.version, note: version.note, weight: weigh(scripts), htmlGzipBytes: gzipSize(html) }
}
