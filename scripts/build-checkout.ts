// `tsx scripts/build-checkout.ts`: bundles the checkout's browser code with esbuild into
// <build folder>/checkout-assets. /pay is a route handler that writes plain HTML and loads this bundle,
// so a payer downloads React and the checkout, not the App Router runtime (issue 5's 120 KB budget).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as esbuild from 'esbuild'
import { assetsFolder, type AssetsManifest } from '@/lib/checkout/page/assets'
import { distDir, rootDir } from './app'

const entryPoints = {
  checkout: 'components/checkout/checkout-entry.tsx',
  'checkout-style': 'app/globals.css',
}

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

export async function buildCheckout(outDir: string = path.join(distDir(), assetsFolder)): Promise<AssetsManifest> {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const result = await esbuild.build({
    absWorkingDir: rootDir,
    entryPoints,
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    metafile: true,
    logLevel: 'warning',
  })
  const outputs = Object.entries(result.metafile.outputs).map(([file, output]) => ({ name: path.basename(file), output }))
  const entry = outputs.find(({ output }) => output.entryPoint === entryPoints.checkout)
  if (!entry) throw new Error('esbuild produced no checkout entry')
  const manifest: AssetsManifest = {
    script: entry.name,
    preload: entry.output.imports.filter((i) => i.kind === 'import-statement').map((i) => path.basename(i.path)),
    stylesheets: outputs.filter(({ name, output }) => name.endsWith('.css') && output.entryPoint).map(({ name }) => name),
    files: Object.fromEntries(
      outputs.filter(({ name }) => contentTypes[path.extname(name)]).map(({ name }) => [name, contentTypes[path.extname(name)]!]),
    ),
  }
  writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2))
  // The measuring script (scripts/measure-checkout.ts) reads which chunk loads which.
  writeFileSync(path.join(outDir, 'metafile.json'), JSON.stringify(result.metafile))
  return manifest
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const manifest = await buildCheckout()
  console.log(
    `Checkout bundle: ${Object.keys(manifest.files).length} files in ${path.relative(rootDir, path.join(distDir(), assetsFolder))}`,
  )
}
