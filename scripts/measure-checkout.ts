// `npm run measure:checkout`: the checkout's JavaScript, gzipped, from the production build
// (NEXT_DIST_DIR or .next). Before a method is chosen = the framework's root scripts + the /pay
// layout and page chunks. The wallet path adds the chunks its dynamic import loads (found by a
// string only the wallet code contains) and the chunks that read the paid response.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import zlib from 'node:zlib'
import { distDir } from './app'

export const budgets = { beforeMethod: 120 * 1024, walletPath: 196 * 1024 }

/** A string literal that only the lazily loaded wallet code contains (components/checkout/wallet/wagmi-config.ts). */
const walletMarker = 'tollgate-test-wallet'
/** ... and one only the paid-response reader contains (lib/checkout/paid-response.ts). */
const paidMarker = 'content-disposition'

export type Measurement = {
  /** Next.js + React runtime every App Router page loads (root scripts and the root layout). */
  framework: { files: string[]; gzip: number }
  beforeMethod: { files: string[]; gzip: number }
  walletPath: { files: string[]; gzip: number }
  /** Chunks the wallet code itself imports lazily (none today). */
  testWalletSigner: { files: string[]; gzip: number }
}

export function measureCheckout(dir: string = distDir()): Measurement {
  if (!existsSync(path.join(dir, 'BUILD_ID'))) throw new Error(`no production build in ${dir}: run \`next build\` first`)
  const read = (file: string) => readFileSync(path.join(dir, file))
  if (!existsSync(path.join(dir, 'server/app/pay/page_client-reference-manifest.js'))) throw new Error(`the build in ${dir} has no /pay page: rebuild it`)
  const gzipSize = (file: string) => zlib.gzipSync(read(file)).length
  const sum = (files: Iterable<string>) => [...files].reduce((total, file) => total + gzipSize(file), 0)

  const buildManifest = JSON.parse(read('build-manifest.json').toString()) as { rootMainFiles: string[] }
  const sandbox = { globalThis: {} as Record<string, unknown> }
  vm.runInNewContext(read('server/app/pay/page_client-reference-manifest.js').toString(), sandbox)
  const rsc = (sandbox.globalThis.__RSC_MANIFEST as Record<string, { entryJSFiles: Record<string, string[]> }>)['/pay/page']!
  const entries = Object.entries(rsc.entryJSFiles)
  const entry = (suffix: string) => entries.find(([name]) => name.endsWith(suffix))?.[1] ?? []
  const framework = new Set([...buildManifest.rootMainFiles, ...entry('/app/layout')])
  const before = new Set([...framework, ...entry('/app/pay/page')])

  // Turbopack loads a dynamic import's chunks with `Promise.all(["static/chunks/…", …].map(…))`.
  const loadersIn = (files: Iterable<string>): string[][] => {
    const lists: string[][] = []
    for (const file of files)
      for (const match of read(file).toString().matchAll(/Promise\.all\(\[((?:"static\/chunks\/[^"]+\.js",?)+)\]/g))
        lists.push([...match[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!))
    return lists
  }
  const contains = (files: string[], marker: string) => files.some((file) => read(file).toString().includes(marker))
  const lazy = loadersIn(before)
  const wallet = lazy.find((files) => contains(files, walletMarker))
  if (!wallet) throw new Error('could not find the wallet chunks (marker not found); did the wallet code move?')
  const paid = lazy.filter((files) => contains(files, paidMarker)).flat()
  const walletPath = new Set([...before, ...wallet, ...paid])
  const signer = new Set(loadersIn(wallet).flat().filter((file) => !walletPath.has(file)))

  return {
    framework: { files: [...framework], gzip: sum(framework) },
    beforeMethod: { files: [...before], gzip: sum(before) },
    walletPath: { files: [...walletPath], gzip: sum(walletPath) },
    testWalletSigner: { files: [...signer], gzip: sum(signer) },
  }
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`
}

function main() {
  const m = measureCheckout()
  const line = (label: string, bytes: number, budget?: number) =>
    console.log(`${label.padEnd(44)} ${kb(bytes).padStart(10)}${budget ? `   budget ${kb(budget)}  ${bytes <= budget ? 'ok' : 'OVER'}` : ''}`)
  console.log(`Checkout JavaScript (gzip, level 6 as served), build ${distDir()}`)
  line('before choosing a method', m.beforeMethod.gzip, budgets.beforeMethod)
  line('  of which Next.js + React runtime', m.framework.gzip)
  line('whole wallet path (wallet chosen, paid)', m.walletPath.gzip, budgets.walletPath)
  line('  of which loaded on choosing the wallet', m.walletPath.gzip - m.beforeMethod.gzip)
  if (m.testWalletSigner.gzip > 0) line('further chunks the wallet code loads later', m.testWalletSigner.gzip)
}

if (import.meta.url === `file://${process.argv[1]}`) main()
