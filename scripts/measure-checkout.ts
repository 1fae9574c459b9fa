// `npm run measure:checkout`: the checkout's JavaScript, gzipped, from the production build
// (NEXT_DIST_DIR or .next). /pay loads only its own esbuild bundle (scripts/build-checkout.ts), so
// the figures come from that bundle's metafile: before a method is chosen = the entry and every chunk
// it imports statically; the wallet path adds what choosing the wallet and reading the paid response load.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import type { Metafile } from 'esbuild'
import { assetsFolder, type AssetsManifest } from '@/lib/checkout/page/assets'
import { distDir } from './app'

export const budgets = { beforeMethod: 120 * 1024, walletPath: 196 * 1024 }

/** Source files whose chunks load lazily: the wallet (on choosing it) and the paid-response reader. */
const walletSource = 'components/checkout/wallet/WalletPayment.tsx'
const paidSource = 'lib/checkout/paid-response.ts'

type Part = { files: string[]; gzip: number }

export type Measurement = {
  /** React and React DOM, the only framework code the page loads. */
  framework: Part
  beforeMethod: Part
  walletPath: Part
  /** Chunks the wallet code imports lazily later (e.g. the demo test wallet's local signer). */
  testWalletSigner: Part
}

/** Files are relative to the build folder (e.g. `checkout-assets/checkout-AB12.js`). */
export function measureCheckout(dir: string = distDir()): Measurement {
  const assets = path.join(dir, assetsFolder)
  if (!existsSync(path.join(assets, 'metafile.json'))) throw new Error(`no checkout bundle in ${assets}: run \`npm run build\` first`)
  const manifest = JSON.parse(readFileSync(path.join(assets, 'manifest.json'), 'utf8')) as AssetsManifest
  const metafile = JSON.parse(readFileSync(path.join(assets, 'metafile.json'), 'utf8')) as Metafile
  const outputs = new Map(Object.entries(metafile.outputs).map(([file, output]) => [path.basename(file), output]))
  const gzipOf = (name: string) => zlib.gzipSync(readFileSync(path.join(assets, name))).length
  const part = (names: Iterable<string>): Part => {
    const list = [...new Set(names)].filter((name) => name.endsWith('.js'))
    return { files: list.map((name) => `${assetsFolder}/${name}`), gzip: list.reduce((sum, name) => sum + gzipOf(name), 0) }
  }
  /** A chunk and everything it imports statically (what the browser must fetch to run it). */
  const staticClosure = (name: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(name)) return seen
    seen.add(name)
    for (const i of outputs.get(name)?.imports ?? []) if (i.kind === 'import-statement') staticClosure(path.basename(i.path), seen)
    return seen
  }
  const lazyChunk = (source: string): string => {
    const found = [...outputs].find(([, output]) => output.entryPoint === source)
    if (!found) throw new Error(`no lazily loaded chunk for ${source}; did the code move?`)
    return found[0]
  }
  const dynamicImports = (names: Iterable<string>) =>
    [...names].flatMap((name) =>
      (outputs.get(name)?.imports ?? []).filter((i) => i.kind === 'dynamic-import').map((i) => path.basename(i.path)),
    )

  const before = staticClosure(manifest.script)
  const walletPath = new Set([...before, ...staticClosure(lazyChunk(walletSource)), ...staticClosure(lazyChunk(paidSource))])
  const signer = new Set<string>()
  for (const name of dynamicImports(walletPath)) if (!walletPath.has(name)) staticClosure(name, signer)
  for (const name of walletPath) signer.delete(name)
  const framework = [...before].filter((name) =>
    Object.keys(outputs.get(name)?.inputs ?? {}).some((input) => /node_modules\/(react|react-dom|scheduler)\//.test(input)),
  )

  return { framework: part(framework), beforeMethod: part(before), walletPath: part(walletPath), testWalletSigner: part(signer) }
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`
}

function main() {
  const m = measureCheckout()
  const line = (label: string, bytes: number, budget?: number) =>
    console.log(
      `${label.padEnd(44)} ${kb(bytes).padStart(10)}${budget ? `   budget ${kb(budget)}  ${bytes <= budget ? 'ok' : 'OVER'}` : ''}`,
    )
  console.log(`Checkout JavaScript (gzip, level 6 as served), build ${distDir()}`)
  line('before choosing a method', m.beforeMethod.gzip, budgets.beforeMethod)
  line('  of which chunks with React and React DOM', m.framework.gzip)
  line('whole wallet path (wallet chosen, paid)', m.walletPath.gzip, budgets.walletPath)
  line('  of which loaded on choosing the wallet', m.walletPath.gzip - m.beforeMethod.gzip)
  if (m.testWalletSigner.gzip > 0) line('further chunks the wallet code loads later', m.testWalletSigner.gzip)
}

if (import.meta.url === `file://${process.argv[1]}`) main()
